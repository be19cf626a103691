"""The monitor's continuous HR and SpO2: a thin trace under the typed points (issue 17)."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from PySide6.QtCore import QSize
from pytestqt.qtbot import QtBot

from session_app.trend_plots import TrendPlots, trace_envelope
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
    assert list(xs) == [1.0, 1 + 1 / 60] and list(ys) == [97.0, 96.0]


def test_the_trace_is_a_buffer_of_floats_the_chart_reads_without_a_copy() -> None:
    xs, ys = trace_series(one_hz("spo2", 0, [97, 96, 95]), DOSE)["spo2"]
    for values in (xs, ys):
        assert np.shares_memory(np.asarray(values), values)
        assert np.asarray(values).dtype == np.float64


def test_a_pause_in_the_feed_breaks_the_trace_rather_than_bridging_it() -> None:
    samples = one_hz("heart_rate", 0, [80, 81]) + one_hz(
        "heart_rate", 1 + int(TRACE_GAP_S) + 5, [90]
    )
    xs, ys = trace_series(samples, DOSE)["heart_rate"]
    assert list(ys[:2]) == [80.0, 81.0] and math.isnan(ys[2]) and ys[3] == 90.0
    assert xs[2] == xs[1]  # the break sits where the feed paused


def test_measures_the_monitor_does_not_trace_are_ignored() -> None:
    assert trace_series(one_hz("systolic", 0, [120]), DOSE) == {}


def test_a_live_chart_keeps_the_newest_monitor_values_in_view() -> None:
    data = TrendData(minutes=(0.0,), reference=DOSE).with_trace(one_hz("spo2", 65 * 60, [95]))
    assert x_range(data, live=True)[1] >= 65


def eight_hours_of_spo2(dip_at_s: int = 5 * 3600) -> list[Sample]:
    """8 h of 1 Hz SpO2 between 96 and 98, with one 1-sample dip to 85."""
    values = [85.0 if i == dip_at_s else 96.0 + (i % 3) for i in range(8 * 3600)]
    return one_hz("spo2", 0, values)


def test_the_chart_draws_the_trace_thin_and_under_the_typed_points(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    plots.graphics.resize(840, 520)
    data = TrendData(
        minutes=(0.0, 30.0),
        values={"spo2": (97.0, 98.0)},
        reference=DOSE,
    ).with_trace(eight_hours_of_spo2())
    plots.set_data(data, live=True)
    trace = plots.trace_curves["spo2"]
    xs, ys = trace.getOriginalDataset()
    assert len(xs) <= 2 * 2 * 840  # an envelope: two points a column, two columns a pixel
    assert not trace.opts["autoDownsample"]  # drawn as given: the envelope is the reduction
    assert trace.zValue() < plots.curves["spo2"].zValue()
    assert trace.opts["pen"].width() <= 1 < plots.curves["spo2"].opts["pen"].width()
    assert np.nanmax(ys) == 98.0 and np.nanmin(ys) == 85.0  # the 1-second dip is drawn
    assert plots.plots["spo2"].viewRange()[1][0] <= 85.0  # and in view
    plots.set_data(TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE))
    assert plots.trace_curves["spo2"].getOriginalDataset()[0] is None  # nothing drawn


def test_the_same_trace_arrays_are_not_drawn_again(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    data = TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE).with_trace(
        one_hz("spo2", 0, [96.0, 97.0, 98.0])
    )
    plots.set_data(data)
    drawn: list[object] = []
    plots.trace_curves["spo2"].sigPlotChanged.connect(drawn.append)
    plots.set_data(replace(data, values={"spo2": (98.0,)}))  # a saved check, same trace
    assert drawn == []
    xs, ys = data.trace["spo2"]
    plots.set_data(replace(data, trace={"spo2": (array("d", xs), array("d", ys))}))
    assert len(drawn) == 1  # equal values, new arrays: drawn (identity is the cheap test)


def test_a_wider_image_draws_the_trace_in_finer_columns(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    data = TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE)
    plots.set_data(data.with_trace(eight_hours_of_spo2()))
    on_screen = len(plots.trace_curves["spo2"].getData()[0])
    plots.render_image(QSize(2400, 1400))  # a PDF page's charts
    finer = plots.trace_curves["spo2"].getData()
    assert on_screen < len(finer[0]) <= 2 * 2 * 2400 and np.nanmin(finer[1]) == 85.0


def test_a_trace_flush_does_not_draw_the_same_checks_again(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    data = TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE).with_trace(
        one_hz("spo2", 0, [96.0, 97.0])
    )
    plots.set_data(data)
    drawn: list[object] = []
    plots.curves["spo2"].sigPlotChanged.connect(drawn.append)
    plots.set_data(data.with_trace(one_hz("spo2", 0, [96.0, 97.0, 98.0])))  # same checks
    assert drawn == []
    assert plots.curves["spo2"].getData()[1].tolist() == [97.0]
    plots.set_data(replace(data, minutes=(0.0, 5.0), values={"spo2": (97.0, 95.0)}))
    assert len(drawn) == 1 and plots.curves["spo2"].getData()[1].tolist() == [97.0, 95.0]


def test_a_redraw_keeps_the_time_axis_as_drawn_while_its_label_stays(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    data = TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE)
    plots.set_data(data)
    axis = plots.plots["rr"].getAxis("bottom")
    relabelled: list[object] = []
    original = axis.setLabel
    axis.setLabel = lambda *a, **k: relabelled.append(a) or original(*a, **k)  # type: ignore[method-assign]
    plots.set_data(data.with_trace(one_hz("spo2", 0, [96.0, 97.0])))  # a trace flush
    assert relabelled == []  # setting it again made the axis rebuild its ticks each save
    plots.set_data(replace(data, reference_label="minutes since start (no dose logged yet)"))
    assert axis.labelText == "minutes since start (no dose logged yet)"


def test_the_envelope_keeps_a_one_sample_dip_in_eight_hours() -> None:
    xs, ys = trace_series(eight_hours_of_spo2(), DOSE)["spo2"]
    ex, ey = trace_envelope(np.asarray(xs), np.asarray(ys), columns=1000)
    assert len(ex) <= 2 * 1000
    assert ey.min() == 85.0 and ey.max() == 98.0
    assert ex[int(np.argmin(ey))] == xs[5 * 3600]  # at its own time
    assert np.all(np.diff(ex) >= 0)  # in time order


def test_the_envelope_keeps_each_gap_as_a_gap_even_inside_one_column() -> None:
    before = one_hz("heart_rate", 0, [80.0] * 600)
    after = one_hz("heart_rate", 600 + int(TRACE_GAP_S) + 5, [90.0] * 600)
    xs, ys = trace_series(before + after, DOSE)["heart_rate"]
    ex, ey = trace_envelope(np.asarray(xs), np.asarray(ys), columns=3)  # the gap's column
    breaks = np.flatnonzero(np.isnan(ey))
    assert len(breaks) == 1
    (cut,) = breaks
    assert set(ey[:cut]) == {80.0} and set(ey[cut + 1 :]) == {90.0}  # no line across it
    assert ex[cut - 1] <= 10.0 < ex[cut + 1]  # the last point before, the first after


def test_a_short_trace_is_drawn_as_it_is() -> None:
    xs, ys = trace_series(one_hz("spo2", 0, [97.0, 96.0]), DOSE)["spo2"]
    ex, ey = trace_envelope(np.asarray(xs), np.asarray(ys), columns=1000)
    assert list(ex) == list(xs) and list(ey) == list(ys)


def test_a_chart_with_no_monitor_has_no_trace_items(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    plots.set_data(TrendData(minutes=(0.0,), values={"spo2": (97.0,)}, reference=DOSE))
    assert plots.trace_curves == {}
