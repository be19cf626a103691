from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from session_app.domain.clock import ManualClock
from session_app.domain.pin import (
    REHASHED_AT_UNLOCK,
    SCHEME,
    PinHash,
    hash_pin,
    verify_pin,
)
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.lock import IdleWatcher, LockScreen, PinSetupPage
from tests.faults import locked_by_other_process

STORED = hash_pin("2468")


def type_pin(qtbot, screen: LockScreen, pin: str) -> None:
    qtbot.keyClicks(screen.pin, pin)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)


def test_wrong_pins_wait_longer_and_the_right_pin_unlocks(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    store.set_pin(STORED)
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))

    type_pin(qtbot, screen, "1111")
    assert "Wrong PIN" in screen.message.text() and "1 s" in screen.message.text()
    assert screen.pin.text() == ""  # a wrong PIN is never left on screen
    clock.advance(seconds=1)
    type_pin(qtbot, screen, "2222")
    assert "2 s" in screen.message.text()

    type_pin(qtbot, screen, "2468")  # right PIN, but still inside the wait
    assert unlocked == [] and "wait 2 s" in screen.message.text()

    clock.advance(seconds=2)
    screen.pin.clear()
    qtbot.keyClicks(screen.pin, "2468")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert unlocked == [True] and store.pin_attempts().failures == 0


def test_the_wait_outlasts_a_restart_and_the_right_pin_then_resets_it(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(STORED)
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    type_pin(qtbot, screen, "1111")
    clock.advance(seconds=1)
    type_pin(qtbot, screen, "2222")  # the second wrong PIN in a row: 2 s
    assert "Wait 2 s" in screen.message.text()
    store.close()
    clock.advance(seconds=1)

    store = SessionStore.open(data_dir, clock=clock)  # the app restarted
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))
    type_pin(qtbot, screen, "2468")
    assert unlocked == [] and "wait 1 s" in screen.message.text()
    clock.advance(seconds=1)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)  # the PIN typed in the wait was kept
    assert unlocked == [True]
    assert store.pin_attempts().failures == 0  # the next wrong PIN waits 1 s again
    store.close()


def test_a_long_wait_says_it_in_minutes(qtbot, store: SessionStore, clock: ManualClock) -> None:
    store.set_pin(STORED)
    for _ in range(12):
        store.record_pin_attempt(succeeded=False)
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    type_pin(qtbot, screen, "2468")
    assert screen.message.text() == (
        "12 wrong PINs in a row: wait 5 min. Your PIN is kept; press Enter then."
    )
    clock.advance(seconds=44)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert "wait 4 min 16 s" in screen.message.text()


def test_a_wrong_pin_that_cannot_be_saved_still_makes_the_next_try_wait(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    store = SessionStore.open(data_dir, clock=clock, busy_timeout_ms=100)
    store.set_pin(STORED)
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    with locked_by_other_process(store.path):
        type_pin(qtbot, screen, "1111")
        assert "Wait 1 s" in screen.message.text()
        type_pin(qtbot, screen, "2468")
        assert "wait 1 s" in screen.message.text()
    store.close()


def old_scheme_hash(pin: str) -> PinHash:
    """As the first release hashed a PIN (scrypt n=16384, r=8, p=1)."""
    salt = b"0123456789abcdef"
    return PinHash(
        "scrypt-n16384-r8-p1", salt, hashlib.scrypt(pin.encode(), salt=salt, n=16384, r=8, p=1)
    )


def test_a_pin_hashed_the_old_way_unlocks_and_is_hashed_again_the_new_way(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    store.set_pin(old_scheme_hash("2468"))
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))
    type_pin(qtbot, screen, "2468")
    assert unlocked == [True]
    current = store.current_pin()
    assert current is not None and current.scheme == SCHEME and verify_pin("2468", current)
    assert store.pin_changes()[-1][1] == REHASHED_AT_UNLOCK


def test_no_pin_set_never_unlocks(qtbot, store: SessionStore, clock: ManualClock) -> None:
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    screen.pin.setText("")
    assert not screen.try_unlock()


def test_pin_setup_needs_a_valid_pin_typed_twice(qtbot) -> None:
    saved: list[PinHash] = []
    dialog = PinSetupPage(saved.append)
    qtbot.addWidget(dialog)
    dialog.pin.setText("12")
    dialog.repeat.setText("12")
    assert not dialog.submit() and "4–12 digits" in dialog.message.text()
    dialog.pin.setText("135790")
    dialog.repeat.setText("135791")
    assert not dialog.submit() and "differ" in dialog.message.text()
    assert saved == []
    dialog.repeat.setText("135790")
    assert dialog.submit()
    assert len(saved) == 1 and verify_pin("135790", saved[0])


def test_idle_watcher_fires_after_the_idle_time_without_input(qtbot, clock: ManualClock) -> None:
    window = QWidget()
    edit = QLineEdit(window)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    edit.setFocus()
    fired: list[bool] = []
    watcher = IdleWatcher(window, clock, timedelta(minutes=5), lambda: fired.append(True))
    clock.advance(minutes=4)
    # typed as the window system delivers it: to the window, which hands it to the field
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_A)
    assert edit.text() == "a"  # input resets the idle time
    clock.advance(minutes=4)
    watcher.poll()
    assert fired == []
    clock.advance(minutes=1)
    watcher.poll()
    assert fired == [True]


def test_input_in_another_window_does_not_keep_this_one_awake(qtbot, clock: ManualClock) -> None:
    watched, other = QWidget(), QWidget()
    for window, left in ((watched, 0), (other, 400)):  # side by side, not overlapping
        qtbot.addWidget(window)
        window.setGeometry(left, 0, 300, 200)
        window.show()
        qtbot.waitExposed(window)
    fired: list[bool] = []
    watcher = IdleWatcher(watched, clock, timedelta(minutes=5), lambda: fired.append(True))
    clock.advance(minutes=4)
    qtbot.keyClick(other.windowHandle(), Qt.Key.Key_A)
    qtbot.mouseMove(other)
    clock.advance(minutes=1)
    watcher.poll()
    assert fired == [True]
    clock.advance(minutes=4)
    qtbot.mouseMove(watched)  # the mouse on the watched window counts
    clock.advance(minutes=4)
    watcher.poll()
    assert fired == [True]


def test_enter_on_a_focused_set_pin_button_sets_the_pin(qtbot) -> None:
    saved: list[PinHash] = []
    page = PinSetupPage(saved.append)
    qtbot.addWidget(page)
    page.show()
    page.pin.setText("135790")
    page.repeat.setText("135790")
    page.set_button.setFocus()
    qtbot.keyClick(page.set_button, Qt.Key.Key_Return)
    assert len(saved) == 1
    qtbot.keyClick(page.set_button, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert "4–12 digits" in page.message.text()  # tried again: the fields were cleared


def test_enter_on_a_focused_unlock_button_tries_the_pin(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    store.set_pin(STORED)
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))
    screen.pin.setText("2468")
    qtbot.keyClick(screen.unlock_button, Qt.Key.Key_Return)
    assert unlocked == [True]


def test_one_wrong_pin_says_how_many_and_what_to_do_and_keeps_a_pin_typed_in_the_wait(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    store.set_pin(STORED)
    screen = LockScreen(MonitoringService(store, clock), clock)
    qtbot.addWidget(screen)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))
    type_pin(qtbot, screen, "1111")
    assert screen.message.text() == "Wrong PIN (1 in a row). Wait 1 s, then try again."
    type_pin(qtbot, screen, "2468")  # typed during the wait
    assert "Too many" not in screen.message.text()
    assert screen.message.text() == (
        "1 wrong PIN in a row: wait 1 s. Your PIN is kept; press Enter then."
    )
    assert screen.pin.text() == "2468"  # not silently thrown away
    assert unlocked == [] and store.pin_attempts().failures == 1  # and not counted
    clock.advance(seconds=1)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert unlocked == [True]
