"""The staff header's line for a device feed: "Monitor: connected · last value 4 s ago".

One function, so the wording and the amber threshold are tested without a window and the
header only shows what it returns. A feed that goes quiet is a notice, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from session_app.devices.samples import FeedState

# Numerics come every 1-5 s; a minute without a value means the feed stopped.
SILENT_AFTER_S = 60.0


@dataclass(frozen=True)
class FeedLine:
    """What the header shows, and whether it is the amber (look at me) kind."""

    text: str
    amber: bool = False


def _span(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole} s" if whole < 60 else f"{whole // 60} min"


def feed_line(
    state: FeedState | None, now: datetime, *, silent_after_s: float = SILENT_AFTER_S
) -> FeedLine:
    """The line for one feed; `state` None means no feed is configured ("off")."""
    if state is None:
        return FeedLine("Monitor: off")
    if state.problem:
        return FeedLine(f"Monitor: {state.problem}", amber=True)
    if state.last_value_at is None:
        waiting = "waiting for the first value" if state.connected else "not connected"
        return FeedLine(f"Monitor: {waiting}", amber=not state.connected)
    quiet = (now - state.last_value_at).total_seconds()
    if quiet >= silent_after_s:
        return FeedLine(f"Monitor: silent for {_span(quiet)}", amber=True)
    link = "connected" if state.connected else "disconnected"
    return FeedLine(f"Monitor: {link} · last value {_span(quiet)} ago", amber=not state.connected)
