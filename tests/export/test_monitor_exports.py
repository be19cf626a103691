"""Monitor data in the summary on screen and in the PDF (issue 17): checks from the monitor
are marked "M" (with the device in the legend, the nurse's initials kept), and the 1 Hz
trace is a section of 15-min intervals, not rows. The PDF is read back with pdftotext."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from session_app.devices.inbox import Inbox
from session_app.domain.clock import ManualClock, format_local
from session_app.domain.summary import load_summary
from session_app.export.document import summary_html
from session_app.export.pdf import render_pdf
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.summary.view import SummaryView
from tests.export.monitor_seed import oximeter_values, seed_monitor_artefact, seed_monitor_session
from tests.export.service_seed import seed_session

SECTION = "Monitor values (continuous)"
LEGEND = "M: recorded from the monitor"
SET_ASIDE = "Monitor NIBP readings set aside"


def pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return unicodedata.normalize("NFKC", text)  # the PDF font uses ligatures


def hh_mm(when: datetime) -> str:
    return format_local(when, with_date=False)


def test_the_pdf_marks_monitor_checks_and_summarises_the_trace(
    qapp: object, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=20)
    summary = load_summary(store, seeded.session_id, clock.now())
    text = pdf_text(render_pdf(summary, tmp_path / "summary.pdf", with_charts=False))
    assert "CD (M)" in text and "AB (M)" not in text  # the nurse's initials, and the mark
    assert f"{LEGEND} (B40_GE (080019FFFE5E1700))" in " ".join(text.split())
    assert SECTION in text
    start, quarter = seeded.started_at, seeded.started_at + timedelta(minutes=15)
    assert f"{hh_mm(start)}–{hh_mm(quarter)}" in text  # local times
    assert "96–99 %" in text and "70–79 /min" in text and "900" in text
    assert "2 values flagged implausible" in " ".join(text.split())
    assert "/dev/ttyUSB0:nonin" in text  # the devices that sent values
    assert text.count("96–99 %") == 2  # one line per interval, never a row per value


def test_a_session_without_a_monitor_has_no_monitor_section_or_mark(
    qapp: object, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_session(store, clock)
    summary = load_summary(store, seeded.session_id, clock.now())
    text = pdf_text(render_pdf(summary, tmp_path / "summary.pdf", with_charts=False))
    assert SECTION not in text and LEGEND not in text and "(M)" not in text


def test_the_summary_window_shows_the_same_monitor_lines(
    qtbot: QtBot, store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    view = SummaryView(store, seeded.session_id, clock=clock)
    qtbot.addWidget(view)
    text = view.document_text()
    assert SECTION in text and LEGEND in text and "CD (M)" in text
    assert "96–99 %" in text


def test_the_summary_so_far_is_not_rebuilt_for_every_monitor_value(
    qtbot: QtBot, store: SessionStore, clock: ManualClock, service: MonitoringService
) -> None:
    """At 1 Hz a rebuild per value (the whole record, seconds for a long session) would
    hold the window; monitor values are shown at the next record or reopening."""
    seeded = seed_monitor_session(store, clock, trace_minutes=16, end=False)
    view = SummaryView(store, seeded.session_id, clock=clock)
    qtbot.addWidget(view)
    before = view.document_text()
    assert "60 values" in before  # 09:15–09:16 of SpO2
    more = oximeter_values(seeded.started_at + timedelta(minutes=16), 30)
    assert Inbox(store).accept_samples(more) == len(more)
    assert view.document_text() == before
    service.log_event(seeded.session_id, "note", {"text": "resting"}, "AB")
    assert "90 values" in view.document_text()


def test_the_pdf_lists_the_monitor_nibp_set_aside_and_not_the_good_one(
    qapp: object, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded, [at] = seed_monitor_artefact(store, clock)
    summary = load_summary(store, seeded.session_id, clock.now())
    text = " ".join(pdf_text(render_pdf(summary, tmp_path / "s.pdf", with_charts=False)).split())
    line = (
        f"{SET_ASIDE}: {hh_mm(at)} — 312/15 mmHg (outside the plausibility limits), "
        "B40_GE (080019FFFE5E1700)"
    )
    assert line in text
    assert text.count(SET_ASIDE) == 1 and "142/88 mmHg" not in text  # the good set: a check


def test_a_session_with_no_nibp_set_aside_shows_no_such_line(
    qapp: object, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    summary = load_summary(store, seeded.session_id, clock.now())
    text = pdf_text(render_pdf(summary, tmp_path / "s.pdf", with_charts=False))
    assert SECTION in text and SET_ASIDE not in text


def test_a_device_name_with_markup_is_shown_as_text_on_screen_and_in_the_pdf(
    qtbot: QtBot, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded, _ = seed_monitor_artefact(store, clock, device="<b>B40</b>^<i>GE</i>")
    summary = load_summary(store, seeded.session_id, clock.now())
    html = summary_html(summary, with_charts=False)
    assert "<b>B40" not in html and "&lt;b&gt;B40&lt;/b&gt;" in html
    shown = "(outside the plausibility limits), <i>GE</i> (<b>B40</b>)"
    view = SummaryView(store, seeded.session_id, clock=clock)
    qtbot.addWidget(view)
    assert shown in " ".join(view.document_text().split())
    pdf = pdf_text(render_pdf(summary, tmp_path / "s.pdf", with_charts=False))
    assert shown in " ".join(pdf.split())
