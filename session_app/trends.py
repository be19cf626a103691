"""The trend charts' view model: the numbers they draw, without Qt (issue 14).

`TrendData` is built from a session's stored records: one entry per check in force,
x in minutes from minute 0 (the dose), the worst severity raised on each value, the
baseline (domain.baseline) and the session's thresholds (domain.session_protocol).
Which points are out of range is not decided here: a point is flagged when the domain
raised an alert on it. `x_range` is the charts' time-axis rule. No numpy either: the
flowsheet shares `minute_zero` and must load without the plotting stack. The monitor
trace is kept in `array.array("d")` buffers all the same, which numpy reads without a
copy (8 h of 1 Hz values: tuples of Python floats were most of a chart redraw).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from session_app.devices.codes import continuous_values
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
# The measures a monitor sends continuously, drawn as a thin trace under the typed points.
TRACE_MEASURES: tuple[str, ...] = ("heart_rate", "spo2")
# A pause longer than this between monitor values breaks the trace (a probe off, a
# feed down), so no line is drawn across time nobody measured.
TRACE_GAP_S = 10.0

# x (minutes) and y of a trace: C doubles, which numpy views without a copy (the chart
# draws from the buffer itself; ui.charts.LiveTrace hands out read-only numpy arrays).
# Its holders treat it as read-only: the chart skips a redraw of the same arrays.
Series = tuple[Sequence[float], Sequence[float]]


class TraceSample(Protocol):
    """A monitor value as the device store keeps it (devices' observations)."""

    @property
    def measure(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def implausible(self) -> bool: ...
    @property
    def code(self) -> str: ...
    @property
    def device(self) -> str: ...


def trace_series(samples: Iterable[TraceSample], reference: datetime) -> dict[str, Series]:
    """Minutes from `reference` and values per traced measure, in time order, with a NaN
    where the feed paused for more than TRACE_GAP_S; implausible values are left out, and
    of a reading's heart rates all but one (devices.codes.continuous_values)."""
    return trace_continuous(continuous_values(samples), reference)


def trace_continuous(samples: Iterable[TraceSample], reference: datetime) -> dict[str, Series]:
    """`trace_series` of samples already filtered by devices.codes.continuous_values (the
    live trace keeps only those: filtering them again at each redraw was a third of it)."""
    by_measure: dict[str, list[TraceSample]] = {m: [] for m in TRACE_MEASURES}
    for sample in samples:
        if sample.measure in by_measure and not sample.implausible:
            by_measure[sample.measure].append(sample)
    series: dict[str, Series] = {}
    for measure, kept in by_measure.items():
        kept.sort(key=lambda s: s.observed_at)
        xs = array("d")
        ys = array("d")
        for before, sample in zip([None, *kept], kept, strict=False):
            if before is not None and (
                (sample.observed_at - before.observed_at).total_seconds() > TRACE_GAP_S
            ):
                xs.append(xs[-1])
                ys.append(math.nan)
            xs.append(minutes_between(reference, sample.observed_at))
            ys.append(float(sample.value))
        if xs:
            series[measure] = (xs, ys)
    return series


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
    reference: datetime | None = None  # minute 0's moment; None with nothing to draw
    trace: Mapping[str, Series] = field(default_factory=dict)  # monitor values per measure

    def with_trace(self, samples: Iterable[TraceSample]) -> TrendData:
        """The same checks with the monitor's continuous values traced under them."""
        if self.reference is None:
            return self
        return replace(self, trace=trace_series(samples, self.reference))

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
            reference=reference,
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
    traced = [x for xs, _ in data.trace.values() for x in (xs[0], xs[-1])]
    if not data.minutes and not traced:
        return -10.0, 120.0
    marks = [m.minute for m in data.markers] + traced
    low = min(*data.minutes, *marks, 0.0)
    high = max(*data.minutes, *marks, 0.0)
    if not live:
        span = max(high - low, 30.0)
        return low - span * 0.04, low + span * 1.04
    last = FRAME_ENDS[-1]
    end = next((e for e in FRAME_ENDS if e >= high), math.ceil(high / last) * last)
    pad = (end - low) * 0.03
    return low - max(pad, LIVE_LABEL_ROOM_MIN), end + pad
