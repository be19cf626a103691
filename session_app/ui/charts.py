"""Trend charts of a session's vital signs (pyqtgraph), for the staff panel and the summary.

The chart is a view: `TrendData` (a plain view model built from stored records) holds
the numbers; `TrendCharts` only draws them. Which points are out of range is not
decided here: a point is highlighted when the domain raised an alert on it. Threshold
lines and normal bands come from the session's protocol snapshot (`ChartLimits`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPicture
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from session_app.domain.clock import format_local
from session_app.domain.protocols import Thresholds
from session_app.domain.records import SessionEvent
from session_app.trends import TrendData, x_range
from session_app.ui.text import plain_label

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


def _arrays(data: TrendData, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """x (minutes) and y of one measure as arrays, NaN where it was not measured."""
    x, y = data.series(measure)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


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
                for value in values:
                    if not low <= value <= high:
                        continue
                    if vertical_lines:
                        painter.drawLine(QPointF(value, rect.top()), QPointF(value, rect.bottom()))
                    else:
                        painter.drawLine(QPointF(rect.left(), value), QPointF(rect.right(), value))
        painter.end()
        self.picture = picture


@dataclass(frozen=True)
class _PlotSpec:
    key: str
    title: str
    unit: str
    measures: tuple[str, ...]
    y_range: tuple[float, float]


PLOTS: tuple[_PlotSpec, ...] = (
    _PlotSpec("bp", "BP", "mmHg", ("systolic", "diastolic"), (50, 190)),
    _PlotSpec("hr", "HR", "/min", ("heart_rate",), (40, 140)),
    _PlotSpec("spo2", "SpO2", "%", ("spo2",), (86, 100)),
    _PlotSpec("rr", "RR", "/min", ("resp_rate",), (4, 34)),
)
AXIS_TEXT = "#37474f"
MEASURE_LABELS = {
    "systolic": "SYS",
    "diastolic": "DIA",
    "heart_rate": "HR",
    "spo2": "SpO2",
    "resp_rate": "RR",
}


class TrendCharts(QWidget):
    """Four stacked plots sharing the time axis, and a readout of the value under the cursor.

    `load_session(store, id)` reads everything once (summary, PDF); `follow(store)` also
    reloads whenever the store announces a change to that session (staff panel).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TrendCharts")
        self.setAccessibleName("Trend charts")
        self._data = TrendData()
        # Store announcements mark the chart stale; one reload runs per event-loop turn.
        self._reload_pending = False
        self._reload_timer = QTimer(self)
        self._reload_timer.setObjectName("TrendChartsReloadTimer")
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self.flush)
        self._dense: bool | None = None  # how the curves are drawn now (None: not yet)
        self._live = False  # following the store: time axis in whole frames (`x_range`)
        self._drawn_decorations: dict[str, object] = {}  # what each plot's lines show
        self._drawn_flags: dict[str, tuple[tuple[float, float, str], ...]] = {}
        self._store: Any = None
        self._session_id: int | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._describe: Callable[[SessionEvent], str] | None = None
        self._thresholds: Thresholds | None = None  # the loaded session's, read once

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("TrendChartsCanvas")
        self.graphics.setAccessibleName("Trend charts of blood pressure, heart rate, SpO2, RR")
        self.graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.graphics.ci.setSpacing(2)
        self.readout = plain_label("Move the pointer over a chart to read the values.")
        self.readout.setObjectName("ChartReadout")
        self.readout.setAccessibleName("Chart readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)

        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.flag_points: dict[str, pg.ScatterPlotItem] = {}
        self._decorations: dict[str, list[pg.GraphicsObject]] = {}
        self._cursor_lines: dict[str, pg.InfiniteLine] = {}
        axis_font = QFont()
        axis_font.setPointSize(9)
        first: pg.PlotItem | None = None
        for row, spec in enumerate(PLOTS):
            plot: pg.PlotItem = self.graphics.addPlot(row=row, col=0)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            grid = _AxisGrid(plot)
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
            if row < len(PLOTS) - 1:
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
                self.curves[measure] = curve
                flags = pg.ScatterPlotItem(size=12, pen=pg.mkPen("w", width=1.5))
                flags.setZValue(10)
                plot.addItem(flags)
                self.flag_points[measure] = flags
            cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#607d8b", width=1, style=Qt.DashLine))
            cursor.setVisible(False)
            cursor.setZValue(20)
            plot.addItem(cursor, ignoreBounds=True)
            self._cursor_lines[spec.key] = cursor
        self.plots["rr"].setLabel(
            "bottom", self.data.reference_label, color=AXIS_TEXT, **{"font-size": "9pt"}
        )
        self._mouse_proxy = pg.SignalProxy(
            self.graphics.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved
        )
        self.set_data(self.data)

    @property
    def data(self) -> TrendData:
        """What the charts show; a reload still pending from a store announcement runs first."""
        self.flush()
        return self._data

    # -- loading -----------------------------------------------------------------
    def load_session(
        self,
        store: Any,
        session_id: int,
        *,
        describe: Callable[[SessionEvent], str] | None = None,
    ) -> None:
        """Read a whole session's checks, events and alerts from the store and draw them."""
        self._cancel_pending_reload()
        if session_id != self._session_id:
            self._thresholds = None
        self._store = store
        self._session_id = session_id
        self._describe = describe
        data = TrendData.for_session(
            store, session_id, thresholds=self._thresholds, describe=describe
        )
        self._thresholds = data.thresholds  # a session's snapshot never changes
        self.set_data(data)

    def follow(self, store: Any) -> None:
        """Redraw when the store announces a change to the loaded session.

        A saved check is announced once, then once per alert it raised: the reload runs
        once, at the next turn of the event loop (or at once through `flush`, or when
        `data` is read), not once per announcement.
        """
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._store = store
        self._live = True

        def on_change(change: Any) -> None:
            if change.session_id is not None and change.session_id == self._session_id:
                self._schedule_reload()

        self._unsubscribe = store.subscribe(on_change)
        self.destroyed.connect(lambda *_: self.stop_following())

    def stop_following(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _schedule_reload(self) -> None:
        self._reload_pending = True
        if not self._reload_timer.isActive():
            self._reload_timer.start()

    def _cancel_pending_reload(self) -> None:
        self._reload_pending = False
        self._reload_timer.stop()

    @property
    def reload_pending(self) -> bool:
        """True between a store announcement and the reload it asks for."""
        return self._reload_pending

    def flush(self) -> None:
        """Run a pending reload now (tests, exports, or anyone who reads the chart at once)."""
        if self._reload_pending:
            self.reload()

    def reload(self) -> None:
        self._cancel_pending_reload()
        if self._store is not None and self._session_id is not None:
            self.load_session(self._store, self._session_id, describe=self._describe)

    def clear(self) -> None:
        self._cancel_pending_reload()
        self._session_id = None
        self.set_data(TrendData())

    # -- drawing -----------------------------------------------------------------
    def set_data(self, data: TrendData) -> None:
        self._data = data
        self._set_density(len(data.minutes) > DENSE_POINTS)
        for measure, curve in self.curves.items():
            x, y = _arrays(data, measure)
            if len(y) != len(x) or not np.isfinite(y).any():
                x, y = np.array([]), np.array([])  # nothing measured: draw nothing
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
        for spec in PLOTS:
            self._draw_decorations(spec, data)
        self.plots["rr"].setLabel(
            "bottom", data.reference_label, color=AXIS_TEXT, **{"font-size": "9pt"}
        )
        for spec in PLOTS:
            self.plots[spec.key].setYRange(*self._y_range(spec, data), padding=0.02)
        self.plots["bp"].setXRange(*x_range(data, live=self._live), padding=0)
        # pyqtgraph applies a new range when the canvas next paints; moving every item
        # inside that paint dirties the canvas again, so each save painted it twice.
        # Applying the range now keeps it to one paint (issue 7).
        for plot in self.plots.values():
            plot.vb.prepareForPaint()

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
    def _y_range(spec: _PlotSpec, data: TrendData) -> tuple[float, float]:
        """The default range, widened to show every value and the baseline-rise lines."""
        low, high = spec.y_range
        for measure in spec.measures:
            _, y = _arrays(data, measure)
            finite = y[np.isfinite(y)] if len(y) else y
            if len(finite):
                low, high = min(low, float(finite.min()) - 5), max(high, float(finite.max()) + 5)
        if spec.key == "bp":
            rises = (
                ("systolic", data.thresholds.sys_rise),
                ("diastolic", data.thresholds.dia_rise),
            )
            for measure, rise in rises:
                if measure in data.baseline and rise is not None:
                    high = max(high, data.baseline[measure] + rise + 5)
        if spec.key == "spo2":
            high = min(high, 100.5)
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
        items: list[pg.GraphicsObject] = []
        limits = data.thresholds
        lines: list[tuple[float, str, bool]] = []  # value, label, label below the line
        band: tuple[float | None, float | None] = (None, None)
        if spec.key == "bp":
            if limits.sys_high is not None:
                lines.append((limits.sys_high, f"SYS ≥ {limits.sys_high:g}", True))
            if limits.dia_high is not None:
                lines.append((limits.dia_high, f"DIA ≥ {limits.dia_high:g}", True))
        elif spec.key == "hr":
            band = (limits.hr_low, limits.hr_high)
        elif spec.key == "spo2":
            band = (limits.spo2_low, 100.0)
        elif spec.key == "rr":
            band = (limits.rr_low, limits.rr_high)
        if spec.key != "bp":
            for value, text in zip(band, ("<", ">"), strict=True):
                if value is not None and not (spec.key == "spo2" and text == ">"):
                    lines.append((value, f"{text} {value:g}", text == ">"))
            if band[0] is not None or band[1] is not None:
                low = band[0] if band[0] is not None else spec.y_range[0]
                high = band[1] if band[1] is not None else spec.y_range[1]
                region = pg.LinearRegionItem(
                    (low, high),
                    orientation="horizontal",
                    brush=pg.mkBrush(BAND_COLOUR),
                    pen=pg.mkPen(None),
                    movable=False,
                )
                region.setZValue(-20)
                items.append(region)
        for value, text, below in lines:
            threshold = pg.mkPen(THRESHOLD_COLOUR, width=1, style=Qt.DashLine)
            anchor = (0, 0) if below else (0, 1)
            items.append(_labelled_line(value, 0, threshold, text, 0.01, anchor))
        if spec.key == "bp":
            for measure, rise in (
                ("systolic", limits.sys_rise),
                ("diastolic", limits.dia_rise),
            ):
                base = data.baseline.get(measure)
                if base is None:
                    continue
                name = MEASURE_LABELS[measure]
                pen = pg.mkPen(SERIES_COLOURS[measure], width=1.5, style=Qt.DotLine)
                items.append(
                    _labelled_line(base, 0, pen, f"baseline {name} {base:g}", 0.75, (1, 0))
                )
                if rise is not None:
                    pen = pg.mkPen(THRESHOLD_COLOUR, width=1, style=Qt.DotLine)
                    items.append(
                        _labelled_line(base + rise, 0, pen, f"{name} +{rise:g}", 0.99, (1, 1))
                    )
        for marker in data.markers:
            label = marker.label if spec.key == "bp" else None
            pen = pg.mkPen(MARKER_COLOUR, width=1.5)
            items.append(_labelled_line(marker.minute, 90, pen, label, 0.04, (0, 1)))
        for item in items:
            item.setZValue(item.zValue() if item.zValue() < 0 else -5)
            plot.addItem(item, ignoreBounds=True)
        self._decorations[spec.key] = items

    # -- cursor readout ----------------------------------------------------------
    def _mouse_moved(self, event: tuple[QPointF]) -> None:
        position = event[0]
        for spec in PLOTS:
            plot = self.plots[spec.key]
            if plot.sceneBoundingRect().contains(position):
                minute = plot.vb.mapSceneToView(position).x()
                self.show_readout_at(minute)
                return
        self.hide_readout()

    def show_readout_at(self, minute: float) -> str:
        """Describe the check nearest to `minute` (the cursor) and draw a cursor line there."""
        if not self.data.minutes:
            self.hide_readout()
            return ""
        index = int(np.argmin(np.abs(np.asarray(self.data.minutes) - minute)))
        x = self.data.minutes[index]
        parts: list[str] = []
        sys_, dia = self.data.values["systolic"][index], self.data.values["diastolic"][index]
        if not math.isnan(sys_) and not math.isnan(dia):
            parts.append(f"BP {sys_:.0f}/{dia:.0f} mmHg")
        for measure, unit in (("heart_rate", "/min"), ("spo2", "%"), ("resp_rate", "/min")):
            value = self.data.values[measure][index]
            if not math.isnan(value):
                parts.append(f"{MEASURE_LABELS[measure]} {value:.0f}{unit}")
        when = format_local(self.data.times[index], with_date=False)
        text = f"{x:+.0f} min ({when}): " + (" · ".join(parts) if parts else "no chart values")
        self.readout.setText(text)
        for line in self._cursor_lines.values():
            line.setPos(x)
            line.setVisible(True)
        return text

    def hide_readout(self) -> None:
        for line in self._cursor_lines.values():
            line.setVisible(False)

    # -- rendering for the summary and the PDF -----------------------------------
    def render_image(self, size: QSize) -> QImage:
        """Draw the charts (without the readout) into an image of the given size."""
        readout_visible = self.readout.isVisibleTo(self)
        self.hide_readout()
        self.readout.setVisible(False)
        old_size = self.graphics.size()
        self.graphics.resize(size)
        self.graphics.ci.setGeometry(0, 0, size.width(), size.height())
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.graphics.scene().render(
            painter, image.rect().toRectF(), self.graphics.ci.sceneBoundingRect()
        )
        painter.end()
        self.graphics.resize(old_size)
        self.readout.setVisible(readout_visible)
        return image
