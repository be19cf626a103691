"""Min/max per interval of the monitor's continuous values (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from session_app.devices.trace_summary import summarise

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sample:
    measure: str
    value: float
    observed_at: datetime
    implausible: bool = False
    code: str = "MDC 150456"
    device: str = "GE^B40"


def at(seconds: int, measure: str, value: float, implausible: bool = False) -> Sample:
    return Sample(measure, value, START + timedelta(seconds=seconds), implausible)


def test_each_interval_gives_the_lowest_and_highest_value_and_how_many() -> None:
    rows = summarise(
        [at(0, "spo2", 97), at(60, "spo2", 93), at(120, "spo2", 99), at(900, "spo2", 96)], START
    )
    assert [(r.start - START, r.low, r.high, r.count) for r in rows] == [
        (timedelta(0), 93, 99, 3),
        (timedelta(minutes=15), 96, 96, 1),
    ]


def test_implausible_values_and_untraced_measures_are_not_counted() -> None:
    rows = summarise([at(0, "spo2", 20, implausible=True), at(5, "systolic", 300)], START)
    assert rows == []


def test_eight_hours_at_one_hertz_is_a_few_dozen_lines() -> None:
    samples = [at(s, m, 95 + s % 4) for s in range(8 * 3600) for m in ("spo2", "heart_rate")]
    rows = summarise(samples, START)
    assert len(rows) == 2 * 32
    assert [r.measure for r in rows[:2]] == ["heart_rate", "spo2"]
    assert sum(r.count for r in rows) == len(samples)
