"""Drawing a session's trends with pyqtgraph: the four plots, shared by the staff panel's
chart widget (ui/charts.py) and the PDF (`render_trends`).

Outside `ui/` on purpose: the export draws the same charts without building the staff
panel's widget or importing anything from `ui/` (issue 14). What each plot draws besides
its curves (threshold lines, a normal band, the baseline and its rise) is data on its
`_PlotSpec`, read from the session's `Thresholds`; the numbers come from `TrendData`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPicture
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy

from session_app.domain.protocols import Thresholds
from session_app.trends import TRACE_MEASURES, Series, TrendData, x_range

# Series colours: calm, distinct, none of them a severity colour (red/amber mean alerts).
SERIES_COLOURS: dict[str, str] = {
    "systolic": "#1d4f91",
    "diastolic": "#5b8fd1",
    "heart_rate": "#2e7d6b",
    "spo2": "#6a4c93",
    "resp_rate": "#8a5a14",
}
SEVERITY_COLOURS: dict[str, str] = {
    "advisory": "#1d5fa0",
    "alert": "#d98c00",
    "high": "#c62828",
    "urgent": "#8e0000",
}
BAND_COLOUR = QColor(46, 125, 50, 26)  # faint green: inside the clinic's thresholds
THRESHOLD_COLOUR = "#c62828"
MARKER_COLOUR = "#37474f"
LABEL_FILL = (255, 255, 255, 210)  # labels stay legible over curves and grid
GRID_COLOUR = "#90a4ae"  # the axes' colour, as their grid had
GRID_ALPHA = int(0.15 * 255) / 255  # what showGrid(alpha=0.15) gave the axes
# Above this many points a curve has more points than pixels: it is drawn thin, without
# symbols, clipped to the view and peak-downsampled (8 h of 1 Hz monitor data).
DENSE_POINTS = 2000
# A finished session's charts (summary, PDF) leave this share of the data's span free on
# each side: the threshold labels sit there (left) and the rise labels (right), so no
# point, even one exactly at a threshold, is drawn over a label (issue 15).
LABEL_MARGIN = 0.15
# The monitor trace is drawn as an envelope of this many bins per pixel of the plot's
# width (`trace_envelope`), and of at least MIN_TRACE_COLUMNS before the canvas is laid
# out (the PDF's plots are sized only when they are rendered).
TRACE_COLUMNS_PER_PIXEL = 2
MIN_TRACE_COLUMNS = 1600


# What a trace flush leaves alone (the checks, their rings, the thresholds, bands, labels
# and grid) is painted from a device pixmap, drawn again only when it changes: with the
# 8 h trace, a repaint drew every symbol and line each time (~17 ms of a frame's 16).
CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache


def _cached(item: QGraphicsItem) -> QGraphicsItem:
    """`item` and the items it is made of (a curve's line and symbols, a line's label)
    painted from their cache."""
    item.setCacheMode(CACHED)
    for child in item.childItems():
        _cached(child)
    return item


def _arrays(data: TrendData, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """x (minutes) and y of one measure as arrays, NaN where it was not measured."""
    x, y = data.series(measure)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def trace_envelope(xs: np.ndarray, ys: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """The trace as drawn: its x span cut into `columns` equal bins, each bin's lowest and
    highest value at their own times, in time order. Qt-free.

    A line through every point of 8 h at 1 Hz costs more to hand over and to paint than
    the pixels it covers; the envelope keeps what the eye reads there (a one-second dip
    to 85 in 8 h is its bin's minimum). A NaN (trends.TRACE_GAP_S: the feed paused)
    still breaks the line: a bin that spans a gap keeps each side on its own, so at most
    2 × columns points plus 3 per gap come out. A trace that short is returned as given.
    """
    n = len(ys)
    if n <= 2 * columns:
        return xs, ys
    gaps = np.isnan(ys)  # each break is a run of its own, so no run joins its two sides
    span = xs[-1] - xs[0]
    column = ((xs - xs[0]) * (columns / span if span > 0 else 0.0)).astype(np.intp)
    np.minimum(column, columns - 1, out=column)
    new_run = np.empty(n, dtype=bool)  # a run: one bin's values between two breaks
    new_run[0] = True
    np.not_equal(column[1:], column[:-1], out=new_run[1:])
    new_run[1:] |= gaps[1:] | gaps[:-1]
    starts = np.flatnonzero(new_run)
    lengths = np.diff(starts, append=n)
    index = np.arange(n)
    lowest = (ys == np.repeat(np.minimum.reduceat(ys, starts), lengths)) | gaps
    highest = (ys == np.repeat(np.maximum.reduceat(ys, starts), lengths)) | gaps
    at_min = np.minimum.reduceat(np.where(lowest, index, n), starts)  # its first lowest
    at_max = np.minimum.reduceat(np.where(highest, index, n), starts)
    picked = np.column_stack([np.minimum(at_min, at_max), np.maximum(at_min, at_max)]).ravel()
    once = np.ones(len(picked), dtype=bool)  # a break's run: its one NaN, once
    once[1::2] = ~gaps[picked[1::2]]
    picked = picked[once]
    return xs[picked], ys[picked]


def _over_white(colour: QColor, alpha: float) -> QColor:
    """`colour` at `alpha` as it shows on the white canvas, as an opaque colour: the grid
    lies on the bare background, and opaque lines are cheaper to draw than blended ones."""

    def mix(channel: int) -> int:
        return round(channel * alpha + 255 * (1 - alpha))

    return QColor(mix(colour.red()), mix(colour.green()), mix(colour.blue()))


def _labelled_line(
    pos: float,
    angle: float,
    pen: QPen,
    label: str | None,
    position: float,
    anchor: tuple[int, int],
) -> pg.InfiniteLine:
    """A threshold, baseline or event line, its label in the line's colour on a light
    fill (legible over curves and grid), `position` along the line."""
    return pg.InfiniteLine(
        pos=pos,
        angle=angle,
        pen=pen,
        label=label,
        labelOpts={
            "position": position,
            "color": pen.color(),
            "anchors": [anchor, anchor],
            "fill": LABEL_FILL,
        },
    )


class _TickAxis(pg.AxisItem):
    """An axis whose ticks are worked out once per range and length for all the plots:
    the four plots share one time axis, and each plot's axis and grid asked for the
    same ticks again at each frame change of the live chart (a third of that repaint)."""

    _recent: dict[tuple[str, float, float, float], list] = {}  # noqa: RUF012 (shared)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        key = (self.orientation, minVal, maxVal, size)
        ticks = _TickAxis._recent.get(key)
        if ticks is None:
            if len(_TickAxis._recent) > 64:  # old ranges: never asked for again
                _TickAxis._recent.clear()
            ticks = _TickAxis._recent[key] = super().tickValues(minVal, maxVal, size)
        return ticks


class _LineAxis(_TickAxis):
    """The upper plots' time axis: no tick marks and no values (the bottom plot has
    them), so only its line is drawn; the grid still follows its ticks."""

    def generateDrawSpecs(self, p: QPainter) -> tuple:
        bounds = self.mapRectFromParent(self.geometry())
        start = bounds.topLeft() + pg.Point(-1.0, 1.0)  # where AxisItem draws its line
        end = bounds.topRight() + pg.Point(1.0, 1.0)
        return (self.pen(), start, end), [], []


class _AxisGrid(pg.GridItem):
    """The axes' grid (lines at their major and minor ticks), drawn once into a picture.

    `PlotItem.showGrid` makes each axis draw its grid on every repaint of the canvas
    (most of a save's redraw, issue 7); a GridItem keeps its picture until the view's
    range or size changes. Lines, levels and opacities follow what `AxisItem` draws for
    `showGrid(alpha=GRID_ALPHA)`, so the charts look as they did.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__(textPen=None)
        self._plot = plot

    def generatePicture(self) -> None:
        rect = self.boundingRect()
        if rect.isNull() or self.deviceTransform_() is None:
            return
        view = self._plot.vb
        picture = QPicture()
        painter = QPainter(picture)
        for axis_name, vertical_lines in (("bottom", True), ("left", False)):
            axis = self._plot.getAxis(axis_name)
            if vertical_lines:
                low, high, size = rect.left(), rect.right(), view.width()
            else:
                low, high, size = rect.top(), rect.bottom(), view.height()
            low, high = min(low, high), max(low, high)
            if size <= 0 or high <= low:
                continue
            for level, (_spacing, values) in enumerate(axis.tickValues(low, high, size)):
                fill = min(max(0.05 * size / (len(values) + 1), 0.0), 1.0)
                pen = QPen(_over_white(QColor(GRID_COLOUR), GRID_ALPHA * fill / (level + 1)))
                pen.setCosmetic(True)
                painter.setPen(pen)
                shown = [value for value in values if low <= value <= high]
                if vertical_lines:
                    lines = [QLineF(v, rect.top(), v, rect.bottom()) for v in shown]
                else:
                    lines = [QLineF(rect.left(), v, rect.right(), v) for v in shown]
                painter.drawLines(lines)  # one call a level, not one a line
        painter.end()
        self.picture = picture


Edge = str | float | None  # a Thresholds field name, a fixed value, or no edge


@dataclass(frozen=True)
class _PlotSpec:
    """One plot, and what it draws besides its curves (read from the Thresholds)."""

    key: str
    title: str
    unit: str
    measures: tuple[str, ...]
    y_range: tuple[float, float]
    limit_lines: tuple[tuple[str, str], ...] = ()  # (Thresholds field, label), label below
    band: tuple[Edge, Edge] | None = None  # the normal band: its low and high edges
    band_high_line: bool = True  # SpO2: no "> 100" line at the top of the scale
    rises: tuple[tuple[str, str], ...] = ()  # (measure, Thresholds rise field) over baseline
    marker_labels: bool = False  # name the event markers (on one plot is enough)
    y_cap: float | None = None  # never scale above (SpO2: 100 %)

    def edges(self, thresholds: Thresholds) -> tuple[float | None, float | None]:
        """The band's low and high values (None: no such edge)."""
        if self.band is None:
            return None, None
        low, high = (_value(thresholds, edge) for edge in self.band)
        return low, high

    def lines(self, thresholds: Thresholds) -> list[tuple[float, str, bool]]:
        """The threshold lines: value, label, whether the label sits below the line."""
        lines = [
            (value, f"{label} {value:g}", True)
            for name, label in self.limit_lines
            if (value := _value(thresholds, name)) is not None
        ]
        low, high = self.edges(thresholds)
        if low is not None:
            lines.append((low, f"< {low:g}", False))
        if high is not None and self.band_high_line:
            lines.append((high, f"> {high:g}", True))
        return lines


def _value(thresholds: Thresholds, edge: Edge) -> float | None:
    if edge is None or isinstance(edge, int | float):
        return edge
    return getattr(thresholds, edge, None)


PLOTS: tuple[_PlotSpec, ...] = (
    _PlotSpec(
        "bp",
        "BP",
        "mmHg",
        ("systolic", "diastolic"),
        (50, 190),
        limit_lines=(("sys_high", "SYS ≥"), ("dia_high", "DIA ≥")),
        rises=(("systolic", "sys_rise"), ("diastolic", "dia_rise")),
        marker_labels=True,
    ),
    _PlotSpec("hr", "HR", "/min", ("heart_rate",), (40, 140), band=("hr_low", "hr_high")),
    _PlotSpec(
        "spo2",
        "SpO2",
        "%",
        ("spo2",),
        (86, 100),
        band=("spo2_low", 100.0),
        band_high_line=False,
        y_cap=100.5,
    ),
    _PlotSpec("rr", "RR", "/min", ("resp_rate",), (4, 34), band=("rr_low", "rr_high")),
)
AXIS_TEXT = "#37474f"
MEASURE_LABELS = {
    "systolic": "SYS",
    "diastolic": "DIA",
    "heart_rate": "HR",
    "spo2": "SpO2",
    "resp_rate": "RR",
}


class TrendPlots:
    """The four stacked plots sharing the time axis, on one pyqtgraph canvas (`graphics`)."""

    def __init__(self) -> None:
        self._dense: bool | None = None  # how the curves are drawn now (None: not yet)
        self._drawn_decorations: dict[str, object] = {}  # what each plot's lines show
        self._drawn_flags: dict[str, tuple[tuple[float, float, str], ...]] = {}
        self._drawn_checks: dict[str, tuple[object, object]] = {}  # the tuples drawn
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("TrendChartsCanvas")
        self.graphics.setAccessibleName("Trend charts of blood pressure, heart rate, SpO2, RR")
        self.graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.graphics.ci.setSpacing(2)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.flag_points: dict[str, pg.ScatterPlotItem] = {}
        self.trace_curves: dict[str, pg.PlotDataItem] = {}
        self._trace: dict[str, Series] = {}  # the trace arrays of the last set_data
        self._drawn_trace: dict[str, tuple[object, object, int]] = {}  # arrays, columns
        self._trace_bounds: dict[str, tuple[float, float]] = {}  # y min and max drawn
        self._decorations: dict[str, list[pg.GraphicsObject]] = {}
        axis_font = QFont()
        axis_font.setPointSize(9)
        first: pg.PlotItem | None = None
        for row, spec in enumerate(PLOTS):
            last = row == len(PLOTS) - 1
            axes = {
                "left": _TickAxis("left"),
                "bottom": (_TickAxis if last else _LineAxis)("bottom"),
            }
            plot: pg.PlotItem = self.graphics.addPlot(row=row, col=0, axisItems=axes)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            grid = _cached(_AxisGrid(plot))
            grid.setZValue(-50)
            plot.addItem(grid, ignoreBounds=True)
            plot.getAxis("left").setWidth(62)
            # As with the axes' own grid: no tick marks, no value label past the plot's edge.
            plot.getAxis("left").setStyle(hideOverlappingLabels=True, tickAlpha=0)
            plot.getAxis("bottom").setStyle(tickAlpha=0)
            plot.setYRange(*spec.y_range, padding=0.02)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTickFont(axis_font)
                plot.getAxis(axis).setTextPen("#37474f")
                plot.getAxis(axis).setPen("#90a4ae")
            plot.setLabel(
                "left", f"{spec.title} ({spec.unit})", color=AXIS_TEXT, **{"font-size": "9pt"}
            )
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            if not last:
                plot.getAxis("bottom").setStyle(showValues=False)
            self.plots[spec.key] = plot
            self._decorations[spec.key] = []
            for measure in spec.measures:
                colour = SERIES_COLOURS[measure]
                curve = plot.plot(
                    [],
                    [],
                    pen=pg.mkPen(colour, width=2),
                    symbol="o",
                    symbolSize=6,
                    symbolBrush=colour,
                    symbolPen=pg.mkPen("w", width=1),
                    connect="finite",
                    name=MEASURE_LABELS[measure],
                )
                self.curves[measure] = _cached(curve)
                flags = _cached(pg.ScatterPlotItem(size=12, pen=pg.mkPen("w", width=1.5)))
                flags.setZValue(10)
                plot.addItem(flags)
                self.flag_points[measure] = flags
        self.plots["rr"].setLabel(
            "bottom", TrendData().reference_label, color=AXIS_TEXT, **{"font-size": "9pt"}
        )
        self.plots["bp"].vb.sigResized.connect(self._draw_traces)  # finer bins when wider
        self.set_data(TrendData())

    def set_data(self, data: TrendData, *, live: bool = False) -> None:
        """Draw `data`; `live`: the time axis in whole frames (`x_range`)."""
        self._set_density(len(data.minutes) > DENSE_POINTS)
        for measure, curve in self.curves.items():
            x, y = _arrays(data, measure)
            if len(y) != len(x) or not np.isfinite(y).any():
                x, y = np.array([]), np.array([])  # nothing measured: draw nothing
            checks = (data.minutes, data.values.get(measure, ()))
            drawn = self._drawn_checks.get(measure)
            if drawn is None or drawn[0] is not checks[0] or drawn[1] is not checks[1]:
                self._drawn_checks[measure] = checks  # a trace flush keeps the same tuples
                curve.setData(x, y, connect="finite")
            severities = data.flagged.get(measure, ())
            flagged = tuple(
                (float(x[i]), float(y[i]), sev)
                for i, sev in enumerate(severities)
                if sev and i < len(y) and not math.isnan(y[i])
            )
            if self._drawn_flags.get(measure) != flagged:  # a save rarely changes them
                self._drawn_flags[measure] = flagged
                self._draw_flags(measure, flagged)
        self._trace = dict(data.trace)
        self._draw_traces()
        for spec in PLOTS:
            self._draw_decorations(spec, data)
        if self.plots["rr"].getAxis("bottom").labelText != data.reference_label:
            # setting it, even to the same text, makes the axis rebuild its ticks next paint
            self.plots["rr"].setLabel(
                "bottom", data.reference_label, color=AXIS_TEXT, **{"font-size": "9pt"}
            )
        for spec in PLOTS:
            self.plots[spec.key].setYRange(
                *self._y_range(spec, data, self._trace_bounds), padding=0.02
            )
        low, high = x_range(data, live=live)
        if not live:
            margin = (high - low) * LABEL_MARGIN
            low, high = low - margin, high + margin
        self.plots["bp"].setXRange(low, high, padding=0)
        # pyqtgraph applies a new range when the canvas next paints; moving every item
        # inside that paint dirties the canvas again, so each save painted it twice.
        # Applying the range now keeps it to one paint (issue 7).
        for plot in self.plots.values():
            plot.vb.prepareForPaint()

    def _draw_traces(self) -> None:
        """Hand each trace's envelope to its curve, unless these very arrays are drawn
        already at this width: a save, or a trace flush with nothing new, brings the same
        arrays, and handing them over again was most of a redraw."""
        columns = self._trace_columns()
        for measure in TRACE_MEASURES:
            xs, ys = self._trace.get(measure, ((), ()))
            if measure not in self.trace_curves and not len(xs):
                continue  # no monitor: no trace item at all (a save draws nothing more)
            drawn = self._drawn_trace.get(measure)
            if drawn is not None and drawn[0] is xs and drawn[1] is ys and drawn[2] == columns:
                continue
            self._drawn_trace[measure] = (xs, ys, columns)
            x, y = trace_envelope(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), columns)
            finite = y[np.isfinite(y)]
            if len(finite):
                self._trace_bounds[measure] = (float(finite.min()), float(finite.max()))
            else:
                self._trace_bounds.pop(measure, None)
            trace = self.trace_curves.get(measure) or self._add_trace(measure)
            trace.setData(x, y, connect="finite")

    def _trace_columns(self) -> int:
        """Envelope bins for the plots' width now (they share one time axis)."""
        width = int(self.plots["bp"].vb.width())
        return max(TRACE_COLUMNS_PER_PIXEL * width, MIN_TRACE_COLUMNS)

    def _add_trace(self, measure: str) -> pg.PlotDataItem:
        plot = next(self.plots[s.key] for s in PLOTS if measure in s.measures)
        trace = self.trace_curves[measure] = _trace_curve(plot, SERIES_COLOURS[measure])
        return trace

    def _draw_flags(self, measure: str, flagged: tuple[tuple[float, float, str], ...]) -> None:
        """Ring the points the domain raised an alert on, in the alert's severity colour."""
        if not flagged:
            self.flag_points[measure].clear()
            return
        self.flag_points[measure].setData(
            [
                {
                    "pos": (x, y),
                    "brush": pg.mkBrush(SEVERITY_COLOURS.get(sev, SEVERITY_COLOURS["alert"])),
                    "symbol": "o",
                }
                for x, y, sev in flagged
            ]
        )

    def _set_density(self, dense: bool) -> None:
        """Typed checks: a width-2 line with a dot per check. Monitor data (more points
        than pixels): a width-1 line, no dots, clipped to the view and peak-downsampled,
        so one repaint stays within a frame (issue 7)."""
        if dense == self._dense:
            return
        self._dense = dense
        for measure, curve in self.curves.items():
            colour = SERIES_COLOURS[measure]
            if dense:
                curve.setSymbol(None)
                curve.setPen(pg.mkPen(colour, width=1))
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
            else:
                curve.setDownsampling(ds=1, auto=False)
                curve.setClipToView(False)
                curve.setPen(pg.mkPen(colour, width=2))
                curve.setSymbol("o")

    @property
    def dense(self) -> bool:
        """True while the curves are drawn in the monitor-data mode (see `_set_density`)."""
        return bool(self._dense)

    @staticmethod
    def _y_range(
        spec: _PlotSpec, data: TrendData, traced: Mapping[str, tuple[float, float]]
    ) -> tuple[float, float]:
        """The default range, widened to show every value, the trace's lowest and highest
        (`traced`, per measure) and the baseline-rise lines."""
        low, high = spec.y_range
        for measure in spec.measures:
            _, y = _arrays(data, measure)
            finite = y[np.isfinite(y)] if len(y) else y
            if len(finite):
                low, high = min(low, float(finite.min()) - 5), max(high, float(finite.max()) + 5)
            if measure in traced:
                low, high = min(low, traced[measure][0] - 5), max(high, traced[measure][1] + 5)
        for measure, rise_name in spec.rises:
            rise = _value(data.thresholds, rise_name)
            if measure in data.baseline and rise is not None:
                high = max(high, data.baseline[measure] + rise + 5)
        if spec.y_cap is not None:
            high = min(high, spec.y_cap)
        return low, high

    def _draw_decorations(self, spec: _PlotSpec, data: TrendData) -> None:
        """Threshold lines, bands, baseline and event markers; rebuilt only when they change
        (rebuilding them on every save was a fifth of the save's time, issue 7)."""
        shown = (data.thresholds, tuple(sorted(data.baseline.items())), data.markers)
        if self._drawn_decorations.get(spec.key) == shown:
            return
        self._drawn_decorations[spec.key] = shown
        plot = self.plots[spec.key]
        for item in self._decorations[spec.key]:
            plot.removeItem(item)
        items = [
            *_band(spec, data.thresholds),
            *_threshold_lines(spec, data.thresholds),
            *_baseline_lines(spec, data),
            *_marker_lines(spec, data),
        ]
        for item in items:
            item.setZValue(item.zValue() if item.zValue() < 0 else -5)
            plot.addItem(_cached(item), ignoreBounds=True)
        self._decorations[spec.key] = items

    def render_image(self, size: QSize) -> QImage:
        """Draw the plots into an image of the given size (the canvas keeps its own),
        every item drawn afresh: the screen's cached pixmaps (CACHED) would be scaled."""
        old_size = self.graphics.size()
        self.graphics.resize(size)
        self.graphics.ci.setGeometry(0, 0, size.width(), size.height())
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        scene = self.graphics.scene()
        cached = [item for item in scene.items() if item.cacheMode() == CACHED]
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            scene.render(painter, image.rect().toRectF(), self.graphics.ci.sceneBoundingRect())
        finally:
            painter.end()
            for item in cached:
                item.setCacheMode(CACHED)
            self.graphics.resize(old_size)
        return image


def _trace_curve(plot: pg.PlotItem, colour: str) -> pg.PlotDataItem:
    """The monitor's continuous values: a thin, paler line under the typed points. It is
    given its envelope (`trace_envelope`), a few thousand points, so pyqtgraph's own
    downsampling and clipping stay off: they went over the whole 8 h on every paint."""
    trace = plot.plot([], [], pen=pg.mkPen(_over_white(QColor(colour), 0.45), width=1))
    trace.setDownsampling(ds=1, auto=False)
    trace.setClipToView(False)
    trace.setZValue(-1)
    return trace


def _band(spec: _PlotSpec, thresholds: Thresholds) -> list[pg.GraphicsObject]:
    """The faint green band inside the thresholds (an open edge runs to the default range)."""
    low, high = spec.edges(thresholds)
    if low is None and high is None:
        return []
    region = pg.LinearRegionItem(
        (
            low if low is not None else spec.y_range[0],
            high if high is not None else spec.y_range[1],
        ),
        orientation="horizontal",
        brush=pg.mkBrush(BAND_COLOUR),
        pen=pg.mkPen(None),
        movable=False,
    )
    region.setZValue(-20)
    return [region]


def _threshold_lines(spec: _PlotSpec, thresholds: Thresholds) -> list[pg.GraphicsObject]:
    pen = pg.mkPen(THRESHOLD_COLOUR, width=1, style=Qt.DashLine)
    return [
        _labelled_line(value, 0, pen, text, 0.01, (0, 0) if below else (0, 1))
        for value, text, below in spec.lines(thresholds)
    ]


def _baseline_lines(spec: _PlotSpec, data: TrendData) -> list[pg.GraphicsObject]:
    """Each measure's baseline (domain.baseline) and the rise over it that alerts."""
    items: list[pg.GraphicsObject] = []
    for measure, rise_name in spec.rises:
        base = data.baseline.get(measure)
        if base is None:
            continue
        name = MEASURE_LABELS[measure]
        pen = pg.mkPen(SERIES_COLOURS[measure], width=1.5, style=Qt.DotLine)
        items.append(_labelled_line(base, 0, pen, f"baseline {name} {base:g}", 0.75, (1, 0)))
        rise = _value(data.thresholds, rise_name)
        if rise is not None:
            # below its line: above it, the label was cut off when the line neared the top
            pen = pg.mkPen(THRESHOLD_COLOUR, width=1, style=Qt.DotLine)
            items.append(_labelled_line(base + rise, 0, pen, f"{name} +{rise:g}", 0.99, (1, 0)))
    return items


def _marker_lines(spec: _PlotSpec, data: TrendData) -> list[pg.GraphicsObject]:
    pen = pg.mkPen(MARKER_COLOUR, width=1.5)
    return [
        _labelled_line(m.minute, 90, pen, m.label if spec.marker_labels else None, 0.04, (0, 1))
        for m in data.markers
    ]


def render_trends(data: TrendData, size: QSize) -> QImage:
    """The charts of `data` as an image (the PDF's): the staff panel's drawing, no widget
    of the panel. Needs a QApplication."""
    plots = TrendPlots()
    try:
        plots.set_data(data)
        return plots.render_image(size)
    finally:
        plots.graphics.deleteLater()
