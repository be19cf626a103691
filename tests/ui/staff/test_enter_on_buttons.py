"""Enter on a focused form button presses it (issue 15 point 13: "Enter on a focused 'Set
PIN' (or any default button) acts"). The staff forms are pages of the panel, not dialogs,
so Qt's default-button handling does not apply: a nurse who Tabs onto "Save vitals" and
presses Enter expects the save."""

from __future__ import annotations

from PySide6.QtCore import Qt

from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE


def test_enter_on_the_focused_save_vitals_button_saves(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.vitals_form
    for name, text in BASELINE.items():
        form.controls[name].setText(text)
    form.save_button.setFocus()
    qtbot.keyClick(form.save_button, Qt.Key.Key_Return)
    assert len(store.checks(session.id)) == 1


def test_enter_on_the_focused_start_button_starts_the_session(
    qtbot, panel: StaffPanel, store: SessionStore
) -> None:
    form = panel.start_form
    form.patient_id.setText("RT-2")
    form.weight.setText("70")
    form.staff.setText("AB")
    form.start_button.setFocus()
    qtbot.keyClick(form.start_button, Qt.Key.Key_Enter)
    assert [s.patient_id for s in store.sessions()] == ["RT-2"]
