"""The "now playing" strip on the staff panel: see and steer the patient's media.

It works only through the player's public interface (never the patient window's
widgets), and it is where staff learn that media is unavailable or a file failed —
the patient window never says so.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSlider

from session_app.media.library import MediaItem, ScanResult, SkippedFile
from session_app.media.player import MediaPlayer, PlayState
from session_app.ui.text import set_plain, tooltip

if TYPE_CHECKING:
    from session_app.media.scanner import LibraryScanner

FADE_DOWN_TEXT = "Fade out for check"
FADE_UP_TEXT = "Bring sound back"
SKIPPED_LISTED = 60  # files named in the tooltip; the rest are counted


class NowPlayingStrip(QFrame):
    def __init__(self, player: MediaPlayer) -> None:
        super().__init__()
        self.setObjectName("NowPlayingStrip")
        self.setAccessibleName("Patient media")
        self.player = player

        self.title = set_plain(QLabel())  # a title from the file's tags, shown as written
        self.title.setWordWrap(True)  # a long title takes lines, not the panel's width
        self.title.setObjectName("NowPlayingLabel")
        self.title.setAccessibleName("Patient media now playing")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("MediaPauseButton")
        self.pause_button.setAccessibleName("Pause or play patient media")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("MediaVolumeSlider")
        self.volume.setAccessibleName("Patient media volume")
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(160)
        self.volume.setValue(player.slider_volume())
        self.fade_button = QPushButton(FADE_DOWN_TEXT)
        self.fade_button.setObjectName("FadeForCheckButton")
        self.fade_button.setAccessibleName(FADE_DOWN_TEXT)
        self.fade_button.setCheckable(True)
        self.problem = set_plain(QLabel())  # file names and paths, shown as written
        self.problem.setObjectName("MediaProblemLabel")
        self.problem.setAccessibleName("Patient media problem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)

        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.title, 2)
        row.addWidget(self.pause_button)
        row.addWidget(QLabel("Volume"))
        row.addWidget(self.volume)
        row.addWidget(self.fade_button)
        row.addWidget(self.problem, 3)
        self.skipped = self._skipped_label()
        row.addWidget(self.skipped, 2)

        if not player.available:
            self.title.setText("Patient media unavailable")
            self._show_problem(f"Media unavailable: {player.unavailable_reason}")
            for control in (self.pause_button, self.volume, self.fade_button):
                control.setEnabled(False)
            return
        self.pause_button.clicked.connect(player.toggle_pause)
        self.volume.valueChanged.connect(player.set_volume)
        self.fade_button.toggled.connect(player.fade_for_check)
        player.slider_volume_changed.connect(self._show_volume)
        player.state_changed.connect(lambda _s: self._refresh())
        player.track_changed.connect(lambda _i: self._refresh())
        player.check_fade_changed.connect(self._show_check_fade)
        player.media_failed.connect(self._show_failure)
        self._refresh()

    def _refresh(self) -> None:
        item = self.player.current
        state = self.player.state
        self.pause_button.setText("Pause" if state is PlayState.PLAYING else "Play")
        self.pause_button.setEnabled(item is not None)
        if item is None:
            self.title.setText("Patient media: nothing playing")
        else:
            self.title.setText(f"Patient media: {item.title} — {state.value}")

    def _show_volume(self, value: int) -> None:
        """The volume, moving with a fade for a check (the patient's slider does too)."""
        if self.volume.isSliderDown():
            return
        self.volume.blockSignals(True)
        self.volume.setValue(value)
        self.volume.blockSignals(False)

    def _show_check_fade(self, down: bool) -> None:
        self.fade_button.blockSignals(True)
        self.fade_button.setChecked(down)
        self.fade_button.blockSignals(False)
        text = FADE_UP_TEXT if down else FADE_DOWN_TEXT
        self.fade_button.setText(text)
        self.fade_button.setAccessibleName(text)
        self.volume.setEnabled(not down)  # "Bring sound back" first, then the volume

    def _show_failure(self, item: MediaItem, reason: str) -> None:
        self._show_problem(f"Skipped {item.path.name}: {reason} ({item.path})")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setToolTip(
            tooltip("\n".join(f"{f.item.path}: {f.reason}" for f in self.player.failures) or text)
        )
        self.problem.setVisible(True)

    # --- files the library left out -----------------------------------------------
    def _skipped_label(self) -> QLabel:
        label = QLabel()
        label.setObjectName("MediaSkippedLabel")
        label.setAccessibleName("Media files left out of the patient's library")
        label.setTextFormat(Qt.TextFormat.PlainText)  # file names are outside text
        label.setWordWrap(True)
        label.setVisible(False)
        return label

    def follow_library(self, scanner: LibraryScanner) -> None:
        """Name what the library left out (empty, not media, damaged, unreadable), now and
        after each scan of the clinic folders; the patient window never shows it."""
        self.show_skipped(scanner.library.skipped)
        scanner.scanned.connect(self._on_scanned)  # a bound method: gone with the strip

    def _on_scanned(self, result: ScanResult) -> None:
        self.show_skipped(result.skipped)

    def show_skipped(self, skipped: Sequence[SkippedFile]) -> None:
        """The first file and its reason on the strip, every file in the tooltip."""
        count = len(skipped)
        self.skipped.setVisible(count > 0)
        if not count:
            self.skipped.clear()
            self.skipped.setToolTip("")
            return
        first = skipped[0]
        files = "1 file" if count == 1 else f"{count} files"
        more = f" and {count - 1} more (hover for the list)" if count > 1 else ""
        self.skipped.setText(
            f"{files} left out of the library: {first.path.name} ({first.reason}){more}"
        )
        lines = [f"{s.path}: {s.reason}" for s in skipped[:SKIPPED_LISTED]]
        if count > SKIPPED_LISTED:
            lines.append(f"… and {count - SKIPPED_LISTED} more")
        # A tooltip is read as rich text when it looks like it: escape every name.
        self.skipped.setToolTip("<qt>" + "<br>".join(html.escape(line) for line in lines))
        self.skipped.setAccessibleDescription("\n".join(lines))
