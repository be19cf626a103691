"""The monitor's 1 Hz values in a summary: min and max per interval, never row by row.

Eight hours at 1 Hz is 28,800 values per measure; the summary, PDF and CSV show one line
per interval ("09:00-09:15 SpO2 94-99 %, 900 values"), so the document stays pages, not
a book, and builds in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from session_app.devices.codes import continuous_values
from session_app.trends import TRACE_MEASURES, TraceSample

INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True)
class TraceInterval:
    """One measure over one interval: its lowest and highest plausible value."""

    measure: str
    start: datetime
    end: datetime
    low: float
    high: float
    count: int


def summarise(
    samples: Iterable[TraceSample], origin: datetime, interval: timedelta = INTERVAL
) -> list[TraceInterval]:
    """Intervals counted from `origin` (the session start), in time order then measure
    order; an interval with no value is left out; implausible values are not counted, nor
    a reading's second heart rate (devices.codes.continuous_values)."""
    buckets: dict[tuple[int, str], list[float]] = {}
    for sample in continuous_values(samples):
        if sample.measure not in TRACE_MEASURES or sample.implausible:
            continue
        index = (sample.observed_at - origin) // interval
        buckets.setdefault((index, sample.measure), []).append(float(sample.value))
    order = {m: i for i, m in enumerate(TRACE_MEASURES)}
    return [
        TraceInterval(
            measure,
            origin + index * interval,
            origin + (index + 1) * interval,
            min(values),
            max(values),
            len(values),
        )
        for (index, measure), values in sorted(
            buckets.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])
        )
    ]
