"""What the room's clinic sender reports to the staff strip: a snapshot, no PHI.

The sender runs off the UI thread; the staff panel polls `SenderStatus.state()` and shows
one quiet line from it. Defined here, before the sender, so the strip and the sender are
built against the same seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from session_app.domain.clock import format_local, to_local


@dataclass(frozen=True)
class SyncState:
    """The sender's state at one moment.

    `unreachable_since` is the first failed attempt of the current outage (None while the
    server answers); `waiting` counts local records not yet on the server; `problem` is one
    line for staff and the log ("password refused for room role …"), '' when none."""

    joined: bool
    room: str = ""
    reachable: bool = False
    unreachable_since: datetime | None = None
    waiting: int = 0
    last_sent_at: datetime | None = None
    problem: str = ""


class SenderStatus(Protocol):
    """Anything that can say how the room's sync stands (the sender; a fake in unit tests)."""

    def state(self) -> SyncState: ...


def clinic_notice_text(state: SyncState, now: datetime) -> str:
    """The staff strip's one quiet line for `state` ('' shows nothing), times in local
    24-hour time (with the date when the outage began on an earlier day).

    Nothing for a room that has not joined, and nothing once everything is sent: the strip
    is for what needs a look, and a line that is always there stops being read (the
    station shows each room's last contact). A `problem` (one line from
    connection.failure_line) comes first: it is what someone must fix."""
    if not state.joined:
        return ""
    waiting = _waiting(state.waiting)
    if state.problem:
        problem = " ".join(state.problem.split())
        return f"Clinic: {problem} — {waiting}" if state.waiting else f"Clinic: {problem}"
    if not state.reachable and state.unreachable_since is not None:
        same_day = to_local(state.unreachable_since).date() == to_local(now).date()
        since = format_local(state.unreachable_since, with_date=not same_day)
        return f"Clinic server not reachable since {since} — {waiting}"
    if state.reachable and state.waiting:
        return f"Clinic: sending — {waiting}"
    return ""


def _waiting(count: int) -> str:
    if count == 0:
        return "nothing waiting"
    return f"{count} record{'s' if count != 1 else ''} waiting"
