"""Correcting from the flowsheet and the timeline, by keyboard, on the real panel and store."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession, TreatmentSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.correction_dialog import (
    CheckCorrectionDialog,
    EventCorrectionDialog,
    HistoryDialog,
)
from session_app.ui.staff.flowsheet import CORRECTED_MARK, Flowsheet
from session_app.ui.staff.panel import StaffPanel
from session_app.ui.summary.view import SummaryView
from tests.ui.staff.conftest import BASELINE, focused

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def _select_top_row_by_keyboard(qtbot, panel: StaffPanel) -> None:
    panel.record_tabs.setCurrentWidget(panel.flowsheet)
    table = panel.flowsheet.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    table.selectRow(table.currentRow())
    assert panel.flowsheet.selected_id() is not None


def _replace(qtbot, text: str) -> None:
    """Select what the focused box holds and type over it, as a nurse would."""
    widget = focused()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def test_correct_a_check_with_the_keyboard(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore, clock: ManualClock
) -> None:
    original = panel.service.record_check(session.id, {**BASELINE, "heart_rate": "170"}).check
    clock.advance(minutes=2)
    assert panel.flowsheet.row_texts(0)["heart_rate"] == "170"
    _select_top_row_by_keyboard(qtbot, panel)

    qtbot.keyClick(panel.flowsheet.table, Qt.Key.Key_F2)
    dialog = panel.flowsheet.dialog
    assert isinstance(dialog, CheckCorrectionDialog) and dialog.isVisible()
    assert dialog.controls["heart_rate"].text() == "170"  # pre-filled with the values in force
    assert dialog.controls["systolic"].text() == "128"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.controls["systolic"])
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # diastolic
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # heart rate
    assert focused() is dialog.controls["heart_rate"]
    _replace(qtbot, "71")
    dialog.reason.setFocus()
    qtbot.keyClicks(focused(), "typed 170 for 71")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is dialog.recorded_by
    qtbot.keyClicks(focused(), "cd")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = store.checks(session.id)
    assert [c.corrects_id for c in stored] == [None, original.id]
    row = panel.flowsheet.row_texts(0)
    assert row["heart_rate"] == "71" and row["recorded_by"] == "CD"
    assert CORRECTED_MARK in row["time"]
    assert panel.flowsheet.rowCount() == 1  # one row per check in force
    hr_cell = panel.flowsheet.item(0, 3)
    assert hr_cell.font().italic() and "HR was 170 /min" in hr_cell.toolTip()
    assert "typed 170 for 71" in panel.flowsheet.item(0, 0).toolTip()
    assert panel.flowsheet.selected_id() == stored[1].id  # the corrected row stays selected

    history = panel.flowsheet.open_history()
    assert isinstance(history, HistoryDialog)
    text = history.text()
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Original") and "HR 170" in lines[0] and "| AB |" in lines[0]
    assert lines[1].startswith("Correction 1 (in force)") and "HR 71" in lines[1]
    assert "typed 170 for 71" in lines[1] and "| CD |" in lines[1]


def test_a_refused_correction_is_shown_in_place_and_keeps_the_typing(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore
) -> None:
    panel.service.record_check(session.id, BASELINE)
    panel.flowsheet.table.selectRow(0)
    dialog = panel.flowsheet.open_correction()
    assert isinstance(dialog, CheckCorrectionDialog)
    dialog.controls["spo2"].setText("9")
    dialog.recorded_by.setText("AB")
    assert dialog.submit() is None
    assert dialog.isVisible()
    assert "Reason: required" in dialog.message.text()
    assert "SpO2: '9' is outside the plausible range" in dialog.message.text()
    assert dialog.controls["spo2"].property("invalid") is True
    assert dialog.reason.property("invalid") is True
    assert dialog.controls["spo2"].text() == "9" and dialog.recorded_by.text() == "AB"
    assert len(store.checks(session.id)) == 1
    # fixed in place, it saves
    dialog.controls["spo2"].setText("97")
    dialog.reason.setText("misread the oximeter")
    assert dialog.submit() is not None
    assert panel.flowsheet.row_texts(0)["spo2"] == "97"


def test_the_context_menu_offers_correct_and_history(
    qtbot, panel: StaffPanel, session: TreatmentSession
) -> None:
    panel.service.record_check(session.id, BASELINE)
    table = panel.flowsheet.table
    rect = table.visualItemRect(table.item(0, 2))
    panel.flowsheet._context_menu(rect.center())
    actions = [a.text() for a in panel.flowsheet.menu.actions()]
    assert actions == ["Correct…", "History…"]
    assert all(a.isEnabled() for a in panel.flowsheet.menu.actions())
    assert panel.flowsheet.selected_id() is not None
    panel.flowsheet.menu.actions()[0].trigger()
    assert isinstance(panel.flowsheet.dialog, CheckCorrectionDialog)
    panel.flowsheet.menu.close()


def test_an_ended_session_offers_history_but_not_correction(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("RT-2", ESKETAMINE_REMS, "AB"))
    service.record_check(session.id, BASELINE)
    flowsheet = Flowsheet(store, service=service)
    qtbot.addWidget(flowsheet)
    flowsheet.set_session(session.id)
    flowsheet.table.selectRow(0)
    assert flowsheet.correct_button.isEnabled() and flowsheet.history_button.isEnabled()
    store.end_session(session.id, "AB")
    assert not flowsheet.correct_button.isEnabled()
    assert flowsheet.history_button.isEnabled()
    assert "read-only" in flowsheet.hint.text()
    assert flowsheet.open_correction() is None
    assert isinstance(flowsheet.open_history(), HistoryDialog)


def test_correct_an_event_on_the_timeline(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore, clock: ManualClock
) -> None:
    dose = panel.service.log_event(session.id, "dose", DOSE, "AB")
    clock.advance(minutes=3)
    timeline = panel.timeline
    panel.record_tabs.setCurrentWidget(timeline)
    timeline.table.selectRow(0)
    timeline.table.setFocus()
    qtbot.keyClick(timeline.table, Qt.Key.Key_F2)
    dialog = timeline.dialog
    assert isinstance(dialog, EventCorrectionDialog)
    assert dialog.controls["dose"].text() == "56"
    dialog.controls["dose"].setText("84")
    dialog.reason.setText("84 mg given, two devices")
    dialog.recorded_by.setText("cd")
    qtbot.keyClick(dialog.recorded_by, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    fixed = panel.service.events(session.id)[0]
    assert fixed.corrects_id == dose.id and fixed.details["dose"] == 84.0
    assert timeline.rowCount() == 1
    assert CORRECTED_MARK in timeline.item(0, 0).text()
    assert "84 mg" in timeline.item(0, 1).text()
    assert "Dose was 56" in timeline.item(0, 1).toolTip()
    history = timeline.open_history()
    assert isinstance(history, HistoryDialog)
    lines = history.text().splitlines()
    assert "56 mg" in lines[0] and "84 mg" in lines[1] and "two devices" in lines[1]


def test_the_summary_shows_the_corrected_value_with_its_footnote(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore, clock: ManualClock
) -> None:
    check = panel.service.record_check(session.id, {**BASELINE, "heart_rate": "170"}).check
    clock.advance(minutes=2)
    panel.service.correct_check(
        check.id, {**BASELINE, "heart_rate": "71"}, reason="typed 170 for 71", recorded_by="CD"
    )
    view = SummaryView(store, session.id, clock)
    qtbot.addWidget(view)
    text = view.document_text()
    assert "corrected [1]" in text
    assert "[1] Check of" in text and "HR was 170 /min; by CD at" in text
    assert "typed 170 for 71" in text
