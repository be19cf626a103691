"""Discharge checklist dialog against the real store: ends the session, warns, never blocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError
from session_app.ui.summary.discharge_dialog import DischargeDialog
from tests.export.seed import seed_rems_session
from tests.seeding import record


def fill(dialog: DischargeDialog, qtbot, initials: str = "AB") -> None:
    for combo in dialog.aldrete.values():
        if combo.currentData() is None:
            combo.setCurrentIndex(combo.count() - 1)  # score 2
    dialog.responsible_adult.setChecked(True)
    dialog.advice.setChecked(True)
    dialog.vitals_ok_predose.setCurrentIndex(1)
    dialog.vitals_ok_leaving.setCurrentIndex(1)
    dialog.serious_ae.setCurrentIndex(2)
    qtbot.keyClicks(dialog.ended_by, initials)


@pytest.fixture
def open_rems(store: SessionStore, clock: ManualClock) -> int:
    sid = seed_rems_session(store, clock, end=False)
    clock.advance(minutes=7)  # 125 min after the dose
    return sid


def test_completing_the_checklist_ends_the_session(
    qtbot, store: SessionStore, clock: ManualClock, open_rems: int
) -> None:
    dialog = DischargeDialog(store, open_rems, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    assert dialog.warnings_label.isHidden()
    assert dialog.aldrete["circulation"].currentData() == 2  # suggested from the record
    assert dialog.aldrete["activity"].currentData() is None  # only the bedside can tell
    fill(dialog, qtbot)
    assert dialog.aldrete_total.text() == "10 / 10"
    assert "All discharge criteria met" in dialog.result_label.text()
    with qtbot.waitSignal(dialog.session_ended, timeout=1000) as ended:
        qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert ended.args == [open_rems]
    session = store.session(open_rems)
    assert not session.is_open and session.ended_by == "AB"
    assert session.ended_at == clock.now()
    stored = store.discharge(open_rems)
    assert stored["aldrete_total"] == 10 and stored["all_met"] is True
    assert stored["responsible_adult"] is True and stored["advice_no_driving"] is True
    assert stored["vitals_ok_leaving"] is True and stored["serious_adverse_event"] is False
    with pytest.raises(StoreWriteError, match="read-only"):
        record(MonitoringService(store, clock), open_rems, heart_rate=70)


def test_short_monitoring_warns_but_does_not_block(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_rems_session(store, clock, end=False)
    summary_dose = store.events(sid)[1].occurred_at
    clock.set(summary_dose + timedelta(minutes=100))
    dialog = DischargeDialog(store, sid, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    assert not dialog.warnings_label.isHidden()
    assert "Minimum monitoring time not reached: 100 of 120 min" in dialog.warnings_label.text()
    fill(dialog, qtbot)
    assert dialog.end_session() is True
    assert not store.session(sid).is_open
    assert store.discharge(sid)["warnings"] == [
        "Minimum monitoring time not reached: 100 of 120 min."
    ]


def test_missing_initials_are_refused_and_nothing_is_stored(
    qtbot, store: SessionStore, clock: ManualClock, open_rems: int
) -> None:
    dialog = DischargeDialog(store, open_rems, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    fill(dialog, qtbot, initials="")
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert "Ended by: required" in dialog.error_label.text()
    assert store.session(open_rems).is_open
    assert store.discharge(open_rems) == {}


def test_an_ended_session_cannot_be_ended_again(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_rems_session(store, clock)
    dialog = DischargeDialog(store, sid, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    assert not dialog.end_button.isEnabled()
    assert "read-only" in dialog.error_label.text()


def test_every_control_is_named(qtbot, store: SessionStore, clock: ManualClock, open_rems) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTimeEdit

    dialog = DischargeDialog(store, open_rems, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    controls = dialog.findChildren(QAbstractButton) + dialog.findChildren(QComboBox)
    controls += dialog.findChildren(QLineEdit) + dialog.findChildren(QTimeEdit)
    unnamed = [
        c
        for c in controls
        if not c.accessibleName()
        and c.parent() is not None
        and not isinstance(c.parent(), QComboBox | QTimeEdit)
    ]
    assert unnamed == []
