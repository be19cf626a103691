"""The alerts of one check, taken together (issue 15 point 6).

One check can cross several thresholds at once (the absolute limit and the rise over
baseline, for systolic and diastolic): eight cards for one blood pressure buried the
vitals form. They are one finding-list to read and one acknowledgement to give, so the
grouping is a rule of the domain, not of the widget that shows it. Qt-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from session_app.domain.alerts import Severity, worst
from session_app.domain.records import AlertRecord


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


def _by_severity(alert: AlertRecord) -> tuple[int, datetime, int]:
    return (-alert.severity.rank, alert.raised_at, alert.id)


def group_alerts(alerts: Iterable[AlertRecord]) -> list[AlertGroup]:
    """Group by check id (an alert without a check stays alone), findings ordered by
    Severity.rank; the groups most severe first, then the oldest first."""
    by_key: dict[tuple[str, int], list[AlertRecord]] = {}
    for alert in alerts:
        key = ("check", alert.check_id) if alert.check_id is not None else ("alert", alert.id)
        by_key.setdefault(key, []).append(alert)
    groups = [AlertGroup(tuple(sorted(found, key=_by_severity))) for found in by_key.values()]
    return sorted(groups, key=lambda g: (-g.severity.rank, g.raised_at, g.ids[0]))
