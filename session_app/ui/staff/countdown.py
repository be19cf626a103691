"""Countdown to the next due check, and the quiet overdue notice (visual only, no sound).

The state and the wording come from the schedule (`service.schedule_status`); this
widget only shows them. A QTimer calls `tick()` once a second and reads the injected
clock through the service, so tests call `tick()` directly after moving a ManualClock.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from session_app.domain.schedule import DueState, ScheduleStatus
from session_app.seams import ScheduleSource
from session_app.store import StoreError
from session_app.ui.staff.widgets import set_text
from session_app.ui.text import plain_label, tooltip
from session_app.ui.theme import set_style_state

STATE_STYLE: dict[DueState, str] = {
    DueState.BASELINE_NEEDED: "due",
    DueState.WAITING: "waiting",
    DueState.DUE: "due",
    DueState.OVERDUE_AMBER: "amber",
    DueState.OVERDUE_RED: "red",
    DueState.COMPLETE: "complete",
}
HEADINGS: dict[DueState, str] = {
    DueState.BASELINE_NEEDED: "Baseline check",
    DueState.WAITING: "Next check",
    DueState.DUE: "Check due now",
    DueState.OVERDUE_AMBER: "Check overdue",
    DueState.OVERDUE_RED: "Check overdue",
    DueState.COMPLETE: "Checks",
}
OVERDUE = (DueState.OVERDUE_AMBER, DueState.OVERDUE_RED)
WIDGET_SIZE_MAX = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX


def heading_for(status: ScheduleStatus) -> str:
    """Which check (e.g. "About 40 min after dosing"), else the state's heading.

    The text already says the state ("Check due now", "Next check in 04:12"); a heading
    that said it too read "Check due now / Check due now" (issue 15).
    """
    return status.label or HEADINGS.get(status.state, "")


class DueCountdown(QFrame):
    """A pill showing the schedule's state; its `dueState` property drives the QSS colours."""

    state_changed = Signal(object)  # DueState, or None when no session
    updated = Signal()  # after every tick, for the notice's wording

    def __init__(self, service: ScheduleSource, interval_ms: int = 1000) -> None:
        super().__init__()
        self.setObjectName("DueCountdown")
        self.setAccessibleName("Next check countdown")
        self._service = service
        self.session_id: int | None = None
        self.state: DueState | None = None
        self.status: Any = None
        self.heading = plain_label("")
        self.heading.setObjectName("DueHeading")
        self.heading.setAccessibleName("Next check heading")
        self.text = plain_label("No session")
        self.text.setObjectName("DueText")
        self.text.setAccessibleName("Next check status")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(0)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        self.timer = QTimer(self)
        self.timer.setObjectName("DueTimer")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self._held = QSize(0, 0)  # the pill's fixed size (see `_show`)
        set_style_state(self, "dueState", "none")

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.release_size()
        self._run_timer()
        self.tick()

    def _run_timer(self) -> None:
        """Tick only while there is a session and the countdown is on screen."""
        if self.session_id is not None and self.isVisible():
            self.timer.start()
        else:
            self.timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._run_timer()
        self.tick()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def tick(self) -> None:
        """Read the schedule now; update the text and, if it changed, the state."""
        if self.session_id is None:
            self.status = None
            self._show("", "No session in progress")
            self._set_state(None)
            self.updated.emit()
            return
        try:
            status = self._service.schedule_status(self.session_id)
        except (StoreError, KeyError) as exc:
            # The store went away (shutting down) or the session vanished: stop asking.
            self.timer.stop()
            self.status = None
            self._show("", "Schedule unavailable")
            self.setToolTip(tooltip(str(exc)))
            self._set_state(None)
            self.updated.emit()
            return
        self.status = status
        heading = heading_for(status)
        self._show(heading, status.text)
        self.setAccessibleDescription(f"{heading}: {status.text}")
        self._set_state(status.state)
        self.updated.emit()

    def _show(self, heading: str, text: str) -> None:
        """Show the texts in a pill of fixed size that only ever grows.

        The text changes every second; a label in a widget of free size makes Qt lay out
        the whole window again each time (issue 7: idle CPU). A fixed size stops that.
        """
        set_text(self.heading, heading)
        set_text(self.text, text)
        self._hold_size()

    def _hold_size(self) -> None:
        needed = self.sizeHint().expandedTo(self.minimumSize()).expandedTo(self._held)
        if needed != self._held or self.minimumSize() != self.maximumSize():
            self._held = needed
            self.setFixedSize(needed)

    def release_size(self) -> None:
        """Let the pill shrink to its text again (a new session)."""
        self._held = QSize(0, 0)
        self.setMinimumSize(0, 0)
        self.setMaximumSize(WIDGET_SIZE_MAX, WIDGET_SIZE_MAX)

    def _set_state(self, state: DueState | None) -> None:
        if state == self.state:
            return
        self.state = state
        style = STATE_STYLE.get(state, "none") if state is not None else "none"
        set_style_state(self, "dueState", style)
        self._hold_size()  # the style sheet's min-width came back with the restyle
        self.state_changed.emit(state)


class OverdueNotice(QFrame):
    """A strip across the staff panel while a check is overdue, or while the schedule has a
    reminder (the planned end of the infusion passed with no stop logged). Quiet: no
    sound, no flashing, staff side only; a reminder alone takes no overdue colour."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("OverdueNotice")
        self.setAccessibleName("Overdue check notice")
        self.label = plain_label("")
        self.label.setObjectName("OverdueNoticeText")
        self.label.setAccessibleName("Overdue check notice text")
        self.label.setWordWrap(True)  # it heads the charts: never wider than they are
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.label, 1)
        self.setVisible(False)
        set_style_state(self, "dueState", "none")

    def show_status(self, countdown: DueCountdown) -> None:
        """Called every second: changes only what changed (a restyle costs a repaint)."""
        state, status = countdown.state, countdown.status
        reminder = status.reminder if status is not None else ""
        if state in OVERDUE and status is not None:
            text = f"{status.text} — record the vitals check when you can."
            set_text(self.label, f"{text} {reminder}".strip())
            set_style_state(self, "dueState", STATE_STYLE[state])  # only if it changed
            self.setVisible(True)
        elif reminder:
            set_text(self.label, reminder)
            set_style_state(self, "dueState", "none")
            self.setVisible(True)
        else:
            self.setVisible(False)
