"""Stored records other than sessions and checks: timeline events and alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    severity: str  # "alert", "high", "urgent" — see domain.alerts
    rule: str  # rule key, e.g. "hr_low"
    measure: str  # field name, e.g. "heart_rate"
    value: float | None
    message: str  # what the nurse reads: value and rule
    raised_at: datetime
    acked_by: str = ""
    acked_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None
