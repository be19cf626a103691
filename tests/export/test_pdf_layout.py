"""PDF pagination (issue 15): no page holds a lone row of a table, and no heading is left
at a page foot. The vitals table is grown one check at a time, so its end and the
headings after it fall at every height of a page; each PDF is read back page by page."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.summary import load_summary
from session_app.export.pdf import render_pdf
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

VITALS = {
    "systolic": "124",
    "diastolic": "78",
    "heart_rate": "72",
    "spo2": "98",
    "resp_rate": "14",
    "moaas": "5",
    "recorded_by": "ab",
}
HEADINGS = {
    "Dose and infusion",
    "Vital signs",
    "Per vital sign",
    "Alerts",
    "Trend charts",
    "Adverse events",
    "Interventions",
    "Notes",
    "NEWS2",
    "Discharge checklist",
    "Modified Aldrete",
    "Corrections",
}
# a row of the vitals table: time, minutes from the dose, BP
CHECK_ROW = re.compile(r"^\s*\d{2}:\d{2}\s+[+-]?\d+\s+\d+/\d+\s")


def pages_of(path: Path) -> list[list[str]]:
    """Each page's lines without its running header (first line) and footer (last)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = unicodedata.normalize("NFKC", text)
    pages = [[ln for ln in page.splitlines() if ln.strip()] for page in text.split("\f")]
    return [page[1:-1] for page in pages if page]


SHOWN = HEADINGS - {"Trend charts", "Modified Aldrete", "Corrections"}  # in this session


def layout_problems(path: Path) -> list[str]:
    pages = pages_of(path)
    seen = {line.strip() for lines in pages for line in lines}
    problems = [f"the heading {h!r} is not drawn" for h in sorted(SHOWN - seen)]
    for number, lines in enumerate(pages, start=1):
        rows = sum(1 for line in lines if CHECK_ROW.match(line))
        if rows == 1:
            problems.append(f"page {number} holds a single row of the vitals table")
        if lines and lines[-1].strip() in HEADINGS:
            problems.append(f"page {number} ends with the heading {lines[-1].strip()!r}")
    return problems


@pytest.mark.slow
def test_no_lone_table_row_and_no_heading_at_a_page_foot(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("JD-104", IV_KETAMINE, "AB", 80.0)).id
    clock.advance(minutes=3)
    service.record_check(sid, VITALS)
    clock.advance(minutes=3)
    service.log_event(
        sid, "dose", {"drug": "Ketamine", "dose": "35", "unit": "mg", "route": "IV bolus"}, "AB"
    )
    found: dict[int, list[str]] = {}
    for count in range(2, 58):
        clock.advance(minutes=4)
        service.record_check(sid, VITALS)
        if count < 24:
            continue
        summary = load_summary(store, sid, clock.now())
        path = render_pdf(summary, tmp_path / f"s{count}.pdf", with_charts=False)
        if problems := layout_problems(path):
            found[count] = problems
    assert found == {}
