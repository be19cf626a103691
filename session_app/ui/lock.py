"""The staff lock: PIN screen, first-start PIN setup, and the idle timer.

The staff panel shows clinical data; the patient sits in the same room. While locked the
panel's content is not just covered but removed from view (a stacked widget shows only
the lock page), so nothing clinical can be read or reached.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import Clock
from session_app.domain.pin import (
    PinAttempts,
    PinHash,
    hash_pin,
    needs_rehash,
    validate_pin,
    verify_pin,
)
from session_app.seams import PinService
from session_app.store.db import StoreWriteError
from session_app.ui.window_input import WindowInput

DEFAULT_IDLE_LOCK = timedelta(minutes=5)
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The sign that something waits for staff: a count and a colour, no clinical words or
# values (the patient may read the locked screen). Colours by level, muted on purpose.
ATTENTION_STYLE = """
QLabel#LockAttention { border-radius: 12px; padding: 0 8px; font-weight: 600;
                       min-width: 8px; min-height: 24px; color: #1d2430; }
QLabel#LockAttention[level="attention"] { background: #e8c46a; }
QLabel#LockAttention[level="urgent"] { background: #d98a5f; }
"""


class EnterButton(QPushButton):
    """Enter (or the keypad's Enter) on the focused button presses it. Qt does that only
    for a dialog's default buttons; the lock pages are pages of the panel, not dialogs."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS and not event.isAutoRepeat():
            self.click()
            return
        super().keyPressEvent(event)


def _pin_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setObjectName(name.replace(" ", ""))
    edit.setMaxLength(12)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return edit


class LockScreen(QWidget):
    """Asks for the staff PIN; each wrong PIN makes the next try wait longer.

    The wrong PINs are kept in the store through the service (`pins`, the panel's
    MonitoringService: the one write path), so restarting the app does not clear the
    wait. Checking a PIN takes about 250 ms (scrypt, on purpose), on this thread.
    """

    unlocked = Signal()

    def __init__(self, pins: PinService, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LockScreen")
        self.setAccessibleName("Staff panel locked")
        self._pins = pins
        self._clock = clock
        # Wrong PINs the store could not save (its file locked or full): still waited for.
        self._unsaved = PinAttempts()
        title = QLabel("Staff panel locked")
        title.setObjectName("LockTitle")
        hint = QLabel("Enter the staff PIN to continue.")
        hint.setObjectName("LockHint")
        self.pin = _pin_edit("Staff PIN")
        self.unlock_button = EnterButton("Unlock")
        self.unlock_button.setObjectName("PrimaryButton")
        self.unlock_button.setAccessibleName("Unlock")
        self.message = QLabel("")
        self.message.setObjectName("FormError")
        self.message.setAccessibleName("Lock message")
        self.note = QLabel("")  # not an error: in the hint's quiet style
        self.note.setObjectName("LockHint")
        self.note.setAccessibleName("Lock note")
        self.attention = QLabel("")
        self.attention.setObjectName("LockAttention")
        self.attention.setAccessibleName("Waiting for staff")
        self.attention.setStyleSheet(ATTENTION_STYLE)
        self.attention.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.attention.hide()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.attention, 0, Qt.AlignmentFlag.AlignHCenter)
        for widget in (title, hint, self.pin, self.unlock_button, self.message, self.note):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.pin.setFixedWidth(260)
        self.unlock_button.setFixedWidth(260)
        self.pin.returnPressed.connect(self.try_unlock)
        self.unlock_button.clicked.connect(self.try_unlock)

    def _attempts(self, now: datetime) -> PinAttempts:
        stored = self._pins.pin_attempts()
        unsaved = self._unsaved
        return unsaved if unsaved.wait_remaining(now) > stored.wait_remaining(now) else stored

    def show_note(self, text: str) -> None:
        """A quiet line under the PIN field, e.g. that a close request waits."""
        self.note.setText(text)

    def show_attention(self, count: int, urgent: bool = False) -> None:
        """How many things wait for staff, as a number in a coloured disc; hidden at 0."""
        self.attention.setText(str(count))
        self.attention.setProperty("level", "urgent" if urgent else "attention")
        self.attention.style().unpolish(self.attention)
        self.attention.style().polish(self.attention)
        self.attention.setVisible(count > 0)

    def try_unlock(self) -> bool:
        now = self._clock.now()
        attempts = self._attempts(now)
        wait = attempts.wait_remaining(now)
        if wait > timedelta(0):  # the typed PIN stays (masked) for Enter after the wait
            failures = attempts.failures
            self.message.setText(
                f"{failures} wrong PIN{'s' if failures != 1 else ''} in a row: wait "
                f"{_wait_text(wait)}. Your PIN is kept; press Enter then."
            )
            return False
        typed = self.pin.text()
        self.pin.clear()
        stored = self._pins.current_pin()
        if stored is not None and verify_pin(typed, stored):
            self._unsaved = PinAttempts()
            self._save_attempt(succeeded=True)
            if needs_rehash(stored):
                self._rehash(typed)
            self.message.setText("")
            self.unlocked.emit()
            return True
        after = attempts.after_failure(now)
        if not self._save_attempt(succeeded=False):
            self._unsaved = after
        wait = after.wait_remaining(now)
        self.message.setText(
            f"Wrong PIN ({after.failures} in a row). Wait {_wait_text(wait)}, then try again."
        )
        return False

    def _save_attempt(self, *, succeeded: bool) -> bool:
        """False if the store could not save it (the panel's banner says why)."""
        try:
            self._pins.record_pin_attempt(succeeded=succeeded)
        except StoreWriteError:
            return False
        return True

    def _rehash(self, pin: str) -> None:
        """A PIN hashed with older, weaker parameters gets the current ones, once."""
        with suppress(StoreWriteError):  # the old hash still unlocks; the next unlock retries
            self._pins.rehash_pin(pin)


def _wait_text(delta: timedelta) -> str:
    """Whole seconds, rounded up: "8 s", "4 min 16 s", "5 min"."""
    seconds = max(1, int(delta.total_seconds() + 0.999))
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


class PinSetupPage(QWidget):
    """First start: staff choose a PIN (typed twice). The store keeps only its hash.

    A page of the staff panel, not a dialog: until a PIN exists the panel shows only this.
    `save` is the service's `set_pin` (the one write path).
    """

    pin_set = Signal()

    def __init__(self, save: Callable[[PinHash], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PinSetupPage")
        self.setAccessibleName("Set the staff PIN")
        self._save = save
        title = QLabel("Set the staff PIN")
        title.setObjectName("LockTitle")
        self.intro = intro = QLabel(
            "Choose a staff PIN of 4–12 digits. It locks this panel so that the patient "
            "cannot open it. Clinic IT can also set it with “session-app set-pin”."
        )
        intro.setObjectName("LockHint")
        intro.setWordWrap(True)
        intro.setFixedWidth(420)
        self.pin = _pin_edit("New staff PIN")
        self.repeat = _pin_edit("Repeat staff PIN")
        self.message = QLabel("")
        self.message.setObjectName("FormError")
        self.message.setAccessibleName("PIN message")
        self.set_button = EnterButton("Set PIN")
        self.set_button.setObjectName("PrimaryButton")
        self.set_button.setAccessibleName("Set PIN")
        form = QFormLayout()
        form.addRow("New PIN", self.pin)
        form.addRow("Repeat PIN", self.repeat)
        box = QWidget()
        box.setLayout(form)
        box.setFixedWidth(420)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, intro, box, self.set_button, self.message):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.set_button.setFixedWidth(420)
        self.set_button.clicked.connect(self.submit)
        self.repeat.returnPressed.connect(self.submit)
        self.pin.returnPressed.connect(self.repeat.setFocus)

    def showEvent(self, event: QShowEvent) -> None:
        """A centred label gets the height of one line unless told otherwise; its wrapped
        height is known once the style sheet's font applies, which is now."""
        self.intro.setMinimumHeight(self.intro.heightForWidth(self.intro.width()))
        super().showEvent(event)

    def submit(self) -> bool:
        try:
            pin = validate_pin(self.pin.text())
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        if self.repeat.text() != pin:
            self.message.setText("The two PINs differ. Type the same PIN twice.")
            return False
        # The one write path: a store failure is "Not saved: …", the PIN typed stays.
        from session_app.ui.staff.write import write_succeeded  # (kept inside this class)

        if not write_succeeded(lambda: self._save(hash_pin(pin)), self.message, {}):
            return False
        self.pin.clear()
        self.repeat.clear()
        self.message.setText("")
        self.pin_set.emit()
        return True


class IdleWatcher(QObject):
    """Calls `on_idle` after `idle` without keyboard or mouse input in the watched window
    or in any window it opened (a dialog typed into for minutes is activity: issue 15).

    It hears each window's input (`WindowInput`); a dialog is heard from when it first
    gets the focus (it does when it opens). A QTimer polls the injected clock, so tests move a
    ManualClock instead of waiting.
    """

    def __init__(
        self, watched: QWidget, clock: Clock, idle: timedelta, on_idle: Callable[[], None]
    ) -> None:
        super().__init__(watched)
        self._watched = watched
        self._clock = clock
        self.idle = idle
        self._on_idle = on_idle
        self._tag = f"IdleInput{id(self)}"
        self.last_input = clock.now()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.input = WindowInput(watched, self._input_seen)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def _input_seen(self) -> None:
        self.last_input = self._clock.now()

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None:
            self._hear(new.window())

    def _hear(self, window: QWidget) -> None:
        """Listen to a window the watched one opened (once per window)."""
        if window is self._watched or not _descends_from(window, self._watched):
            return
        if window.findChild(WindowInput, self._tag, Qt.FindChildOption.FindDirectChildrenOnly):
            return
        WindowInput(window, self._input_seen).setObjectName(self._tag)

    def poll(self) -> None:
        if self._clock.now() - self.last_input >= self.idle:
            self.last_input = self._clock.now()
            self._on_idle()


def _descends_from(widget: QWidget, ancestor: QWidget) -> bool:
    """Across windows too (QWidget.isAncestorOf stops at a window's edge)."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parentWidget()
    return False
