"""A whole 2-hour REMS session in simulated time, through the real windows and store.

Everything the nurse does goes through the staff panel's widgets (typing, Enter,
clicks); time moves only on the ManualClock. At the end, every record is read back
from the SQLite file.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from session_app.app import build_windows
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.schedule import DueState
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel


def _enter_vitals(qtbot, panel: StaffPanel, values: dict[str, str]) -> None:
    form = panel.vitals_form
    panel.entry_tabs.setCurrentWidget(form)
    for name, text in values.items():
        control = form.controls[name]
        if hasattr(control, "findData"):
            control.setCurrentIndex(control.findData(text))
        else:
            qtbot.keyClicks(control, text)
    qtbot.keyClicks(form.controls["recorded_by"], "ab")
    qtbot.keyClick(form.controls["recorded_by"], Qt.Key.Key_Return)
    assert form.message.text() == "", form.message.text()


def _log_event(qtbot, panel: StaffPanel, kind: str, values: dict[str, str]) -> None:
    form = panel.event_form
    panel.entry_tabs.setCurrentWidget(form)
    form.select_kind(kind)
    for name, text in values.items():
        control = form.fields[kind][name]
        if hasattr(control, "findData"):
            control.setCurrentIndex(control.findData(text))
        else:
            control.clear()
            qtbot.keyClicks(control, text)
    form.recorded_by.setText("")
    qtbot.keyClicks(form.recorded_by, "ab")
    qtbot.keyClick(form.recorded_by, Qt.Key.Key_Return)
    assert form.message.text() == "", form.message.text()


def _vitals(sys_: int, dia: int, hr: int, spo2: int, rr: int, **more: str) -> dict[str, str]:
    return {
        "systolic": str(sys_),
        "diastolic": str(dia),
        "heart_rate": str(hr),
        "spo2": str(spo2),
        "on_oxygen": "no",
        "resp_rate": str(rr),
        **more,
    }


@pytest.mark.slow
def test_two_hour_rems_session_every_record_lands(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    store = SessionStore.open(data_dir, clock=clock)
    windows = build_windows(store, clock)
    panel = windows.staff
    qtbot.addWidget(panel)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True
    windows.patient.show()
    panel.show()
    try:
        # start the session from the form, keyboard only
        start = panel.start_form
        qtbot.keyClicks(start.patient_id, "rt-318")
        qtbot.keyClicks(start.weight, "64.5")
        start.protocol.setCurrentText(ESKETAMINE_REMS)
        qtbot.keyClicks(start.staff, "ab")
        qtbot.keyClick(start.staff, Qt.Key.Key_Return)
        [session] = store.sessions()
        assert panel.current_session == session
        assert session.protocol and session.protocol["min_monitoring_min"] == 120
        assert panel.countdown.state is DueState.BASELINE_NEEDED

        clock.advance(minutes=4)
        _enter_vitals(qtbot, panel, _vitals(128, 80, 74, 98, 14, temperature_c="36.6", moaas="5"))
        _log_event(
            qtbot,
            panel,
            "concomitant_meds",
            {
                "benzodiazepines": "no",
                "sedative_hypnotics": "no",
                "psychostimulants": "no",
                "maois": "no",
                "opioids": "no",
            },
        )
        clock.advance(minutes=6)
        dose_at = clock.now()
        _log_event(qtbot, panel, "dose", {"dose": "56", "lot_number": "EK2291"})
        assert panel.countdown.state is DueState.WAITING

        # checks during the two hours; the 40-minute BP rises over baseline
        plan = (
            (15, _vitals(142, 88, 80, 97, 15, moaas="4", dissociation="yes")),
            (30, _vitals(156, 92, 84, 96, 16, moaas="4", dissociation="yes", nausea="4")),
            (40, _vitals(171, 98, 88, 96, 14, moaas="3", dissociation="yes")),
            (60, _vitals(150, 92, 80, 97, 14, moaas="5", dissociation="no")),
            (90, _vitals(138, 86, 77, 98, 14, moaas="5", dissociation="no")),
        )
        elapsed = 0
        for minute, values in plan:
            clock.advance(minutes=minute - elapsed)
            elapsed = minute
            panel.countdown.tick()
            _enter_vitals(qtbot, panel, values)
            if minute == 30:
                _log_event(qtbot, panel, "adverse_event", {"type": "nausea", "text": "mild"})
            if minute == 40:
                [card] = panel.alerts.cards
                assert card.alert.rule == "sys_rise"
                clock.advance(minutes=1)
                elapsed += 1
                qtbot.keyClicks(panel.alerts.initials, "ab")
                qtbot.mouseClick(card.ack_button, Qt.MouseButton.LeftButton)
                assert panel.alerts.cards == []

        # the "before leaving" check at 120 min is taken late: amber, red, then saved late
        clock.advance(minutes=120 - elapsed + 4)
        panel.countdown.tick()
        assert panel.countdown.state is DueState.OVERDUE_AMBER
        clock.advance(minutes=3)
        panel.countdown.tick()
        assert panel.countdown.state is DueState.OVERDUE_RED
        assert panel.notice.isVisible()
        _enter_vitals(qtbot, panel, _vitals(132, 82, 74, 98, 14, moaas="5", dissociation="no"))
        assert panel.countdown.state is DueState.COMPLETE
        _log_event(qtbot, panel, "note", {"text": "Ready to leave with partner."})
        clock.advance(minutes=3)
        store.end_session(session.id, "AB")  # the End-session dialog is the summary's part
        assert panel.current_session is None

        # every record landed in the file
        store.close()
        reopened = SessionStore.open(data_dir, clock=clock)
        [ended] = reopened.sessions()
        assert ended.ended_at is not None
        assert (ended.ended_at - dose_at) >= timedelta(minutes=120)
        checks = reopened.checks(session.id)
        assert len(checks) == 7
        assert [c.is_baseline for c in checks] == [True] + [False] * 6
        assert [c.late for c in checks] == [False] * 6 + [True]
        assert checks[3].due_at == dose_at + timedelta(minutes=40)
        assert checks[6].due_at == dose_at + timedelta(minutes=120)
        assert {c.signs.recorded_by for c in checks} == {"AB"}
        assert [(c.signs.systolic, c.signs.diastolic) for c in checks][3] == (171, 98)
        kinds = [e.kind for e in reopened.events(session.id)]
        assert kinds == ["concomitant_meds", "dose", "adverse_event", "note"]
        dose = reopened.events(session.id)[1]
        assert dose.details["dose"] == 56.0 and dose.details["lot_number"] == "EK2291"
        assert dose.details["route"] == "Intranasal"
        [alert] = reopened.alerts(session.id)
        assert alert.check_id == checks[3].id and alert.acked_by == "AB"
        assert alert.acked_at == dose_at + timedelta(minutes=41)
        reopened.close()

        # nothing of it reached the patient's screen
        texts = " ".join(label.text() for label in windows.patient.findChildren(QLabel)).lower()
        for word in ("systolic", "alert", "mmhg", "rt-318", "overdue", "news2"):
            assert word not in texts
    finally:
        panel.stop()
