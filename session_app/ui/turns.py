"""The staff side's deferred work, one job per turn of the event loop.

Qt's coarse timers bring the once-a-second timers (the countdown, the lock) and the
every-few-seconds ones (the monitor trace's intake and redraw, the proposals' read) due
on the same whole second. Each job is short (2–15 ms), but several in one turn held the
UI thread 25–40 ms (docs/performance.md, "What the stalls held"). Work that may wait a
few milliseconds goes through one queue instead, which runs one job per turn with a
1 ms timer between: the timers due meanwhile, a key press and a paint get in first.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer

# 1 ms, not 0: a zero timer is a posted call, run before the timers already due.
BETWEEN_JOBS_MS = 1


class TurnQueue(QObject):
    """Jobs run in the order asked, one per turn; a job already waiting is not queued
    twice, and a job whose owner was deleted is dropped."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TurnQueue")
        self._jobs: list[tuple[QObject, Callable[[], None]]] = []
        self._timer = QTimer(self)
        self._timer.setObjectName("TurnQueueTimer")
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(BETWEEN_JOBS_MS)
        self._timer.timeout.connect(self.run_next)

    def run_soon(self, owner: QObject, job: Callable[[], None]) -> None:
        """Run `job` at a turn of its own, soon; `owner` is the object it works on."""
        if any(queued == job for _, queued in self._jobs):
            return
        self._jobs.append((owner, job))
        if not self._timer.isActive():
            self._timer.start()

    def cancel(self, owner: QObject) -> None:
        """Drop `owner`'s waiting jobs (it stopped, or is going)."""
        self._jobs = [(o, job) for o, job in self._jobs if o is not owner]

    def waiting(self, owner: QObject) -> bool:
        return any(o is owner for o, _ in self._jobs)

    def run_next(self) -> None:
        """Run the job whose turn it is (the timer's work; tests step through with it)."""
        if not self._jobs:
            return
        owner, job = self._jobs.pop(0)
        if self._jobs:
            self._timer.start()  # the next one a turn later, whatever this one does
        if shiboken6.isValid(owner):
            job()


_shared: TurnQueue | None = None


def shared_turn_queue() -> TurnQueue:
    """The application's one queue: one job per turn holds only if every such job
    shares it."""
    global _shared
    app = QCoreApplication.instance()
    if _shared is None or not shiboken6.isValid(_shared) or _shared.parent() is not app:
        _shared = TurnQueue(app)
    return _shared
