"""The staff panel mid-session: hours of checks, an open alert, an overdue check.

Everything is seeded through the real MonitoringService with a ManualClock, the same
path the nurse's typing takes, so the screenshots show what the app really stores.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from session_app.app import build_windows, start_monitor_feeds
from session_app.devices.listen import ListenAddress
from session_app.devices.mllp import MllpListener
from session_app.devices.profiles import session_messages
from session_app.devices.sim_player import Target, play_hl7
from session_app.devices.simulator import NibpReading, Numerics, VitalsEvent
from session_app.domain.clock import ManualClock, SystemClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from shots import settle


def _vitals(sys_: int, dia: int, hr: int, spo2: int, rr: int, **more: str) -> dict[str, str]:
    raw = {
        "systolic": str(sys_),
        "diastolic": str(dia),
        "heart_rate": str(hr),
        "spo2": str(spo2),
        "resp_rate": str(rr),
        "on_oxygen": "no",
        "recorded_by": "AB",
    }
    raw.update(more)
    return raw


def _rems_session(tmp: Path) -> tuple[SessionStore, ManualClock]:
    """A REMS session 127 min after dosing: a BP-rise alert open, 'before leaving' overdue."""
    clock = ManualClock(SystemClock().now() - timedelta(minutes=150))
    clock.set(clock.now().replace(second=0, microsecond=0))
    store = SessionStore.open(tmp, clock=clock)
    service = MonitoringService(store, clock)
    for patient, protocol in (("JD-104", IV_KETAMINE), ("MK-221", ESKETAMINE_REMS)):
        old = service.start_session(NewSession(patient, protocol, "CD", 70.0))
        store.end_session(old.id, "CD", ended_at=clock.now() - timedelta(days=7))
    session = service.start_session(NewSession("RT-318", ESKETAMINE_REMS, "AB", 64.5))
    clock.advance(minutes=6)
    service.record_check(session.id, _vitals(128, 80, 74, 98, 14, temperature_c="36.6", moaas="5"))
    service.log_event(
        session.id,
        "concomitant_meds",
        {
            "benzodiazepines": "no",
            "sedative_hypnotics": "no",
            "psychostimulants": "no",
            "maois": "no",
            "opioids": "no",
        },
        "AB",
    )
    clock.advance(minutes=12)
    service.log_event(
        session.id,
        "dose",
        {
            "drug": "Esketamine",
            "dose": "56",
            "unit": "mg",
            "route": "Intranasal",
            "lot_number": "EK2291",
        },
        "AB",
    )
    readings = (
        (15, (142, 88, 80, 97, 15), {"moaas": "4", "dissociation": "yes", "anxiety": "3"}),
        (30, (158, 94, 84, 96, 16), {"moaas": "4", "dissociation": "yes", "nausea": "4"}),
        (41, (172, 104, 88, 96, 14), {"moaas": "3", "dissociation": "yes", "nausea": "3"}),
        (55, (166, 106, 85, 97, 14), {"moaas": "4", "dissociation": "yes"}),
        (70, (152, 94, 80, 97, 13), {"moaas": "5", "dissociation": "no", "pain": "1"}),
        (90, (141, 88, 77, 98, 14), {"moaas": "5", "dissociation": "no"}),
        (105, (136, 84, 76, 98, 14), {"moaas": "5", "dissociation": "no", "anxiety": "1"}),
    )
    minute = 0
    for at, (sys_, dia, hr, spo2, rr), more in readings:
        clock.advance(minutes=at - minute)
        minute = at
        saved = service.record_check(session.id, _vitals(sys_, dia, hr, spo2, rr, **more))
        if at == 30:
            service.log_event(
                session.id,
                "adverse_event",
                {"type": "nausea", "text": "mild, settled with rest", "serious": "no"},
                "AB",
            )
        if at == 55:
            for alert in service.open_alerts(session.id):
                if alert.check_id != saved.check.id:
                    service.acknowledge(alert.id, "AB")
    clock.advance(minutes=127 - minute)
    return store, clock


def staff_mid_session(tmp: Path):
    store, clock = _rems_session(tmp)
    windows = build_windows(store, clock)
    windows.staff.resize(1280, 800)
    return [("staff-mid-session.png", windows.staff)]


def staff_mid_session_laptop(tmp: Path):
    """The same session on a 1366×768 laptop screen: the overdue strip over the charts,
    the alert and the whole vitals form with Save in the record column."""
    store, clock = _rems_session(tmp)
    windows = build_windows(store, clock)
    windows.staff.resize(1366, 768)
    return [("staff-panel-1366x768.png", windows.staff)]


def staff_mid_session_wide(tmp: Path):
    store, clock = _rems_session(tmp)
    windows = build_windows(store, clock)
    windows.staff.resize(1920, 1050)
    return [("staff-mid-session-1920.png", windows.staff)]


def staff_refused_value(tmp: Path):
    """A typing mistake refused in place: the field named, the range given, text kept."""
    store, clock = _rems_session(tmp)
    windows = build_windows(store, clock)
    windows.staff.resize(1280, 800)
    form = windows.staff.vitals_form
    for name, text in (
        ("systolic", "134"),
        ("diastolic", "86"),
        ("heart_rate", "7O"),
        ("spo2", "98"),
        ("recorded_by", "AB"),
    ):
        form.controls[name].setText(text)
    form.submit()
    return [("staff-refused-value.png", windows.staff)]


def staff_settings(tmp: Path):
    store, clock = _rems_session(tmp)
    windows = build_windows(store, clock)
    dialog = windows.staff.open_settings()
    dialog.resize(820, 640)
    return [("staff-settings.png", dialog)]


def staff_correction(tmp: Path):
    """A check corrected (row marked, changed cells in italics), its history, the dialog."""
    store, clock = _rems_session(tmp)
    service = MonitoringService(store, clock)
    session = store.open_session()
    assert session is not None
    typo = next(c for c in store.checks(session.id) if c.signs.heart_rate == 77)
    clock.advance(minutes=-20)
    service.correct_check(
        typo.id,
        {**_vitals(141, 88, 71, 98, 14), "moaas": "5", "dissociation": "no", "recorded_by": "CD"},
        reason="HR read from the wrong line of the monitor",
        recorded_by="CD",
    )
    clock.advance(minutes=20)
    windows = build_windows(store, clock)
    staff = windows.staff
    staff.resize(1280, 800)
    flowsheet = staff.flowsheet
    staff.record_tabs.setCurrentWidget(flowsheet)
    row = next(
        r for r in range(flowsheet.rowCount()) if "corrected" in flowsheet.row_texts(r)["time"]
    )
    flowsheet.table.selectRow(row)
    flowsheet.table.setFocus()
    shots = [("staff-corrected-row.png", staff)]
    history = flowsheet.open_history()
    shots.append(("staff-correction-history.png", history))
    dialog = flowsheet.open_correction()
    dialog.controls["spo2"].setText("9")
    dialog.recorded_by.setText("AB")
    dialog.submit()
    shots.append(("staff-correction-dialog.png", dialog))
    return shots


def staff_monitor_proposed(tmp: Path):
    """The monitor's last 12 min sent over a real MLLP socket to the app's own listener:
    three NIBP sets proposed, the feed line in the header, the trace under the charts, on
    a 1366×768 laptop screen."""
    store, clock = _rems_session(tmp)
    windows = build_windows(store, clock)
    [feed] = start_monitor_feeds(windows, ListenAddress("127.0.0.1", 0)).feeds
    assert isinstance(feed.source, MllpListener)
    port = feed.source.port  # the one the OS chose: no port probed first, none to lose
    start = clock.now() - timedelta(minutes=12)
    pressures = {120: (134, 84), 420: (131, 82), 720: (128, 80)}  # s from `start`
    events: list[VitalsEvent] = []
    for at_s in range(0, 721):
        events.append(Numerics(at_s, 76, 76, 97 if at_s % 97 else 96, 14, 3.0))
        if at_s in pressures:
            systolic, diastolic = pressures[at_s]
            events.append(NibpReading(at_s, systolic, diastolic, 98, 76))
    outgoing = session_messages("ge", events, patient_id="RT-318", start=start, speed=1.0)
    # Stamped with the room's clock at 1×, sent at once (the listener answers each in turn).
    asyncio.run(play_hl7(Target("127.0.0.1", port), outgoing, speed=1e9, once=True))
    staff = windows.staff
    staff.resize(1366, 768)
    settle(QApplication.instance())  # the feed's announcements reach the views
    staff.proposed_checks.flush()  # what their timers would do within 5 s
    staff.charts.flush_trace()
    return [("staff-monitor-proposed-1366x768.png", windows.staff)]


SCENES = [
    staff_mid_session,
    staff_mid_session_laptop,
    staff_mid_session_wide,
    staff_monitor_proposed,
    staff_refused_value,
    staff_settings,
    staff_correction,
]
