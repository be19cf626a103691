"""The two windows as a new user first sees them, with a few sessions in the store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from session_app.app import build_windows
from session_app.domain.clock import ManualClock, SystemClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore


def first_start(tmp: Path):
    clock = ManualClock(SystemClock().now() - timedelta(days=3))
    store = SessionStore.open(tmp, clock=clock)
    for patient, protocol in (("JD-104", IV_KETAMINE), ("MK-221", ESKETAMINE_REMS)):
        session = store.start_session(NewSession(patient, protocol, "AB", 72.0))
        clock.advance(minutes=130)
        store.end_session(session.id, "AB")
        clock.advance(minutes=60 * 24)
    windows = build_windows(store)
    windows.patient.allow_close = True
    windows.patient.show()
    windows.staff.show()
    return [("patient-welcome.png", windows.patient), ("staff-start.png", windows.staff)]


def staff_locked(tmp: Path):
    """With a PIN set, the panel starts (and idles into) the lock page: nothing clinical."""
    from session_app.domain.pin import hash_pin
    from session_app.monitoring import MonitoringService

    clock = ManualClock(SystemClock().now())
    store = SessionStore.open(tmp, clock=clock)
    store.set_pin(hash_pin("2580"))
    MonitoringService(store, clock).start_session(NewSession("JD-104", IV_KETAMINE, "AB", 72.0))
    windows = build_windows(store, require_pin=True)
    windows.patient.allow_close = True
    windows.staff.confirm_closing()
    windows.staff.lock_screen.pin.setText("1111")
    windows.staff.lock_screen.try_unlock()
    return [("staff-locked.png", windows.staff)]


def staff_pin_setup(tmp: Path):
    """The very first start: until a PIN is set, the panel shows only this page."""
    windows = build_windows(SessionStore.open(tmp), require_pin=True)
    windows.patient.allow_close = True
    windows.staff.confirm_closing()
    return [("staff-pin-setup.png", windows.staff)]


SCENES = [first_start, staff_pin_setup, staff_locked]
