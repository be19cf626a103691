"""Stored records other than sessions and checks: timeline events and alerts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from session_app.domain.alerts import Severity, worst


@dataclass(frozen=True)
class SessionEvent:
    """A timeline entry. `occurred_at` may be typed in earlier than `entered_at`."""

    id: int
    session_id: int
    kind: str  # see domain.events for the kinds and their details
    occurred_at: datetime
    entered_at: datetime
    recorded_by: str
    details: dict[str, Any] = field(default_factory=dict)
    corrects_id: int | None = None
    correction_reason: str = ""


@dataclass(frozen=True)
class AlertRecord:
    id: int
    session_id: int
    check_id: int | None
    severity: Severity  # ordered; rank with domain.alerts.worst, never by hand
    rule: str  # rule key, e.g. "hr_low"
    measure: str  # field name, e.g. "heart_rate"
    value: float | None
    message: str  # what the nurse reads: value and rule
    raised_at: datetime
    acked_by: str = ""
    acked_at: datetime | None = None
    ack_response: str = ""  # the action/response typed with the acknowledgement, if any

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None


def worst_by_value(alerts: Iterable[AlertRecord]) -> dict[tuple[int, str], Severity]:
    """The worst severity raised on each (check id, measure): what the chart rings and
    the flowsheet tints, so both show the same colour for a value with two alerts."""
    raised: dict[tuple[int, str], list[Severity]] = {}
    for alert in alerts:
        if alert.check_id is not None:
            raised.setdefault((alert.check_id, alert.measure), []).append(alert.severity)
    return {key: top for key, found in raised.items() if (top := worst(found)) is not None}
