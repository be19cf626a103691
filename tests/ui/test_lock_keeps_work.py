"""Issue 15 points 1, 7 and 13 in the real app: typing in a dialog is activity, a lock
keeps a dialog's content, the lock screen says what waits (without clinical words), focus
comes back where the nurse was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from session_app.app import AppWindows, build_windows
from session_app.domain.alerts import Severity
from session_app.domain.clock import ManualClock
from session_app.domain.pin import hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.ui.windows import shut_down

PIN = "482913"
NORMAL = {"systolic": "128", "diastolic": "78", "heart_rate": "72", "recorded_by": "AB"}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
ALARMING = {"systolic": "215", "diastolic": "125", "heart_rate": "150", "spo2": "84"}


def open_app(qtbot, store: SessionStore, clock: ManualClock) -> AppWindows:
    built = build_windows(
        store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)), require_pin=True
    )
    qtbot.addWidget(built.patient)
    built.patient.show()
    built.staff.show()
    qtbot.waitExposed(built.staff)
    return built


@pytest.fixture
def windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    """A session in progress; the lock after 1 min without input; unlocked."""
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(hash_pin(PIN))
    store.save_settings({"staff.lock_after_min": 1})
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("QX-80", ESKETAMINE_REMS, "AB"))
    service.record_check(session.id, NORMAL)
    built = open_app(qtbot, store, clock)
    unlock(qtbot, built)
    yield built
    shut_down(built)


def unlock(qtbot, windows: AppWindows) -> None:
    screen = windows.staff.lock_screen
    qtbot.keyClicks(screen.pin, PIN)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert not windows.staff.is_locked


def test_typing_in_a_dialog_for_longer_than_the_lock_time_keeps_the_panel_unlocked(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    staff = windows.staff
    dialog = staff.open_end_session()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.note.setFocus()
    for _ in range(8):  # 80 s of typing, a key every 10 s, as the window system delivers it
        clock.advance(seconds=10)
        qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_A)
        staff.idle.poll()
    assert not staff.is_locked
    assert dialog.isVisible() and dialog.note.text() == "a" * 8


def test_a_lock_with_a_dialog_open_keeps_it_and_says_so_and_unlock_brings_it_back(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    staff = windows.staff
    dialog = staff.open_end_session()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.note.setFocus()
    qtbot.keyClicks(dialog.note, "walked out steadily")
    clock.advance(minutes=1)
    staff.idle.poll()
    assert staff.is_locked and not dialog.isVisible()
    assert "kept" in staff.lock_screen.note.text()  # the dialog is not lost
    qtbot.keyClicks(staff.lock_screen.pin, PIN)  # typing goes to the PIN, not the note
    qtbot.keyClick(staff.lock_screen.pin, Qt.Key.Key_Return)
    assert not staff.is_locked
    assert dialog.isVisible() and dialog.note.text() == "walked out steadily"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.note)  # once it is active
    assert staff.lock_screen.note.text() == ""


def test_after_unlock_the_focus_goes_back_to_the_field_the_nurse_was_in(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    staff = windows.staff
    field = staff.vitals_form.controls["heart_rate"]
    field.setFocus()
    clock.advance(minutes=1)
    staff.idle.poll()
    assert staff.is_locked
    unlock(qtbot, windows)
    assert QApplication.focusWidget() is field


def test_after_the_lock_button_the_focus_goes_to_the_vitals_form(
    qtbot, windows: AppWindows
) -> None:
    staff = windows.staff
    qtbot.mouseClick(staff.lock_button, Qt.MouseButton.LeftButton)
    assert staff.is_locked
    unlock(qtbot, windows)
    assert QApplication.focusWidget() is staff.vitals_form.first_field()


def lock_screen_text(staff: QWidget) -> str:
    screen = staff.lock_screen
    return " ".join(
        label.text() for label in screen.findChildren(QLabel) if label.isVisibleTo(screen)
    )


def test_the_lock_screen_shows_a_neutral_count_of_what_waits(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    staff = windows.staff
    staff.lock()
    assert not staff.lock_screen.attention.isVisibleTo(staff.lock_screen)  # nothing waits
    unlock(qtbot, windows)
    session_id = staff.current_session.id
    staff.service.log_event(session_id, "dose", DOSE, "AB")
    for _ in range(3):
        staff.service.record_check(session_id, {**ALARMING, "recorded_by": "AB"})
    clock.advance(minutes=55)  # and the 40-min check is overdue
    staff.countdown.tick()
    staff.lock()
    serious = [
        alert
        for alert in staff.service.open_alerts(session_id)
        if alert.severity in (Severity.HIGH, Severity.URGENT)
    ]
    assert len(serious) >= 4
    assert staff.service.schedule_status(session_id).state.value.startswith("overdue")
    attention = staff.lock_screen.attention
    assert attention.isVisibleTo(staff.lock_screen)
    assert attention.text() == str(len(serious) + 1)  # the alerts and the overdue check
    shown = lock_screen_text(staff).lower()
    for word in ("alert", "urgent", "high", "overdue", "150", "215", "84", "qx-80"):
        assert word not in shown
    assert attention.property("level") in ("attention", "urgent")  # a colour, by QSS
    acks = [alert.id for alert in serious]
    for alert_id in acks:
        staff.service.acknowledge(alert_id, "AB")  # e.g. from another station: it follows
    assert attention.text() == "1"


def test_a_new_lock_time_from_the_settings_applies_at_once(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    staff = windows.staff
    dialog = staff.open_settings()
    windows.store.save_settings({"staff.lock_after_min": 3})  # as the dialog's Save does
    dialog.accept()
    clock.advance(minutes=2)
    staff.idle.poll()
    assert not staff.is_locked  # it was 1 min when the panel was built
    clock.advance(minutes=1)
    staff.idle.poll()
    assert staff.is_locked
