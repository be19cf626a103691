"""What the room's clinic sender reports to the staff strip: a snapshot, no PHI.

The sender runs off the UI thread; the staff panel polls `SenderStatus.state()` and shows
one quiet line from it. Defined here, before the sender, so the strip and the sender are
built against the same seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
