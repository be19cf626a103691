"""A check recorded from a monitor whose clock was far from the room's (issue 17: "a time
far from the room's clock is flagged, not silently shifted"). The check keeps the
monitor's time, so every form of the record says so: the summary on screen and in the
PDF (read back with pdftotext), the CSV's checks file and the FHIR Observations. A
monitor on time says nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.summary import SessionRecord, load_summary
from session_app.export.csv import read_checks_csv, write_csv
from session_app.export.document import summary_html
from session_app.export.fhir import write_fhir
from session_app.export.pdf import render_pdf
from session_app.store import SessionStore
from tests.export.monitor_seed import seed_monitor_session
from tests.export.test_monitor_exports import pdf_text

FLAG = "monitor clock differed"
WORDS = "more than 5 minutes from the room's clock"
BEHIND = timedelta(minutes=8)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("behind", [BEHIND, timedelta(0)], ids=["8-min-behind", "on-time"])
def test_the_summary_and_pdf_say_when_the_monitor_s_clock_differed(
    qapp: object, store: SessionStore, clock: ManualClock, tmp_path: Path, behind: timedelta
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16, monitor_behind=behind)
    summary = load_summary(store, seeded.session_id, clock.now())
    by_id = {line.check.id: line for line in summary.checks}
    assert by_id[seeded.monitor_check_id].monitor_clock_differed is bool(behind)
    assert not by_id[seeded.typed_check_id].monitor_clock_differed
    monitor_check = by_id[seeded.monitor_check_id].check
    assert monitor_check.taken_at == seeded.started_at + timedelta(minutes=15) - behind
    text = words(pdf_text(render_pdf(summary, tmp_path / "summary.pdf", with_charts=False)))
    html = words(summary_html(summary))
    for shown in (text, html):
        assert (FLAG in shown) is bool(behind)
        assert (WORDS in shown) is bool(behind)  # the legend says what the flag means


def test_the_csv_and_fhir_say_when_the_monitor_s_clock_differed(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16, monitor_behind=BEHIND)
    record = SessionRecord.load(store, seeded.session_id)
    write_csv(record, tmp_path / "visit.csv")
    by_id = {r["check_id"]: r for r in read_checks_csv(tmp_path / "visit.csv")}
    assert by_id[seeded.monitor_check_id]["monitor_clock_differed"] is True
    assert by_id[seeded.typed_check_id]["monitor_clock_differed"] is False

    bundle = json.loads(write_fhir(record, tmp_path / "visit.json", clock.now()).read_text("utf-8"))
    notes = {
        entry["resource"]["id"]: [n["text"] for n in entry["resource"].get("note", [])]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Observation"
    }
    monitor = f"s{seeded.session_id}-c{seeded.monitor_check_id}"
    typed = f"s{seeded.session_id}-c{seeded.typed_check_id}"
    skew_notes = {i: n for i, n in notes.items() if any(WORDS in t for t in n)}
    assert skew_notes and all(i.startswith(monitor) for i in skew_notes)
    assert f"{monitor}-bp" in skew_notes  # the monitor's values, not the nurse's SpO2
    assert f"{monitor}-spo2" not in skew_notes
    assert not [i for i in skew_notes if i.startswith(typed)]
