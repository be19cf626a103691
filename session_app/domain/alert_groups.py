"""The alerts of one check, taken together (issue 15 point 6).

One check can cross several thresholds at once (the absolute limit and the rise over
baseline, for systolic and diastolic): eight cards for one blood pressure buried the
vitals form. They are one finding-list to read and one acknowledgement to give, so the
grouping is a rule of the domain, not of the widget that shows it. What the nurse did
about them (the optional response) is free text checked like every staff text. Qt-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from session_app.domain.alerts import Severity, worst
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.records import AlertRecord
from session_app.domain.text import snippet, text_problem

# A response says what was done in a sentence or two, like a correction's reason.
RESPONSE_MAX_LENGTH = 500


@dataclass(frozen=True)
class AlertGroup:
    """The open alerts of one check (or one alert raised without a check), most severe
    finding first."""

    alerts: tuple[AlertRecord, ...]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(a.id for a in self.alerts)

    @property
    def severity(self) -> Severity:
        top = worst(a.severity for a in self.alerts)
        assert top is not None  # a group is never empty
        return top

    @property
    def check_id(self) -> int | None:
        return self.alerts[0].check_id

    @property
    def raised_at(self) -> datetime:
        return min(a.raised_at for a in self.alerts)

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(a.message for a in self.alerts)


def by_severity(alert: AlertRecord) -> tuple[int, datetime, int]:
    """Sort key: the most severe first, then the oldest (the staff panel and the station)."""
    return (-alert.severity.rank, alert.raised_at, alert.id)


def group_alerts(alerts: Iterable[AlertRecord]) -> list[AlertGroup]:
    """Group by check id (an alert without a check stays alone), findings ordered by
    Severity.rank; the groups most severe first, then the oldest first."""
    by_key: dict[tuple[str, int], list[AlertRecord]] = {}
    for alert in alerts:
        key = ("check", alert.check_id) if alert.check_id is not None else ("alert", alert.id)
        by_key.setdefault(key, []).append(alert)
    groups = [AlertGroup(tuple(sorted(found, key=by_severity))) for found in by_key.values()]
    return sorted(groups, key=lambda g: (-g.severity.rank, g.raised_at, g.ids[0]))


def validate_response(raw: str) -> str:
    """The action/response given with an acknowledgement: optional, trimmed, refused
    whole when too long or holding a control character (ValidationError)."""
    text = raw.strip()
    if problem := text_problem(text, RESPONSE_MAX_LENGTH):
        message = (
            f"Response: '{snippet(raw)}' {problem} "
            f"(accepted: at most {RESPONSE_MAX_LENGTH} characters)."
        )
        raise ValidationError([FieldError("response", "Response", raw, message)])
    return text
