"""Issue 15 point 5: the response given with an acknowledgement is in the summary (on
screen and in the PDF) and in the alerts CSV, as typed: never markup, never a formula."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.domain.summary import SessionRecord, load_summary
from session_app.export.csv import ENCODING, write_csv
from session_app.export.document import summary_html
from session_app.export.pdf import render_pdf
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.export.test_pdf import pdf_pages

BASELINE = {"systolic": "128", "diastolic": "80", "heart_rate": "74", "spo2": "98",
            "resp_rate": "14", "recorded_by": "AB"}  # fmt: skip
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
RESPONSE = "ondansetron 4 mg IV <b>given</b>"
FORMULA = "=HYPERLINK(1) repeated BP"


@pytest.fixture
def acked(store: SessionStore, clock: ManualClock) -> tuple[int, list[int], int]:
    """A session whose high-BP check (four alerts) was acknowledged with RESPONSE, and an
    SpO2 alert acknowledged with a response that starts like a formula."""
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("RT-9", ESKETAMINE_REMS, "AB", 70.0)).id
    service.record_check(sid, BASELINE)
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    bp = service.record_check(sid, {**BASELINE, "systolic": "200", "diastolic": "115"})
    service.acknowledge_all([a.id for a in bp.alerts], "CD", RESPONSE)
    clock.advance(minutes=5)
    [low] = service.record_check(sid, {**BASELINE, "spo2": "88"}).alerts
    service.acknowledge_all([low.id], "CD", FORMULA)
    return sid, [a.id for a in bp.alerts], low.id


def test_the_summary_document_shows_the_response_as_written(
    qapp, store: SessionStore, clock: ManualClock, acked: tuple[int, list[int], int]
) -> None:
    sid, _, _ = acked
    shown = QTextDocument()  # what the summary view shows (the same HTML as the PDF)
    shown.setHtml(summary_html(load_summary(store, sid, clock.now()), with_charts=False))
    text = shown.toPlainText()
    alerts = text[text.index("Alerts") :]
    assert alerts.count(f"response: {RESPONSE}") == 4  # each alert of the check
    assert f"response: {FORMULA}" in alerts


def test_the_pdf_shows_the_response(
    qapp, store: SessionStore, clock: ManualClock, acked: tuple[int, list[int], int], tmp_path
) -> None:
    sid, _, _ = acked
    path = render_pdf(load_summary(store, sid, clock.now()), tmp_path / "s.pdf")
    flat = re.sub(r"\s+", " ", " ".join(pdf_pages(path)))
    assert "ondansetron" in flat and "HYPERLINK" in flat


def test_the_alerts_csv_has_the_response_formula_safe(
    store: SessionStore, acked: tuple[int, list[int], int], tmp_path: Path
) -> None:
    sid, bp_ids, low_id = acked
    write_csv(SessionRecord.load(store, sid), tmp_path / "visit.csv")
    with (tmp_path / "visit-alerts.csv").open(encoding=ENCODING, newline="") as handle:
        rows = {int(r["alert_id"]): r for r in csv.DictReader(handle)}
    assert {rows[i]["acknowledged_response"] for i in bp_ids} == {RESPONSE}
    assert rows[low_id]["acknowledged_response"] == "'" + FORMULA  # remove one ' to read
