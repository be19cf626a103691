"""The on-screen summary: the record, the charts, live refresh, and the exports."""

from __future__ import annotations

import json
from pathlib import Path

from session_app.domain.clock import ManualClock
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.summary.discharge_dialog import DischargeDialog
from session_app.ui.summary.view import SummaryView
from tests.export.seed import seed_rems_session


def test_view_shows_the_record_and_the_charts(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_rems_session(store, clock)
    view = SummaryView(store, sid, clock)
    qtbot.addWidget(view)
    text = view.document_text()
    assert "MK-221" in text
    for line in view.summary.checks:
        s = line.check.signs
        assert f"{s.systolic}/{s.diastolic}" in text
    assert "Systolic BP 176 mmHg is 48 mmHg above baseline" in text
    assert "REMS patient monitoring form" in text
    assert len(view.charts.data.minutes) == len(view.summary.checks) == 6
    assert "read-only" in view.state.text()


def test_view_refreshes_when_the_session_ends(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_rems_session(store, clock, end=False, complete=False)
    view = SummaryView(store, sid, clock)
    qtbot.addWidget(view)
    assert "In progress" in view.state.text() and "still missing" in view.state.text()
    dialog = DischargeDialog(store, sid, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    for combo in dialog.aldrete.values():
        combo.setCurrentIndex(combo.count() - 1)
    dialog.ended_by.setText("cd")
    assert dialog.end_session()
    assert "Ended" in view.state.text() and "by CD" in view.state.text()
    assert "Discharge checklist" in view.document_text()


def test_exports_from_the_view(
    qtbot, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    view = SummaryView(store, sid, clock)
    qtbot.addWidget(view)
    view.page_size.setCurrentIndex(1)  # Letter
    with qtbot.waitSignal(view.exported, timeout=5000):
        pdf = view.export_pdf(tmp_path / "s.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    checks = view.export_csv(tmp_path / "s.csv")
    assert checks.exists() and (tmp_path / "s-events.csv").exists()
    fhir = view.export_fhir(tmp_path / "s.json")
    assert json.loads(fhir.read_text())["type"] == "collection"
    assert "Saved" in view.status.text()


def test_an_export_error_is_shown_in_the_view(
    qtbot, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    view = SummaryView(store, sid, clock)
    qtbot.addWidget(view)
    folder = tmp_path / "chart"
    folder.mkdir()
    view.ask_path = lambda title, suggested, filters: str(folder)  # the file dialog's answer
    view.fhir_button.click()
    assert "it is a folder" in view.status.text()
    assert view.status.property("error") is True
