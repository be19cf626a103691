"""The trend charts on screen paint what did not change from a cache (issue 17: a repaint
with the 8 h trace within a frame): the checks, their rings, the threshold lines and bands
and the grid are cached as device pixmaps; the trace, which a monitor extends every few
seconds, is painted afresh. An image of the charts (the PDF's) never comes from that
screen cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QGraphicsItem
from pytestqt.qtbot import QtBot

from session_app.domain.protocols import Thresholds
from session_app.trend_plots import TrendPlots
from session_app.trends import TrendData
from tests.test_monitor_trace import one_hz

DOSE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache


def session_data() -> TrendData:
    minutes = tuple(float(m) for m in range(-10, 120, 5))
    values = {
        "systolic": tuple(120.0 + (m % 30) for m in minutes),
        "diastolic": tuple(80.0 for _ in minutes),
        "heart_rate": tuple(72.0 for _ in minutes),
        "spo2": tuple(97.0 for _ in minutes),
        "resp_rate": tuple(14.0 for _ in minutes),
    }
    data = TrendData(minutes=minutes, values=values, reference=DOSE, thresholds=Thresholds())
    return data.with_trace(one_hz("spo2", -600, [96.0 + (s % 3) for s in range(7800)]))


def painted_items(plots: TrendPlots) -> list[QGraphicsItem]:
    return [i for plot in plots.plots.values() for i in plot.vb.allChildItems()]


def test_what_a_trace_flush_leaves_alone_is_painted_from_a_cache(qtbot: QtBot) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    plots.set_data(session_data())
    trace = plots.trace_curves["spo2"]
    traced = {trace, *trace.childItems()}
    checks = [c.scatter for c in plots.curves.values()] + [c.curve for c in plots.curves.values()]
    lines = [i for i in painted_items(plots) if isinstance(i, pg.InfiniteLine)]
    assert lines and all(i.cacheMode() == CACHED for i in [*checks, *lines])
    assert all(f.cacheMode() == CACHED for f in plots.flag_points.values())
    assert all(i.cacheMode() != CACHED for i in traced)


def test_an_image_of_the_charts_is_drawn_afresh_not_from_the_screen_cache(
    qtbot: QtBot,
) -> None:
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    plots.graphics.resize(840, 520)
    plots.graphics.show()
    qtbot.waitExposed(plots.graphics)
    plots.set_data(session_data())
    for size in (QSize(840, 520), QSize(1800, 1040)):  # the screen's size, a PDF's
        plots.graphics.viewport().repaint()  # the cache holds the screen's pixmaps
        from_a_warm_cache = plots.render_image(size)
        for item in plots.graphics.scene().items():
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        assert from_a_warm_cache == plots.render_image(size), size
        for item in painted_items(plots):
            item.setCacheMode(CACHED)
    assert plots.graphics.size() == QSize(840, 520)  # and the canvas is as it was


def test_a_new_time_range_works_out_its_ticks_once_for_the_four_plots_and_their_grids(
    qtbot: QtBot, monkeypatch
) -> None:
    """A frame change of the live chart moves the shared time axis of four plots: each
    plot's axis and grid asked pyqtgraph for the same ticks (eight times). Now the axis
    values are worked out once and the grids' once; the upper plots' time axes draw
    their line only (pixel for pixel as before: looked at, docs/performance.md)."""
    plots = TrendPlots()
    qtbot.addWidget(plots.graphics)
    plots.graphics.resize(840, 520)
    plots.set_data(session_data())
    plots.graphics.grab()  # a paint
    asked: list[tuple[float, float]] = []
    compute = pg.AxisItem.tickValues

    def counted(axis, low, high, size):
        if axis.orientation == "bottom":
            asked.append((low, high))
        return compute(axis, low, high, size)

    monkeypatch.setattr(pg.AxisItem, "tickValues", counted)
    plots.plots["bp"].setXRange(-20, 250, padding=0)
    plots.graphics.grab()  # a paint
    assert 1 <= len(asked) <= 2
    upper = plots.plots["bp"].getAxis("bottom")
    _line, ticks, values = upper.generateDrawSpecs(None)
    assert ticks == [] and values == []
