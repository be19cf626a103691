"""The trend charts widget of the staff panel and the summary: the plots and a readout.

The numbers are `TrendData` (session_app/trends.py, pure); the drawing is
`session_app/trend_plots.py`, which the PDF shares without this widget. This widget
loads a session, follows the store's announcements (one reload per event-loop turn)
and reads out the values under the pointer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout, QWidget

from session_app.domain.clock import format_local
from session_app.domain.protocols import Thresholds
from session_app.domain.records import SessionEvent
from session_app.domain.summary import RecordSource
from session_app.seams import RecordReader
from session_app.store.repository import Change, ChangeKind
from session_app.trend_plots import (
    DENSE_POINTS as DENSE_POINTS,  # re-exported: the redraw tests use it
)
from session_app.trend_plots import MEASURE_LABELS, PLOTS, TrendPlots
from session_app.trend_plots import SEVERITY_COLOURS as SEVERITY_COLOURS
from session_app.trends import TrendData
from session_app.ui.text import plain_label


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
        self._live = False  # following the store: time axis in whole frames (`x_range`)
        self._store: RecordSource | None = None
        self._session_id: int | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._describe: Callable[[SessionEvent], str] | None = None
        self._thresholds: Thresholds | None = None  # the loaded session's, read once

        self._trend_plots = TrendPlots()
        self.graphics = self._trend_plots.graphics
        self.plots = self._trend_plots.plots
        self.curves = self._trend_plots.curves
        self.flag_points = self._trend_plots.flag_points
        self._decorations = self._trend_plots._decorations  # the lines each plot shows
        self.readout = plain_label("Move the pointer over a chart to read the values.")
        self.readout.setObjectName("ChartReadout")
        self.readout.setAccessibleName("Chart readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)
        self._cursor_lines: dict[str, pg.InfiniteLine] = {}
        for spec in PLOTS:
            cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#607d8b", width=1, style=Qt.DashLine))
            cursor.setVisible(False)
            cursor.setZValue(20)
            self.plots[spec.key].addItem(cursor, ignoreBounds=True)
            self._cursor_lines[spec.key] = cursor
        self._mouse_proxy = pg.SignalProxy(
            self.graphics.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved
        )

    @property
    def data(self) -> TrendData:
        """What the charts show; a reload still pending from a store announcement runs first."""
        self.flush()
        return self._data

    # -- loading -----------------------------------------------------------------
    def load_session(
        self,
        store: RecordSource,
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

    def follow(self, store: RecordReader) -> None:
        """Redraw when the store announces a change to the loaded session.

        A saved check is announced once, then once per alert it raised: the reload runs
        once, at the next turn of the event loop (or at once through `flush`, or when
        `data` is read), not once per announcement.
        """
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._store = store
        self._live = True

        def on_change(change: Change) -> None:
            if change.kind in (ChangeKind.DEVICE_DATA, ChangeKind.DEVICE_NOTICE):
                return  # monitor values come each second; the typed record is what is drawn
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
        self._trend_plots.set_data(data, live=self._live)

    @property
    def dense(self) -> bool:
        """True while the curves are drawn in the monitor-data mode (trend_plots)."""
        return self._trend_plots.dense

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
        image = self._trend_plots.render_image(size)
        self.readout.setVisible(readout_visible)
        return image
