"""The station window: the board of tiles, behind the PIN lock, fed from the server.

Thin: the board (clinic.board) holds the records and makes the tiles; the feed
(clinic.station_feed) runs on its own thread and reaches this window only through
`FeedBridge`, a queue the UI thread empties on a timer, so the window never waits on the
network. A slow timer redraws the tiles (countdowns, minutes since dose, stale). While
locked the board is not covered but taken out of view (a stacked widget shows only the
lock page), and an open summary is hidden until the PIN is given again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from queue import Empty, SimpleQueue

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from session_app.clinic.board import Board, FeedUpdate, ServerStatus
from session_app.domain.clock import Clock, SystemClock
from session_app.domain.pin import PinHash
from session_app.seams import PinService
from session_app.ui.lock import DEFAULT_IDLE_LOCK, IdleWatcher, LockScreen, PinSetupPage
from session_app.ui.staff.widgets import named, set_text
from session_app.ui.station.summary import StationSummary
from session_app.ui.station.tile import RoomTileWidget
from session_app.ui.text import plain_label
from session_app.ui.theme import load_qss

COLUMNS = 4  # 12 rooms: 4 x 3 tiles at 1366 x 768
REDRAW_MS = 5000
DRAIN_MS = 100  # how often the UI thread takes the feed's reports (well within 1 s)


class FeedBridge(QObject):
    """The feed's callbacks, handed to the UI thread. The feed's thread only puts them on
    a queue; a timer of the UI thread takes them off and emits the signals there, so no
    Qt object is touched from the feed's thread (PySide's cross-thread emits from a
    Python thread are not safe in every release; the Friture habit: a timer reads a
    buffer). Create it on the UI thread."""

    update = Signal(object)  # FeedUpdate
    status = Signal(object)  # ServerStatus

    def __init__(self, parent: QObject | None = None, interval_ms: int = DRAIN_MS) -> None:
        super().__init__(parent)
        self._queue: SimpleQueue[FeedUpdate | ServerStatus] = SimpleQueue()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.drain)
        self.timer.start()

    def on_update(self, update: FeedUpdate) -> None:
        """Any thread."""
        self._queue.put(update)

    def on_status(self, status: ServerStatus) -> None:
        """Any thread."""
        self._queue.put(status)

    def drain(self) -> None:
        """UI thread: emit what the feed reported since the last turn, in order."""
        while True:
            try:
                item = self._queue.get_nowait()
            except Empty:
                return
            if isinstance(item, FeedUpdate):
                self.update.emit(item)
            else:
                self.status.emit(item)


class StationWindow(QWidget):
    """The charge nurse's board. `pins` is the station's own PIN store (never a room's)."""

    def __init__(
        self,
        board: Board,
        bridge: FeedBridge,
        pins: PinService,
        set_pin: Callable[[PinHash], None],
        clock: Clock | None = None,
        *,
        idle: timedelta = DEFAULT_IDLE_LOCK,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("StationWindow")
        self.setAccessibleName("Clinic station")
        self.setWindowTitle("session_app — clinic station")
        self.setStyleSheet(load_qss("staff") + load_qss("station"))
        self.board = board
        self._clock = clock or SystemClock()
        self._pins = pins
        self.tiles: dict[str, RoomTileWidget] = {}
        self.summaries: dict[str, StationSummary] = {}

        self.lock_screen = LockScreen(pins, self._clock)
        self.lock_screen.setAccessibleName("Station locked")
        title = self.lock_screen.findChild(QLabel, "LockTitle")
        if title is not None:
            title.setText("Station locked")
        self.setup_page = PinSetupPage(set_pin)
        self.setup_page.setAccessibleName("Set the station PIN")

        self.board_page = QWidget()
        named(self.board_page, "Room board", "StationBoard")
        heading = plain_label("Clinic station — rooms", "StationTitle", "Station title")
        self.server_note = plain_label("", "ServerNote", "Clinic server status")
        self.server_note.setWordWrap(True)
        self.server_note.hide()
        self.lock_button = named(QPushButton("Lock"), "Lock the station", "LockButton")
        bar = QHBoxLayout()
        bar.addWidget(heading, 1)
        bar.addWidget(self.lock_button)
        self.grid_widget = QWidget()
        named(self.grid_widget, "Room tiles", "StationGrid")
        self.grid = QGridLayout(self.grid_widget)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        for column in range(COLUMNS):  # equal columns, whatever a tile's text
            self.grid.setColumnStretch(column, 1)
        scroll = QScrollArea()
        named(scroll, "Room tiles area", "StationScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_widget)
        board_layout = QVBoxLayout(self.board_page)
        board_layout.setContentsMargins(8, 8, 8, 8)
        board_layout.addLayout(bar)
        board_layout.addWidget(self.server_note)
        board_layout.addWidget(scroll, 1)

        self.pages = QStackedWidget()
        self.pages.setObjectName("StationPages")
        for page in (self.lock_screen, self.setup_page, self.board_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.lock_screen.unlocked.connect(self.show_board)
        self.setup_page.pin_set.connect(self.show_board)
        self.lock_button.clicked.connect(self.lock)
        self._bridge = bridge
        bridge.setParent(self)  # its drain timer ends with the window, never outlives it
        bridge.update.connect(self.feed_update)
        bridge.status.connect(self.feed_status)
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self.redraw)
        self.redraw_timer.start()
        self.idle = IdleWatcher(self, self._clock, idle, self.lock)
        self.lock()

    # -- the lock ---------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self.pages.currentWidget() is not self.board_page

    def lock(self) -> None:
        """Take the board out of the window and close every summary until the PIN is
        given: a hidden page or window is still read out by screen readers (issue 13)."""
        for view in self.summaries.values():
            view.close()
            view.deleteLater()
        self.summaries.clear()
        first_start = self._pins.current_pin() is None
        self.pages.setCurrentWidget(self.setup_page if first_start else self.lock_screen)
        if self.pages.indexOf(self.board_page) >= 0:
            self.pages.removeWidget(self.board_page)
            self.board_page.setParent(None)  # no window: nothing on the bus reaches it
        (self.setup_page.pin if first_start else self.lock_screen.pin).setFocus()

    def show_board(self) -> None:
        if self.pages.indexOf(self.board_page) < 0:
            self.pages.insertWidget(0, self.board_page)
        self.pages.setCurrentWidget(self.board_page)
        self.redraw()
        first = next(iter(self.tiles.values()), None)
        (first or self.lock_button).setFocus()

    # -- the feed -----------------------------------------------------------------------
    @Slot(object)
    def feed_update(self, update: FeedUpdate) -> None:
        changed = self.board.apply(update, self._clock.now())
        self.board.set_status(ServerStatus(True))
        self._show_server_note()
        self.redraw(changed)

    @Slot(object)
    def feed_status(self, status: ServerStatus) -> None:
        self.board.set_status(status)
        self._show_server_note()

    def _show_server_note(self) -> None:
        note = self.board.server_note()
        set_text(self.server_note, note)
        self.server_note.setVisible(bool(note))

    # -- tiles ----------------------------------------------------------------------------
    def redraw(self, rooms: set[str] | None = None) -> None:
        """Show the board's tiles now (every room, or `rooms` and any new one). Nothing
        is drawn while locked: the tiles are redrawn on unlock."""
        if self.is_locked:
            return
        now = self._clock.now()
        names = self.board.rooms
        if [name for name in names if name not in self.tiles]:
            self._place_tiles(names)
            rooms = None
        for name in names if rooms is None else [r for r in names if r in rooms]:
            self.tiles[name].show_tile(self.board.tile(name, now))
            if name in self.summaries and rooms is not None:
                self._refresh_summary(name)

    def _place_tiles(self, names: list[str]) -> None:
        for name in names:
            if name not in self.tiles:
                tile = RoomTileWidget(name)
                tile.opened.connect(self.open_summary)
                self.tiles[name] = tile
        for index, name in enumerate(names):
            self.grid.addWidget(self.tiles[name], index // COLUMNS, index % COLUMNS)
            self.tiles[name].show()  # a child added to a shown window is not shown by itself
        rows = -(-len(names) // COLUMNS)
        for row in range(rows):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(rows, 1)  # tiles keep their height; the space stays below
        previous: QWidget | None = None
        for name in names:  # Tab goes through the tiles in board order
            if previous is not None:
                QWidget.setTabOrder(previous, self.tiles[name])
            previous = self.tiles[name]

    # -- summaries --------------------------------------------------------------------------
    def open_summary(self, room: str) -> StationSummary | None:
        """The read-only summary of the room's session (None: no session yet, or locked)."""
        tile = self.board.tile(room, self._clock.now())
        if tile.session_id is None or self.is_locked:
            return None
        summary = self.board.summary(room, tile.session_id, self._clock.now())
        view = self.summaries.get(room)
        if view is None:
            view = StationSummary(self.board.display_name(room), summary)
            view.setStyleSheet(load_qss("summary"))
            view.resize(900, 640)
            self.summaries[room] = view
        else:
            view.show_summary(summary)
        view.show()
        view.raise_()
        return view

    def _refresh_summary(self, room: str) -> None:
        view = self.summaries[room]
        tile = self.board.tile(room, self._clock.now())
        if view.isVisible() and tile.session_id is not None:
            view.show_summary(self.board.summary(room, tile.session_id, self._clock.now()))

    def stop(self) -> None:
        """Stop the timers before the PIN store closes (at exit, or a test's end)."""
        self._bridge.timer.stop()
        self.redraw_timer.stop()
        self.idle.timer.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Deleted now, by Qt, not whenever Python's collector reaches them: a top-level
        # widget freed by the collector in the middle of a later event loop can crash it.
        for view in self.summaries.values():
            view.close()
            view.deleteLater()
        self.summaries.clear()
        super().closeEvent(event)
