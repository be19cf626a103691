"""The monitor's continuous HR and SpO2: a thin trace under the typed points (issue 17)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from pytestqt.qtbot import QtBot

from session_app.trend_plots import TrendPlots
from session_app.trends import TRACE_GAP_S, TrendData, trace_series, x_range

DOSE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sample:
    measure: str
    value: float
    observed_at: datetime
    implausible: bool = False
    code: str = "MDC 150456"
    device: str = "GE^B40"


def one_hz(measure: str, start_s: int, values: list[float]) -> list[Sample]:
    return [Sample(measure, v, DOSE + timedelta(seconds=start_s + i)) for i, v in enumerate(values)]


def test_the_trace_is_in_minutes_from_the_dose_without_implausible_values() -> None:
    samples = [
        *one_hz("spo2", 60, [97, 96]),
        Sample("spo2", 20, DOSE + timedelta(seconds=62), implausible=True),
    ]
    xs, ys = trace_series(samples, DOSE)["spo2"]
    assert xs == (1.0, 1 + 1 / 60) and ys == (97.0, 96.0)


def test_a_pause_in_the_feed_breaks_the_trace_rather_than_bridging_it() -> None:
    samples = one_hz("heart_rate", 0, [80, 81]) + one_hz(
        "heart_rate", 1 + int(TRACE_GAP_S) + 5, [90]
    )
    _, ys = trace_series(samples, DOSE)["heart_rate"]
    assert ys[:2] == (80.0, 81.0) and math.isnan(ys[2]) and ys[3] == 90.0


def test_measures_the_monitor_does_not_trace_are_ignored() -> None:
    assert trace_series(one_hz("systolic", 0, [120]), DOSE) == {}


def test_a_live_chart_keeps_the_newest_monitor_values_in_view() -> None:
    data = TrendData(minutes=(0.0,), reference=DOSE).with_trace(one_hz("spo2", 65 * 60, [95]))
    assert x_range(data, live=True)[1] >= 65


def test_the_chart_draws_the_trace_thin_and_under_the_typed_points(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    eight_hours = one_hz("spo2", 0, [96.0 + (i % 3) for i in range(8 * 3600)])
    data = TrendData(
        minutes=(0.0, 30.0),
        values={"spo2": (97.0, 98.0)},
        reference=DOSE,
    ).with_trace(eight_hours)
    plots.set_data(data, live=True)
    trace = plots.trace_curves["spo2"]
    xs, _ = trace.getOriginalDataset()
    assert len(xs) == 8 * 3600
    assert trace.zValue() < plots.curves["spo2"].zValue()
    assert trace.opts["pen"].width() <= 1 < plots.curves["spo2"].opts["pen"].width()
    assert np.nanmax(trace.getOriginalDataset()[1]) == 98.0
    plots.set_data(TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE))
    assert plots.trace_curves["spo2"].getOriginalDataset()[0] is None  # nothing drawn


def test_a_chart_with_no_monitor_has_no_trace_items(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    plots.set_data(TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE))
    assert plots.trace_curves == {}
