"""The trend charts widget of the staff panel and the summary: the plots and a readout.

The numbers are `TrendData` (session_app/trends.py, pure); the drawing is
`session_app/trend_plots.py`, which the PDF shares without this widget. This widget
loads a session, follows the store's announcements (one reload per event-loop turn)
and reads out the values under the pointer.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout, QWidget

from session_app.devices.codes import continuous_values
from session_app.domain.clock import format_local, minutes_between
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
from session_app.trends import (
    TRACE_MEASURES,
    Series,
    TraceSample,
    TrendData,
    trace_continuous,
)
from session_app.ui.text import plain_label
from session_app.ui.turns import shared_turn_queue

# The monitor trace is redrawn at most this often while numerics arrive (1 Hz): drawing
# each sample would cost the room's computer far more than the 1 % of a core allowed.
TRACE_REDRAW_MS = 5000
# …and no more often than the time one pixel of the time axis spans: on an 8 h frame a
# pixel is about 30 s, and redrawing 8 h of trace (~25 ms) every 5 s would move nothing.
TRACE_REDRAW_MAX_MS = 60_000
# New values are taken in (read and settled, not drawn) this often while they arrive, so
# that a redraw a minute apart never has minutes of a fast feed to take in at once.
TRACE_INTAKE_MS = 5000
# The timer's trace redraw paints this long after its data work (_redraw_trace_over_two_turns).
PAINT_AFTER_MS = 1
# New values are read from this far before the newest one seen (by row id, so each once):
# a value that comes in late by more than this waits for the next session load. Short:
# each redraw reads this window (3 values a second from a monitor).
TRACE_LATE_ARRIVAL = timedelta(seconds=30)
# The values of this last span are kept and traced again at each redraw (a late value or a
# second device's takes its place); older ones are settled into arrays. Longer than the
# late arrival read, so a value read as late still lands among the kept ones.
RECENT_SPAN = 2 * TRACE_LATE_ARRIVAL
# Store changes that are the monitor's, not the record's: they move the trace only.
DEVICE_KINDS = (ChangeKind.DEVICE_DATA, ChangeKind.DEVICE_NOTICE)


class StoredSample(TraceSample, Protocol):
    """A device value with its row id (store.devices.DeviceObservation)."""

    @property
    def id(self) -> int: ...


class DeviceValues(Protocol):
    """The store's device values (store.devices), when the chart's store has them."""

    def trace_values(
        self,
        session_id: int,
        measures: Sequence[str],
        *,
        since: datetime | None = None,
        after_id: int = 0,
    ) -> Sequence[StoredSample]: ...


class LiveTrace:
    """A session's monitor trace, kept and extended as values come in.

    Tracing 8 h of 1 Hz HR and SpO2 again (trends.trace_series) takes about 0.4 s; each
    redraw instead traces only what is recent. The values of the last RECENT_SPAN per
    measure are kept as samples and traced again with the ones that came in (so a late
    value, a second device on another clock, or a pause takes its place by the gap rule);
    what is older is settled into arrays and never traced again. The trace is handed out
    as read-only numpy arrays, new ones only when values came in: the chart redraws a
    trace only when its arrays are new ones. No sample objects are kept for the 8 h
    (they made every full garbage collection of the app's process a stall).
    """

    def __init__(self, store: DeviceValues, session_id: int) -> None:
        self._store = store
        self._session_id = session_id
        self._recent: dict[str, list[StoredSample]] = {m: [] for m in TRACE_MEASURES}
        self._settled_last: dict[str, StoredSample] = {}  # the newest value settled
        self._settled: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._reference: datetime | None = None
        self._last_id = 0
        self._newest: datetime | None = None
        self._changed: set[str] = set()  # measures taken in since the last trace

    def update(self, reference: datetime | None) -> bool:
        """Take in the values stored since the last look and trace what changed, in
        minutes from `reference`; False when nothing changed (no new value, same minute
        0): no redraw needed."""
        if reference is None:
            return False
        self.take_in(reference)
        return self.retrace(reference)

    def retrace(self, reference: datetime | None) -> bool:
        """Trace what was taken in since the last trace (no store read); False when
        nothing changed."""
        if reference is None:
            return False
        changed, self._changed = self._changed, set()
        for measure in changed:
            self._series[measure] = self._traced(measure, reference)
        return bool(changed)

    def take_in(self, reference: datetime | None) -> None:
        """Read the values stored since the last look and settle the older ones, without
        tracing the kept ones again: cheap, so it can run more often than the redraw. A
        redraw every minute of a feed sent at 10× took in 2,700 values at once (60 ms)."""
        if reference is None:
            return
        if self._reference is not None and reference != self._reference:
            shift = minutes_between(self._reference, reference)
            self._settled = {m: (xs - shift, ys) for m, (xs, ys) in self._settled.items()}
            self._changed |= {m for m in self._recent if m in self._settled or self._recent[m]}
        self._reference = reference
        since = None if self._newest is None else self._newest - TRACE_LATE_ARRIVAL
        rows = self._store.trace_values(
            self._session_id, TRACE_MEASURES, since=since, after_id=self._last_id
        )
        # Only what the trace follows (no cuff's pulse, one heart rate a reading) is kept,
        # so the last value settled is always one the trace drew.
        fresh = continuous_values([r for r in rows if r.id > self._last_id and not r.implausible])
        self._last_id = max([self._last_id, *(r.id for r in rows)])
        if fresh:
            newest = max(r.observed_at for r in fresh)
            self._newest = newest if self._newest is None else max(self._newest, newest)
        for measure, recent in self._recent.items():
            new = [r for r in fresh if r.measure == measure]
            if new:
                recent.extend(new)
                recent.sort(key=lambda s: s.observed_at)
                self._settle(measure, recent, reference)
                self._changed.add(measure)

    def series(self) -> dict[str, Series]:
        """The trace kept, per measure (minutes from the last update's minute 0): the
        arrays themselves, read-only; the same objects until new values come in."""
        return {m: (xs, ys) for m, (xs, ys) in self._series.items() if len(xs)}

    def _settle(self, measure: str, recent: list[StoredSample], reference: datetime) -> None:
        """Move the values older than RECENT_SPAN before the newest into the settled
        arrays: traced once, from the last one settled (the gap rule sees the join)."""
        assert self._newest is not None
        cut = bisect.bisect_left(recent, self._newest - RECENT_SPAN, key=lambda s: s.observed_at)
        if cut == 0:
            return
        leaving, recent[:] = recent[:cut], recent[cut:]
        xs, ys = self._joined(measure, leaving, reference)
        old_x, old_y = self._settled.get(measure, (np.empty(0), np.empty(0)))
        self._settled[measure] = (np.concatenate([old_x, xs]), np.concatenate([old_y, ys]))
        self._settled_last[measure] = leaving[-1]

    def _joined(
        self, measure: str, samples: list[StoredSample], reference: datetime
    ) -> tuple[np.ndarray, np.ndarray]:
        """`samples` traced after the last settled value (which is drawn already)."""
        last = self._settled_last.get(measure)
        before = [last] if last is not None else []
        xs, ys = trace_continuous([*before, *samples], reference).get(measure, ((), ()))
        skip = len(before)
        return np.asarray(xs, dtype=float)[skip:], np.asarray(ys, dtype=float)[skip:]

    def _traced(self, measure: str, reference: datetime) -> tuple[np.ndarray, np.ndarray]:
        settled_x, settled_y = self._settled.get(measure, (np.empty(0), np.empty(0)))
        recent_x, recent_y = self._joined(measure, self._recent[measure], reference)
        return (
            _frozen(np.concatenate([settled_x, recent_x])),
            _frozen(np.concatenate([settled_y, recent_y])),
        )


def _frozen(values: np.ndarray) -> np.ndarray:
    """`values` as float64, read-only: the chart keeps it and skips redrawing it."""
    values = np.asarray(values, dtype=float)
    values.flags.writeable = False
    return values


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
        # The monitor trace: extended on a slow timer while numerics arrive (not per value).
        self._trace: LiveTrace | None = None
        self._trace_timer = QTimer(self)
        self._trace_timer.setObjectName("TrendChartsTraceTimer")
        self._trace_timer.setSingleShot(True)
        self._trace_timer.setInterval(TRACE_REDRAW_MS)
        self._trace_timer.timeout.connect(self._redraw_trace_over_three_turns)
        self._intake_timer = QTimer(self)
        self._intake_timer.setObjectName("TrendChartsTraceIntakeTimer")
        self._intake_timer.setSingleShot(True)
        self._intake_timer.setInterval(TRACE_INTAKE_MS)
        self._intake_timer.timeout.connect(lambda: self._turns.run_soon(self, self.take_in_trace))
        # The timers' work waits for a turn of its own (ui.turns): one job per turn.
        self._turns = shared_turn_queue()
        self.trace_redraws = 0  # redraws of the trace alone so far (tests, benchmarks)

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
        if session_id != self._session_id or store is not self._store or self._trace is None:
            self._thresholds = None
            self._stop_trace_timers()
            self._trace = LiveTrace(store, session_id) if _has_device_values(store) else None
        self._store = store
        self._session_id = session_id
        self._describe = describe
        data = TrendData.for_session(
            store, session_id, thresholds=self._thresholds, describe=describe
        )
        self._thresholds = data.thresholds  # a session's snapshot never changes
        if self._trace is not None and data.reference is not None:
            self._trace.update(data.reference)
            data = replace(data, trace=self._trace.series())
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
            if change.session_id is None or change.session_id != self._session_id:
                return
            if change.kind not in DEVICE_KINDS:
                self._schedule_reload()
            elif change.kind is ChangeKind.DEVICE_DATA:
                if not self._trace_timer.isActive():
                    self._trace_timer.start(self.trace_interval_ms())  # the trace, slowly
                if not self._intake_timer.isActive():
                    self._intake_timer.start()

        self._unsubscribe = store.subscribe(on_change)
        self.destroyed.connect(lambda *_: self.stop_following())

    def stop_following(self) -> None:
        self._stop_trace_timers()
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

    def trace_interval_ms(self) -> int:
        """How long new monitor values wait for a redraw: TRACE_REDRAW_MS, or the time
        one pixel of the time axis spans when that is longer (capped)."""
        plot = self.plots["bp"]
        low, high = plot.viewRange()[0]
        pixel_ms = (high - low) * 60_000 / max(plot.vb.width(), 1.0)
        return int(min(max(TRACE_REDRAW_MS, pixel_ms), TRACE_REDRAW_MAX_MS))

    @property
    def trace_pending(self) -> bool:
        """True between the monitor's new values and the trace redraw they ask for."""
        return self._trace_timer.isActive() or self._turns.waiting(self)

    def take_in_trace(self) -> None:
        """Read and settle the monitor's new values, not drawn yet (the intake timer's
        work): the redraw that follows has only the last few seconds to take in."""
        self._intake_timer.stop()
        if self._trace is not None:
            self._trace.take_in(self._data.reference)

    def flush_trace(self) -> None:
        """Extend and redraw the monitor trace now (the slow timer's work; tests)."""
        if self._trace_extended():
            self._draw_trace()

    def _trace_extended(self) -> bool:
        """Stop the trace's timers and extend it: whether there is anything new to draw
        (not for only implausible values, say)."""
        self._stop_trace_timers()
        return self._trace is not None and self._trace.update(self._data.reference)

    def _draw_trace(self) -> None:
        assert self._trace is not None
        self.trace_redraws += 1
        self.set_data(replace(self._data, trace=self._trace.series()))

    def _redraw_trace_over_three_turns(self) -> None:
        """The timer's redraw, each step at a turn of the event loop of its own (ui.turns),
        so a key press or another timer gets in between: the store read, then the new
        data, then the paint. A new frame of the time axis costs ~15 ms of data and ~30
        ms of paint; in one turn the UI stalled over 50 ms, and a 10× feed's 28 ms gaps
        held the read, the data and the countdown's tick together."""
        self._stop_trace_timers()
        self._turns.run_soon(self, self._take_in_for_redraw)

    def _take_in_for_redraw(self) -> None:
        if self._trace is not None:
            self._trace.take_in(self._data.reference)
            self._turns.run_soon(self, self._draw_trace_then_paint)

    def _draw_trace_then_paint(self) -> None:
        """The new trace to the chart now, its paint a turn later. Nothing new, nothing
        held: releasing the canvas repaints all of it."""
        if self._trace is None or not self._trace.retrace(self._data.reference):
            return
        canvas = self.graphics
        canvas.setUpdatesEnabled(False)
        try:
            self._draw_trace()
        finally:
            # 1 ms, not 0: a zero timer is a posted call, run before the timers due.
            QTimer.singleShot(PAINT_AFTER_MS, self, lambda: canvas.setUpdatesEnabled(True))

    def _stop_trace_timers(self) -> None:
        self._trace_timer.stop()
        self._intake_timer.stop()
        self._turns.cancel(self)

    def clear(self) -> None:
        self._cancel_pending_reload()
        self._stop_trace_timers()
        self._trace = None
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


def _has_device_values(store: object) -> bool:
    """The SQLite store keeps device values; a summary's or a test's fake source may not."""
    return callable(getattr(store, "trace_values", None))
