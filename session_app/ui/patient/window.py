"""The patient window: calm, dark, nothing clinical, no accidental exits.

Pages: the library (tiles), the video, the breathing guide, and — when libvlc is
missing — a calm message that points to the breathing guide. The window takes the
shared player and the library in its constructor and imports nothing clinical
(an import-linter contract checks that).

The patient's first screen does not wait for PySide's `Qt` namespace: its first use
creates all of its ≈ 90 enums (≈ 15–20 ms, issue 7). So the patient modules name it
as `QtCore.Qt` where it is used after the first paint (keys, the hidden pages), set
enum-valued properties by name before it (`setProperty("focusPolicy", "StrongFocus")`),
and the video page joins the window just after the first paint. A test starts the
app in a fresh interpreter to check this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from session_app.media.backend import unavailable
from session_app.media.library import Group, MediaItem, MediaKind, MediaLibrary, grouped
from session_app.media.player import MediaPlayer, PlayState
from session_app.paths import MEDIA_DIR
from session_app.ui.patient.controls import ControlBar, IdleHider
from session_app.ui.patient.tiles import TileGrid, TileScrollArea
from session_app.ui.theme import load_qss
from session_app.ui.window_input import WindowInput

if TYPE_CHECKING:
    from session_app.media.scanner import LibraryScanner
    from session_app.ui.patient.pacer import PacerPanel
    from session_app.ui.patient.video import VideoSurface

WINDOW_TITLE = "Welcome"
FILL_TURN_S = 0.015  # a turn of the event loop while tiles fill in: well under a 50 ms stall
FILL_MOST = 64  # tiles in one turn, at most
UNAVAILABLE_TEXT = (
    "Music and video are resting on this screen today.\n"
    "The breathing guide is here whenever you would like it."
)


def _message(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAccessibleName(text)
    label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class PatientWindow(QWidget):
    """Top-level window for the patient's screen.

    Closing is refused unless `close_guard` (supplied by the app, which asks staff)
    says yes: a patient who bumps a key must not lose their music.
    """

    def __init__(
        self,
        player: MediaPlayer | None = None,
        library: MediaLibrary | None = None,
        close_guard: Callable[[], bool] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        idle_ms: int = 4000,
    ) -> None:
        super().__init__()
        self.setObjectName("PatientWindow")
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Patient window")
        self.setStyleSheet(load_qss("patient"))
        self._close_guard = close_guard
        self.allow_close = False
        self.player = player or MediaPlayer(unavailable("no player was given"))
        self.library = library or MediaLibrary(MEDIA_DIR)

        # Header: a greeting and the two places the patient can go.
        self.greeting = QLabel("Welcome. Make yourself comfortable.")
        self.greeting.setObjectName("WelcomeTitle")
        self.greeting.setAccessibleName(self.greeting.text())
        self.library_nav = QPushButton("Music and videos")
        self.library_nav.setObjectName("LibraryNavButton")
        self.library_nav.setAccessibleName("Music and videos")
        self.pacer_nav = QPushButton("Breathing guide")
        self.pacer_nav.setObjectName("PacerNavButton")
        self.pacer_nav.setAccessibleName("Breathing guide")
        for button in (self.library_nav, self.pacer_nav):
            button.setCheckable(True)
        self.header = QWidget()
        self.header.setObjectName("PatientHeader")
        header_row = QHBoxLayout(self.header)
        header_row.setContentsMargins(32, 20, 32, 8)
        header_row.addWidget(self.greeting, 1)
        header_row.addWidget(self.library_nav)
        header_row.addWidget(self.pacer_nav)

        # Pages.
        self.pages = QStackedWidget()
        self.pages.setObjectName("PatientPages")
        self.tiles = TileGrid(self.library.grouped())
        self._scanner: LibraryScanner | None = None  # made when first wanted
        self._to_add: list[MediaItem] = []  # clinic items still waiting for their tile
        self._tile_cost_s = 0.001  # what one tile costs the event loop (see _add_some_tiles)
        self._fill_turn: tuple[float, int] | None = None  # when the last turn began, its tiles
        self._filler = QTimer(self)
        self._filler.setInterval(0)
        self._filler.timeout.connect(self._add_some_tiles)
        self.library_page = TileScrollArea()
        self.library_page.setObjectName("LibraryPage")
        self.library_page.setAccessibleName("Music and videos")
        self.library_page.setWidgetResizable(True)
        self.library_page.setFrameShape(QScrollArea.Shape.NoFrame)
        self.library_page.setWidget(self.tiles)
        self.tiles.tile_focused.connect(lambda tile: self.library_page.ensureWidgetVisible(tile))
        self.tiles.item_chosen.connect(self.choose)

        self._clock = clock
        self._pacer: PacerPanel | None = None  # built the first time it is opened
        self._unavailable_page: QWidget | None = None  # built only without libvlc
        self._video: VideoSurface | None = None  # joins after the first paint
        self.pages.addWidget(self.library_page)

        self.controls = ControlBar(self.player)
        self.hider = IdleHider([self.header, self.controls], idle_ms=idle_ms, parent=self)
        self.controls.fullscreen_button.clicked.connect(self.toggle_full_screen)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.controls)

        self.library_nav.clicked.connect(self.show_library)
        self.pacer_nav.clicked.connect(self.show_pacer)
        self.player.track_changed.connect(self._on_track)
        self.show_library()
        self.input = WindowInput(self, self.hider.poke)  # input brings the controls back
        self.resize(1280, 800)

    @property
    def scanner(self) -> LibraryScanner:
        """Reads the clinic folders off the UI thread (made after the first paint: its
        QThread class is not needed for the patient's first screen)."""
        if self._scanner is None:
            from session_app.media.scanner import LibraryScanner

            self._scanner = LibraryScanner(self.library, self)
            self._scanner.scanned.connect(self._show_library_items)
        return self._scanner

    def reload_library(self, folders: list[str]) -> None:
        """Read the clinic folders (at start, or staff changed them) on the scanning
        thread — only if the list changed; the tiles fill in when it is done, and the
        patient's current music keeps playing meanwhile."""
        self.scanner.scan(folders)

    def _show_library_items(self, _result: object = None) -> None:
        """A scan was taken: the built-in tiles stay (or come back at once), the clinic's
        are added a few at a time."""
        self._filler.stop()
        if any(not tile.item.builtin for tile in self.tiles.tiles):  # an earlier scan's
            old = self.tiles
            self.tiles = TileGrid(grouped(self.library.builtin.items))
            self.tiles.tile_focused.connect(
                lambda tile: self.library_page.ensureWidgetVisible(tile)
            )
            self.tiles.item_chosen.connect(self.choose)
            self.library_page.setWidget(self.tiles)  # the scroll area deletes the old grid
            self.tiles.mark_current(self.player.current)
            del old
        order = list(Group)
        self._to_add = sorted(self.library.clinic.items, key=lambda i: order.index(i.group))
        self._to_add.reverse()  # popped from the end
        self._fill_turn = None
        self._filler.start()

    def _add_some_tiles(self) -> None:
        """Add a few tiles, then let the event loop run (the breathing guide, the staff
        panel) until the next turn. How many: as many as fit in FILL_TURN_S at what a
        tile has cost lately — making it, and Qt's showing and painting it after."""
        now = time.monotonic()
        if self._fill_turn is not None:
            began, added = self._fill_turn
            cost = (now - began) / max(1, added)
            self._tile_cost_s = (self._tile_cost_s + cost) / 2  # smoothed: paints lag
        count = max(1, min(FILL_MOST, int(FILL_TURN_S / self._tile_cost_s)))
        batch = [self._to_add.pop() for _ in range(min(count, len(self._to_add)))]
        self.tiles.add_items(batch)
        self._fill_turn = (now, len(batch))
        if not self._to_add:
            self._filler.stop()
            self._fill_turn = None

    # --- navigation ------------------------------------------------------------------
    def show_library(self) -> None:
        """The tiles (a video goes on playing behind them), or the calm message."""
        self.pages.setCurrentWidget(
            self.library_page if self.player.available else self.unavailable_page
        )
        self.controls.setVisible(self.player.available)
        self._sync_nav()

    @property
    def video(self) -> VideoSurface:
        """The page libvlc draws video into (built by `_add_video_page`)."""
        return self._video or self._add_video_page()

    def _add_video_page(self) -> VideoSurface:
        """The video surface joins the window just after its first paint, or sooner if a
        video is chosen first: its native window and the `Qt` attributes it needs would
        hold up the patient's first screen, where nothing is playing yet (issue 7)."""
        if self._video is None:
            from session_app.ui.patient.video import VideoSurface

            self._video = VideoSurface()
            self._video.activity.connect(self.hider.poke)
            self._video.double_clicked.connect(self.toggle_full_screen)
            self.pages.addWidget(self._video)
            if self.player.available:  # libvlc must know its window before a video starts
                self.player.set_video_output(int(self._video.winId()))
        return self._video

    @property
    def unavailable_page(self) -> QWidget:
        """The calm message shown instead of the tiles when libvlc is missing (built only
        then)."""
        if self._unavailable_page is None:
            page = QWidget()
            page.setObjectName("UnavailablePage")
            self.unavailable_message = _message(UNAVAILABLE_TEXT, "CalmMessage")
            self.unavailable_breathe = QPushButton("Open the breathing guide")
            self.unavailable_breathe.setObjectName("UnavailableBreatheButton")
            self.unavailable_breathe.setAccessibleName("Open the breathing guide")
            self.unavailable_breathe.clicked.connect(self.show_pacer)
            box = QVBoxLayout(page)
            box.addStretch(2)
            box.addWidget(self.unavailable_message)
            box.addSpacing(28)
            box.addWidget(self.unavailable_breathe, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
            box.addStretch(3)
            self.pages.addWidget(page)
            self._unavailable_page = page
        return self._unavailable_page

    @property
    def pacer(self) -> PacerPanel:
        """The breathing guide page, built when first wanted: most patients start with
        music, and the patient's screen comes up sooner without it (issue 7)."""
        if self._pacer is None:
            from session_app.ui.patient.pacer import PacerPanel

            self._pacer = PacerPanel(self._clock)
            self.pages.addWidget(self._pacer)
        return self._pacer

    def show_pacer(self) -> None:
        self.pages.setCurrentWidget(self.pacer)
        self._sync_nav()

    def _sync_nav(self) -> None:
        page = self.pages.currentWidget()
        on_pacer = page is not None and page is self._pacer
        self.library_nav.setChecked(not on_pacer)
        self.pacer_nav.setChecked(on_pacer)
        on_video = page is not None and page is self._video
        self.controls.offer_full_screen(on_video)
        self.hider.set_enabled(on_video)
        if not on_video and self.isFullScreen():
            self.showNormal()

    def choose(self, item: MediaItem) -> None:
        """A tile was chosen: play it; "next" walks through its group."""
        if item == self.player.current and self.player.state is PlayState.PLAYING:
            if item.kind is MediaKind.VIDEO:  # back to the video already playing
                self.pages.setCurrentWidget(self.video)
                self._sync_nav()
            return
        if item.kind is MediaKind.VIDEO:
            self._add_video_page()  # if chosen before the page joined the window
        self.player.play_item(item, self.library.group_items(item.group))

    def _on_track(self, item: MediaItem | None) -> None:
        self.tiles.mark_current(item)
        if item is not None and item.kind is MediaKind.VIDEO:
            self.pages.setCurrentWidget(self.video)
        elif self._video is not None and self.pages.currentWidget() is self._video:
            self.pages.setCurrentWidget(self.library_page)
        self._sync_nav()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        elif self.pages.currentWidget() is self.video:
            self.showFullScreen()
        self.hider.poke()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._video is None:
            QTimer.singleShot(0, self, self._add_video_page)

    # --- input -----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == QtCore.Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
        elif key == QtCore.Qt.Key.Key_F and self.pages.currentWidget() is self.video:
            self.toggle_full_screen()
        elif key == QtCore.Qt.Key.Key_Space and self.pages.currentWidget() is self.video:
            self.player.toggle_pause()
        else:
            super().keyPressEvent(event)

    def set_close_guard(self, close_guard: Callable[[], bool]) -> None:
        """The app connects the guard once the staff panel exists (it is built later)."""
        self._close_guard = close_guard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close or (self._close_guard is not None and self._close_guard()):
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._filler.stop()
            if self._scanner is not None:
                self._scanner.shutdown()  # the scan's libvlc calls end before the player's
            self.player.shutdown()  # closing the patient window ends its media
            event.accept()
        else:
            event.ignore()
