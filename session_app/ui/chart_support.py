"""Chart colours and minute 0, shared by the charts and the flowsheet without pyqtgraph.

The flowsheet needs the severity tints and the chart's minute 0 but not the plotting
library; keeping these here lets the staff panel's table load without importing
pyqtgraph and numpy (start-up, issue 7).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from session_app.domain.records import SessionEvent
from session_app.domain.schedule import anchors_from_events

# Light backgrounds of the alert severities, for table cells (QSS cannot style single items).
SEVERITY_TINTS: dict[str, str] = {
    "advisory": "#e3edf7",
    "alert": "#ffe8b3",
    "high": "#ffd0cc",
    "urgent": "#ffb3ad",
}


def minute_zero(events: Sequence[SessionEvent]) -> datetime | None:
    """Minute 0 of the charts and the flowsheet: the dose (or infusion start)."""
    return anchors_from_events(events)[0]
