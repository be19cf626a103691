"""The trend charts' view model: the numbers they draw, without Qt (issue 14).

`TrendData` is built from a session's stored records: one entry per check in force,
x in minutes from minute 0 (the dose), the worst severity raised on each value, the
baseline (domain.baseline) and the session's thresholds (domain.session_protocol).
Which points are out of range is not decided here: a point is flagged when the domain
raised an alert on it. `x_range` is the charts' time-axis rule. No numpy either: the
flowsheet shares `minute_zero` and must load without the plotting stack.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from session_app.domain.alerts import Severity
from session_app.domain.baseline import baseline_values
from session_app.domain.clock import minutes_between
from session_app.domain.corrections import current
from session_app.domain.protocols import Thresholds
from session_app.domain.records import AlertRecord, SessionEvent, worst_by_value
from session_app.domain.schedule import anchors_from_events
from session_app.domain.session_protocol import session_protocol
from session_app.domain.summary import RecordSource
from session_app.domain.vitals import VitalsCheck

# The measures charted, in the order the plots list them.
MEASURES: tuple[str, ...] = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate")
MARKER_KINDS = (
    "dose",
    "infusion_start",
    "infusion_rate",
    "infusion_pause",
    "infusion_resume",
    "infusion_stop",
)
# A live chart's time axis ends at the first of these (minutes after minute 0) that is
# past the newest point, then at whole multiples of the last one.
FRAME_ENDS: tuple[float, ...] = (60, 90, 120, 180, 240, 360, 480)
# A live chart's left edge: minutes kept free before the first point for the threshold
# labels ("SYS ≥ 180"), so the baseline and the first checks never sit under them. Fixed
# minutes, not a share of the frame, so the left edge stays put when a frame grows.
LIVE_LABEL_ROOM_MIN = 12.0


def minute_zero(events: Sequence[SessionEvent]) -> datetime | None:
    """Minute 0 of the charts and the flowsheet: the dose (or infusion start)."""
    return anchors_from_events(events)[0]


@dataclass(frozen=True)
class EventMarker:
    minute: float
    label: str


@dataclass(frozen=True)
class TrendData:
    """The numbers the charts draw: one entry per check, x in minutes from the reference."""

    minutes: tuple[float, ...] = ()
    times: tuple[datetime, ...] = ()
    values: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    flagged: Mapping[str, tuple[Severity | str, ...]] = field(default_factory=dict)  # or ""
    baseline: Mapping[str, float] = field(default_factory=dict)
    markers: tuple[EventMarker, ...] = ()
    reference_label: str = "minutes since dose"
    thresholds: Thresholds = field(default_factory=Thresholds)

    def series(self, measure: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """x (minutes) and y for one measure, NaN where it was not measured."""
        return self.minutes, tuple(self.values.get(measure, ()))

    @classmethod
    def from_records(
        cls,
        checks: Sequence[VitalsCheck],
        events: Sequence[SessionEvent] = (),
        alerts: Sequence[AlertRecord] = (),
        thresholds: Thresholds | None = None,
        session_start: datetime | None = None,
        describe: Callable[[SessionEvent], str] | None = None,
    ) -> TrendData:
        """Build from stored rows. Corrected checks/events are replaced by their correction."""
        live_checks = current(checks)
        dose_at = minute_zero(events)
        reference: datetime | None = dose_at
        reference_label = "minutes since dose"
        if dose_at is None:
            starts = [c.taken_at for c in live_checks] + ([session_start] if session_start else [])
            reference = min(starts) if starts else None
            reference_label = "minutes since start (no dose logged yet)"
        thresholds = thresholds or Thresholds()
        if reference is None:
            return cls(thresholds=thresholds, reference_label=reference_label)
        worst = worst_by_value(alerts)
        name = describe or _short_label
        return cls(
            minutes=tuple(minutes_between(reference, c.taken_at) for c in live_checks),
            times=tuple(c.taken_at for c in live_checks),
            values={m: tuple(_number(getattr(c.signs, m)) for c in live_checks) for m in MEASURES},
            flagged={m: tuple(worst.get((c.id, m), "") for c in live_checks) for m in MEASURES},
            baseline=baseline_values(live_checks, dose_at, ("systolic", "diastolic")),
            markers=tuple(
                EventMarker(minutes_between(reference, e.occurred_at), name(e))
                for e in current(events)
                if e.kind in MARKER_KINDS
            ),
            reference_label=reference_label,
            thresholds=thresholds,
        )

    @classmethod
    def for_session(
        cls,
        source: RecordSource,
        session_id: int,
        *,
        thresholds: Thresholds | None = None,
        describe: Callable[[SessionEvent], str] | None = None,
    ) -> TrendData:
        """Read one session from a store (or any RecordSource): the session's own
        thresholds unless `thresholds` (already read) is given."""
        session = source.session(session_id)
        return cls.from_records(
            source.checks(session_id),
            source.events(session_id),
            source.alerts(session_id),
            thresholds or session_protocol(session).thresholds,
            session.started_at,
            describe,
        )


def _short_label(event: SessionEvent) -> str:
    return event.kind.replace("_", " ").capitalize()


def _number(value: object) -> float:
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def x_range(data: TrendData, *, live: bool = False) -> tuple[float, float]:
    """The time axis (minutes) for the charts.

    A finished session (summary, PDF) is fitted to its points. A live chart runs to the
    next frame end after the newest point, leaving room for the checks to come: its scale
    stays put from one save to the next, so the nurse's eye finds the same grid and the
    axes are not re-laid out on every save (issue 7).
    """
    if not data.minutes:
        return -10.0, 120.0
    marks = [m.minute for m in data.markers]
    low = min(min(data.minutes), *marks, 0.0)
    high = max(max(data.minutes), *marks, 0.0)
    if not live:
        span = max(high - low, 30.0)
        return low - span * 0.04, low + span * 1.04
    last = FRAME_ENDS[-1]
    end = next((e for e in FRAME_ENDS if e >= high), math.ceil(high / last) * last)
    pad = (end - low) * 0.03
    return low - max(pad, LIVE_LABEL_ROOM_MIN), end + pad
