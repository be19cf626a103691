from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from session_app.domain.clock import ManualClock
from session_app.domain.pin import PinHash, hash_pin, verify_pin
from session_app.ui.lock import IdleWatcher, LockScreen, PinSetupPage

STORED = hash_pin("2468")


def test_wrong_pins_wait_longer_and_the_right_pin_unlocks(qtbot, clock: ManualClock) -> None:
    screen = LockScreen(lambda: STORED, clock)
    qtbot.addWidget(screen)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))

    qtbot.keyClicks(screen.pin, "1111")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert "Wrong PIN" in screen.message.text() and "1 s" in screen.message.text()
    assert screen.pin.text() == ""  # never left on screen
    clock.advance(seconds=1)
    qtbot.keyClicks(screen.pin, "2222")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert "2 s" in screen.message.text()

    qtbot.keyClicks(screen.pin, "2468")  # right PIN, but still inside the wait
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert unlocked == [] and "Try again in 2 s" in screen.message.text()

    clock.advance(seconds=2)
    qtbot.keyClicks(screen.pin, "2468")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert unlocked == [True] and screen.attempts.failures == 0


def test_no_pin_set_never_unlocks(qtbot, clock: ManualClock) -> None:
    screen = LockScreen(lambda: None, clock)
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
