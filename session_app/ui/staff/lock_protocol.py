"""The staff panel's lock and close protocol as one small state machine.

The panel used to keep it in three flags spread over a 550-line window (issue 14): locked
or not, a close request waiting for the PIN, closing confirmed. Here the states and the
moves between them are in one place and tested without a window; the panel only does
what the signals say (take the clinical views out of reach, put them back, ask).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

import shiboken6
from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QMessageBox,
    QStackedWidget,
    QToolTip,
    QWidget,
)

from session_app.domain.alerts import Severity
from session_app.domain.schedule import DueState
from session_app.monitoring import MonitoringService

# Set on a dialog that a lock should close rather than keep (a question, not work).
DISCARD_ON_LOCK = "discard_on_lock"


class LockState(Enum):
    UNLOCKED = "unlocked"
    LOCKED = "locked"
    CLOSE_WAITING = "close_waiting"  # locked; a request to close the app waits for the PIN
    CONFIRMING_CLOSE = "confirming_close"  # unlocked; "Close session_app?" is on screen
    CLOSING = "closing"  # staff said yes (or the app is closing for real): closes go through


LOCKED_STATES = frozenset({LockState.LOCKED, LockState.CLOSE_WAITING})


class LockProtocol(QObject):
    """Moves: `lock` (the Lock button, the idle time, opening the panel on one screen),
    `pin_accepted`, `close_requested` (the patient window or the panel's own close),
    `close_answered`, `confirm_closing`. Without `require_pin` it never locks.
    """

    lock_now = Signal()  # take every clinical view out of reach, show the PIN page
    unlock_now = Signal()  # put them back as they were
    close_waiting = Signal()  # locked: say on the lock screen that a close waits for the PIN
    ask_to_close = Signal()  # unlocked: ask staff whether to close the app
    close_confirmed = Signal()  # staff agreed: close the app

    def __init__(self, *, require_pin: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.require_pin = require_pin
        self.state = LockState.UNLOCKED

    @property
    def is_locked(self) -> bool:
        return self.state in LOCKED_STATES

    @property
    def close_pending(self) -> bool:
        """A request to close the app waits for the PIN."""
        return self.state is LockState.CLOSE_WAITING

    @property
    def allows_close(self) -> bool:
        """Whether a close of the panel window may go through now."""
        return not self.require_pin or self.state is LockState.CLOSING

    def lock(self) -> None:
        """Lock, unless locked already (nothing to redo) or closing. An open close
        question is withdrawn: the request then waits for the PIN like any other."""
        if not self.require_pin or self.is_locked or self.state is LockState.CLOSING:
            return
        was_asking = self.state is LockState.CONFIRMING_CLOSE
        self.state = LockState.CLOSE_WAITING if was_asking else LockState.LOCKED
        self.lock_now.emit()
        if was_asking:
            self.close_waiting.emit()

    def pin_accepted(self) -> None:
        """The right PIN (or a new one set): unlock, then answer a waiting close request."""
        if not self.is_locked:
            return
        waiting = self.state is LockState.CLOSE_WAITING
        self.state = LockState.UNLOCKED
        self.unlock_now.emit()
        if waiting:
            self.close_requested()

    def close_requested(self) -> None:
        """Someone asked to close the app: staff decide, after the PIN if locked."""
        if self.state is LockState.UNLOCKED:
            self.state = LockState.CONFIRMING_CLOSE
            self.ask_to_close.emit()
        elif self.is_locked:
            self.state = LockState.CLOSE_WAITING
            self.close_waiting.emit()
        # already asking, or closing: nothing more to do

    def close_answered(self, close: bool) -> None:
        """Staff answered the close question."""
        if self.state is not LockState.CONFIRMING_CLOSE:
            return
        if close:
            self.state = LockState.CLOSING
            self.close_confirmed.emit()
        else:
            self.state = LockState.UNLOCKED

    def confirm_closing(self) -> None:
        """The app is closing for real: let the next close of the panel go through."""
        self.state = LockState.CLOSING


@dataclass(frozen=True)
class Waiting:
    """What waits for staff while the panel is locked: how many things, and whether one
    is urgent. Shown as a number and a colour only (the patient may read the screen)."""

    count: int = 0
    urgent: bool = False


def waiting_for_staff(service: MonitoringService, session_id: int | None) -> Waiting:
    """Open HIGH and URGENT alerts, plus one for an overdue check."""
    if session_id is None:
        return Waiting()
    serious = [a for a in service.open_alerts(session_id) if a.severity >= Severity.HIGH]
    state = service.schedule_status(session_id).state
    overdue = state in (DueState.OVERDUE_AMBER, DueState.OVERDUE_RED)
    urgent = state is DueState.OVERDUE_RED or any(
        alert.severity is Severity.URGENT for alert in serious
    )
    return Waiting(len(serious) + int(overdue), urgent)


@dataclass
class _Kept:
    dialog: QDialog
    parent: QWidget | None
    flags: Qt.WindowType
    geometry: QRect
    focus: QWidget | None


class KeptDialogs:
    """The dialogs open at lock time, kept with what was typed in them (issue 15 point 1)
    but out of reach: each becomes a plain child of a widget that is never shown, so it
    has no window of its own and nothing on the accessibility bus lists it (a hidden
    window would still be listed: issue 13). `bring_back` puts them back as they were."""

    def __init__(self) -> None:
        self._holder = QWidget()  # never shown
        self._kept: list[_Kept] = []

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, owner: QWidget) -> None:
        """Keep `owner`'s open dialogs; delete the others (closed but not yet deleted,
        or marked DISCARD_ON_LOCK): each is built afresh when next opened."""
        for dialog in owner.findChildren(QDialog):
            if dialog.isVisible() and not dialog.property(DISCARD_ON_LOCK):
                self._kept.append(
                    _Kept(
                        dialog,
                        dialog.parentWidget(),
                        dialog.windowFlags(),
                        dialog.geometry(),
                        dialog.focusWidget(),
                    )
                )
        for kept in self._kept:
            kept.dialog.hide()
            kept.dialog.setParent(self._holder, Qt.WindowType.Widget)
        for dialog in owner.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
            dialog.deleteLater()

    def bring_back(self) -> QWidget | None:
        """Show the kept dialogs again where they were; the widget to give the focus to
        (in the last one), if any."""
        kept = [k for k in self._kept if shiboken6.isValid(k.dialog)]
        self._kept = []
        for item in reversed(kept):  # an inner dialog back into its outer one first
            parent = item.parent if item.parent is None or shiboken6.isValid(item.parent) else None
            item.dialog.setParent(parent, item.flags)
        focus = None
        for item in kept:
            item.dialog.setGeometry(item.geometry)
            item.dialog.show()
            item.dialog.raise_()
            item.dialog.activateWindow()
            focus = item.focus if item.focus is not None and shiboken6.isValid(item.focus) else None
        return focus


def close_question(parent: QWidget, answered: Callable[[bool], None]) -> QMessageBox:
    """ "Close session_app?", non-modal (monitoring goes on while it is open); `answered`
    hears yes (True) or no. A lock withdraws it (the request then waits for the PIN)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Close session_app?",
        "Close session_app? The patient's music or video will stop. "
        "Everything recorded is already saved.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("ConfirmClosePatientWindow")
    box.setAccessibleName("Confirm closing session_app")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setProperty(DISCARD_ON_LOCK, True)

    def clicked(button: object) -> None:
        yes = box.standardButton(button) == QMessageBox.StandardButton.Yes
        box.deleteLater()
        answered(yes)

    box.buttonClicked.connect(clicked)
    return box


class LockPages:
    """The panel's central stack: its clinical content, or a lock page with the content
    out of the window. Locked, the clinical views are not in the window at all: a hidden
    page of a stacked widget is still read out by screen readers and UI automation
    (issue 13); so, too, the lock screen paints at start-up without waiting for the style
    sheet to reach every clinical widget (issue 7)."""

    def __init__(self, content: QWidget, lock_pages: Sequence[QWidget], locked: bool) -> None:
        self.content = content
        self.pages = QStackedWidget()
        self.pages.setObjectName("StaffPages")
        if not locked:
            self.pages.addWidget(content)  # the first page, so the current one
        for page in lock_pages:
            self.pages.addWidget(page)
        self._kept = KeptDialogs()
        self._return_focus: QWidget | None = None

    @property
    def kept_dialogs(self) -> int:
        return len(self._kept)

    def lock(self, owner: QWidget, page: QWidget) -> None:
        """Show `page`; take the content and `owner`'s dialogs out of reach (kept)."""
        QToolTip.hideText()  # a tooltip is a window of its own, and may quote a note
        self._return_focus = self._focus_in_content()
        # Dialogs open only while unlocked, the content attached: one search finds all.
        self._kept.keep(owner)
        self.pages.setCurrentWidget(page)
        if self.pages.indexOf(self.content) >= 0:
            # Kept as it is (what was typed, the tab, the selection). A widget without a
            # parent that is not shown has no window, so nothing on the bus reaches it.
            self.pages.removeWidget(self.content)
            self.content.setParent(None)

    def unlock(self, first_field: Callable[[], QWidget]) -> None:
        """The content back, the dialogs back, the focus where the nurse was (in the
        last dialog, else the field they were in, else `first_field()`)."""
        if self.pages.indexOf(self.content) < 0:
            self.pages.insertWidget(0, self.content)
        self.pages.setCurrentWidget(self.content)
        focus = self._return_focus
        if focus is None or not shiboken6.isValid(focus) or not focus.isVisibleTo(self.pages):
            focus = first_field()
        focus.setFocus()
        in_dialog = self._kept.bring_back()
        if in_dialog is not None:
            in_dialog.setFocus()

    def _focus_in_content(self) -> QWidget | None:
        """The field the nurse was in (a button, e.g. Lock, is not where anyone works)."""
        widget = QApplication.focusWidget()
        if widget is None or isinstance(widget, QAbstractButton):
            return None
        return widget if self.content.isAncestorOf(widget) else None
