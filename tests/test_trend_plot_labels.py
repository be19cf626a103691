"""The PDF's (and the summary's) trend charts: every line label lies inside its plot
(the "SYS +40" label was cut at the top when the rise line neared it), and no data point
sits on a threshold label, even a point exactly at the threshold (issue 15)."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, QRectF, QSize

from session_app.domain.protocols import Thresholds
from session_app.trend_plots import TrendPlots
from session_app.trends import TrendData

SIZE = QSize(900, 780)  # the PDF's chart size
POINT_RADIUS = 6  # a flagged point's ring (12 px); a plain point is 6 px across


def _labels(plot: pg.PlotItem) -> list[pg.InfiniteLine]:
    return [
        item
        for item in plot.items
        if isinstance(item, pg.InfiniteLine) and item.angle == 0 and item.label is not None
    ]


def _drawn(data: TrendData) -> TrendPlots:
    plots = TrendPlots()
    plots.set_data(data)
    plots.render_image(SIZE)  # lays the canvas out at the PDF's size
    plots.graphics.resize(SIZE)
    plots.graphics.ci.setGeometry(0, 0, SIZE.width(), SIZE.height())
    return plots


def _at_thresholds(baseline_sys: float = 128, baseline_dia: float = 82) -> TrendData:
    """Points on every threshold line, at the first, middle and last minute."""
    t = Thresholds()
    rows = [
        (baseline_sys, baseline_dia, 72, 98, 14),
        (t.sys_high, t.dia_high, t.hr_low, t.spo2_low, t.rr_low),
        (baseline_sys + t.sys_rise, baseline_dia + t.dia_rise, t.hr_high, 100, t.rr_high),
        (t.sys_high, t.dia_high, t.hr_high, t.spo2_low, t.rr_high),
        (baseline_sys + t.sys_rise, baseline_dia + t.dia_rise, t.hr_low, t.spo2_low, t.rr_low),
    ]
    minutes = (-5.0, 0.0, 40.0, 80.0, 120.0)
    names = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate")
    return TrendData(
        minutes=minutes,
        values={n: tuple(float(r[i]) for r in rows) for i, n in enumerate(names)},
        baseline={"systolic": baseline_sys, "diastolic": baseline_dia},
        thresholds=t,
    )


@pytest.mark.parametrize("baseline_sys", [128.0, 150.0, 175.0])
def test_every_line_label_lies_inside_its_plot(qapp, baseline_sys: float) -> None:
    plots = _drawn(_at_thresholds(baseline_sys))
    for key, plot in plots.plots.items():
        view = plot.vb.sceneBoundingRect()
        for line in _labels(plot):
            label = line.label.sceneBoundingRect()
            assert view.contains(label), (key, line.label.format, label, view)


def test_no_data_point_sits_on_a_threshold_label(qapp) -> None:
    plots = _drawn(_at_thresholds())
    for key, plot in plots.plots.items():
        points = [
            plot.vb.mapViewToScene(QPointF(x, y))
            for curve in plot.listDataItems()
            for x, y in zip(*curve.getData(), strict=True)
        ]
        for line in _labels(plot):
            if line.label.format.startswith("baseline"):
                continue  # the baseline is not a threshold: its points are meant to be on it
            label = line.label.sceneBoundingRect()
            for point in points:
                ring = QRectF(
                    point.x() - POINT_RADIUS,
                    point.y() - POINT_RADIUS,
                    2 * POINT_RADIUS,
                    2 * POINT_RADIUS,
                )
                assert not label.intersects(ring), (key, line.label.format, point)


LIVE_SIZE = QSize(900, 380)  # the staff panel's charts at 1366×768


def test_on_the_live_chart_the_first_checks_do_not_sit_on_a_threshold_label(qapp) -> None:
    """The live chart (staff panel) keeps its whole-frame time axis, but its left edge leaves
    room for the threshold labels: the baseline before the dose and the first checks after
    it used to sit under "SYS ≥ 180" and "DIA ≥ 110" at 1366×768."""
    t = Thresholds()
    rows = [
        (t.sys_high, t.dia_high, t.hr_low, t.spo2_low, t.rr_low),
        (t.sys_high, t.dia_high, t.hr_high, t.spo2_low, t.rr_high),
        (150.0, 92.0, 80, 98, 14),
    ]
    names = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate")
    data = TrendData(
        minutes=(-2.0, 0.0, 15.0),
        values={n: tuple(float(r[i]) for r in rows) for i, n in enumerate(names)},
        thresholds=t,
    )
    plots = TrendPlots()
    plots.set_data(data, live=True)
    plots.render_image(LIVE_SIZE)
    plots.graphics.resize(LIVE_SIZE)
    plots.graphics.ci.setGeometry(0, 0, LIVE_SIZE.width(), LIVE_SIZE.height())
    for key, plot in plots.plots.items():
        points = [
            plot.vb.mapViewToScene(QPointF(x, y))
            for curve in plot.listDataItems()
            for x, y in zip(*curve.getData(), strict=True)
        ]
        for line in _labels(plot):
            label = line.label.sceneBoundingRect()
            for point in points:
                ring = QRectF(point.x() - POINT_RADIUS, point.y() - POINT_RADIUS, 12, 12)
                assert not label.intersects(ring), (key, line.label.format, point)
