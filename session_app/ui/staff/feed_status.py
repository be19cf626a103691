"""The staff header's monitor line: how each device feed stands, and the quiet notice
"Monitor sent data for another patient".

The wording is `devices.feed_text.feed_line`'s; this widget asks each feed for its state
on a timer (cheap: no store read) rather than being called from the feeds' threads, and
hears the notice from the store's announcements on the UI thread. Plain text (a problem
line may quote an address), amber when a feed needs a look, never a sound; nothing here
is on the patient's window.

`MainThreadPoster` is the `post` the feeds' stores need (`SessionStore.for_thread`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from session_app.devices.feed_text import feed_line
from session_app.devices.feeds import OncePerMinute
from session_app.devices.inbox import OTHER_PATIENT_NOTICE
from session_app.devices.samples import FeedStatus
from session_app.domain.clock import Clock, format_local
from session_app.seams import Subscribable
from session_app.store.repository import Change, ChangeKind
from session_app.ui.staff.widgets import set_text
from session_app.ui.text import plain_label
from session_app.ui.theme import set_style_state

log = logging.getLogger("session_app.ui.feeds")

REFRESH_MS = 1000  # "last value 4 s ago" counts in seconds
NOTICE_KEPT = timedelta(minutes=10)  # the notice goes once the monitor stops sending it


class MainThreadPoster(QObject):
    """Runs a callable on the thread this object lives on (build it on the GUI thread).

    Why a queued signal: emitting is safe from any thread, and a queued connection puts
    the call in the receiver's event queue, so a view is only ever called on the UI
    thread and the feed's thread never waits for it. QTimer.singleShot(0, …) from a feed's
    thread would not do: that thread has no Qt event loop for the timer to run in."""

    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, call: Callable[[], None]) -> None:
        self._posted.emit(call)

    @Slot(object)
    def _run(self, call: Callable[[], None]) -> None:
        call()


class FeedStatusLine(QFrame):
    """One line per feed under the session details; amber when any needs a look."""

    def __init__(
        self,
        feeds: Sequence[FeedStatus],
        store: Subscribable,
        clock: Clock,
        parent: QWidget | None = None,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FeedStatus")
        self.setAccessibleName("Monitor feed status")
        self.feeds, self.clock = list(feeds), clock
        self.label = plain_label("", "FeedStatusText", "Monitor feed status text")
        self.label.setWordWrap(True)
        self.notice = plain_label("", "FeedNotice", "Monitor notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self._gate = OncePerMinute()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.notice)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        """Ask each feed how it stands and show it (a changed text only costs a relayout)."""
        now = self.clock.now()
        lines = []
        amber = False
        for feed in self.feeds:
            state = feed.feed_state()
            line = feed_line(state, now)
            amber = amber or line.amber
            lines.append(f"{line.text} ({state.source})" if len(self.feeds) > 1 else line.text)
        set_text(self.label, "\n".join(lines))
        # on the label itself: a parent's property change does not restyle its children
        set_style_state(self.label, "amber", "true" if amber else "false")
        last = self._gate.last
        if self.notice.isVisible() and last is not None and now - last > NOTICE_KEPT:
            self.notice.hide()

    def _on_change(self, change: Change) -> None:
        if change.kind is not ChangeKind.DEVICE_NOTICE:
            return
        now = self.clock.now()
        if self._gate.take(now):
            log.info("monitor sent data for another patient (shown at most once a minute)")
            set_text(self.notice, f"{OTHER_PATIENT_NOTICE} ({format_local(now, with_date=False)})")
            self.notice.show()

    def stop(self) -> None:
        self.timer.stop()
        self._unsubscribe()
