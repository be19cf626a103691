"""The patient's controls, bound to the shared player; and the idle hider for video.

The bar only forwards presses to the player and shows what the player says, so a change
made from the staff panel (volume, pause, fade for a conversation) shows here too.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEasingCurve, QObject, QPropertyAnimation, QSize, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from session_app.media.library import MediaItem
from session_app.media.player import MediaPlayer, PlayState, RepeatMode

REPEAT_TEXT = {
    RepeatMode.ALL: "Repeat: all",
    RepeatMode.ONE: "Repeat: this one",
    RepeatMode.OFF: "Repeat: off",
}


def sleep_text(minutes: int | None) -> str:
    return f"Fade out after {minutes} min" if minutes else "Fade out: off"


def _width_for(button: QPushButton, wordings: Iterable[str]) -> int:
    """Room for the longest wording plus the QSS padding (24 px a side) and border."""
    metrics = button.fontMetrics()
    return max(metrics.horizontalAdvance(text) for text in wordings) + 56


def _button(text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setProperty("focusPolicy", "StrongFocus")  # by name: see the window module
    return button


class ControlBar(QFrame):
    """Play, next and volume in one row, repeat, fade out and full screen in the other:
    side by side when the window is wide enough, else one above the other. (A QFrame
    draws its style-sheet background and border itself.)"""

    def __init__(self, player: MediaPlayer) -> None:
        super().__init__()
        self.setObjectName("ControlBar")
        self.setAccessibleName("Player controls")
        self.player = player

        self.now_playing = QLabel()
        # A title comes from a file's tags: shown as written, never as markup (issue 13).
        # By name, like the other enum properties before the first paint (issue 7).
        self.now_playing.setProperty("textFormat", "PlainText")
        self.now_playing.setObjectName("NowPlayingTitle")
        self.now_playing.setAccessibleName("Now playing")
        self.rest_note = QLabel("The sound is resting for a moment.")
        self.rest_note.setObjectName("RestNote")
        self.rest_note.setAccessibleName("The sound is resting")
        self.rest_note.setVisible(False)
        self.rest_note.setWordWrap(True)  # it appears in a bar laid out without it: wrap, not cut

        self.play_button = _button("Play", "PlayPauseButton", "Play or pause")
        self.next_button = _button("Next", "NextButton", "Next")
        self.volume = QSlider()
        self.volume.setProperty("orientation", "Horizontal")
        self.volume.setObjectName("VolumeSlider")
        self.volume.setAccessibleName("Volume")
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume.setMinimumWidth(260)
        self.volume.setValue(player.slider_volume())
        volume_label = QLabel("Volume")
        volume_label.setObjectName("VolumeLabel")
        volume_label.setAccessibleName("Volume")
        self.repeat_button = _button(REPEAT_TEXT[player.repeat], "RepeatButton", "Repeat")
        self.sleep_button = _button(sleep_text(player.sleep_minutes), "SleepButton", "Fade out")
        self.fullscreen_button = _button("Full screen", "FullScreenButton", "Full screen")
        self.fullscreen_button.setVisible(False)
        self.now_playing.setWordWrap(True)
        self.now_playing.setMinimumWidth(160)

        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.now_playing)
        titles.addWidget(self.rest_note)
        self.playing_row = QHBoxLayout()  # what plays, and how loud
        self.playing_row.setSpacing(14)
        self.playing_row.addLayout(titles, 2)
        self.playing_row.addWidget(self.play_button)
        self.playing_row.addWidget(self.next_button)
        self.playing_row.addSpacing(12)
        self.playing_row.addWidget(volume_label)
        self.playing_row.addWidget(self.volume, 2)
        self.options_row = QHBoxLayout()  # how it goes on
        self.options_row.setSpacing(14)
        self.options_row.addWidget(self.repeat_button)
        self.options_row.addWidget(self.sleep_button)
        self.options_row.addWidget(self.fullscreen_button)
        self.options_row.addStretch(1)
        self.rows = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.rows.setContentsMargins(24, 14, 24, 14)
        self.rows.setSpacing(26)
        self.rows.addLayout(self.playing_row, 1)
        self.rows.addLayout(self.options_row)

        self._fit_buttons()
        self.play_button.clicked.connect(player.toggle_pause)
        self.next_button.clicked.connect(player.next)
        self.volume.valueChanged.connect(player.set_volume)
        self.repeat_button.clicked.connect(player.cycle_repeat)
        self.sleep_button.clicked.connect(player.cycle_sleep_timer)
        player.slider_volume_changed.connect(self._show_volume)
        player.state_changed.connect(lambda _state: self._refresh())
        player.track_changed.connect(lambda _item: self._refresh())
        player.repeat_changed.connect(lambda mode: self.repeat_button.setText(REPEAT_TEXT[mode]))
        player.sleep_timer_changed.connect(lambda m: self.sleep_button.setText(sleep_text(m)))
        player.check_fade_changed.connect(self._show_check_fade)
        self._refresh()

    def _fit_buttons(self) -> None:
        """Buttons whose text changes never shrink below their longest wording."""
        for button, wordings in (
            (self.repeat_button, REPEAT_TEXT.values()),
            (self.sleep_button, [sleep_text(30), sleep_text(None)]),
            (self.play_button, ["Pause", "Play"]),
            (self.fullscreen_button, ["Full screen"]),
        ):
            button.ensurePolished()  # the window's QSS sets the font size
            button.setMinimumWidth(_width_for(button, wordings))

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_buttons()
        super().showEvent(event)
        self._arrange()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def offer_full_screen(self, offered: bool) -> None:
        """The full-screen button, shown while a video is on screen; the bar may need two
        rows then."""
        self.fullscreen_button.setVisible(offered)
        self._arrange()

    def minimumSizeHint(self) -> QSize:
        """As narrow as the bar in two rows: the bar never holds the patient window wider
        than a small screen (1280 or 1366 pixels wide; one row needs about 1,500)."""
        margins = self.rows.contentsMargins()
        widest_row = max(
            self.playing_row.minimumSize().width(), self.options_row.minimumSize().width()
        )
        height = super().minimumSizeHint().height()
        return QSize(widest_row + margins.left() + margins.right(), height)

    def _arrange(self) -> None:
        """One row when the window is wide enough for it, two rows otherwise."""
        margins = self.rows.contentsMargins()
        one_row = (
            margins.left()
            + self.playing_row.minimumSize().width()
            + self.rows.spacing()
            + self.options_row.minimumSize().width()
            + margins.right()
        )
        wanted = (
            QBoxLayout.Direction.LeftToRight
            if self.width() >= one_row
            else QBoxLayout.Direction.TopToBottom
        )
        if self.rows.direction() != wanted:
            self.rows.setDirection(wanted)

    def _show_volume(self, value: int) -> None:
        """Follow the player (staff's changes and fade for a check), not while dragged."""
        if self.volume.isSliderDown():
            return
        self.volume.blockSignals(True)  # no echo back to the player
        self.volume.setValue(value)
        self.volume.blockSignals(False)

    def _show_check_fade(self, resting: bool) -> None:
        """While staff talk with the patient the slider shows the fade and cannot be
        dragged against it; the quiet note says why."""
        self.rest_note.setVisible(resting)
        self.volume.setEnabled(not resting)

    def _refresh(self) -> None:
        item: MediaItem | None = self.player.current
        state = self.player.state
        playing = state is PlayState.PLAYING
        self.play_button.setText("Pause" if playing else "Play")
        if item is None:
            self.now_playing.setText("Choose something to listen to or watch.")
        else:
            self.now_playing.setText(f"{'Playing' if playing else 'Paused'}: {item.title}")
        self.play_button.setEnabled(item is not None or bool(self.player.playlist))
        self.next_button.setEnabled(len(self.player.playlist) > 1)


class IdleHider(QObject):
    """Fade some widgets away after `idle_ms` without input; bring them back on input.

    `poke()` is called by the window for every mouse move, touch and key press.
    """

    def __init__(
        self,
        widgets: list[QWidget],
        idle_ms: int = 4000,
        fade_ms: int = 600,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)  # the window: its timer must not outlive the widgets
        self.widgets = widgets
        self.enabled = False
        self.hidden = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(idle_ms)
        self._timer.timeout.connect(self._fade_away)
        self._animations: list[QPropertyAnimation] = []
        self._effects: list[QGraphicsOpacityEffect] = []
        for widget in widgets:
            effect = QGraphicsOpacityEffect(widget)
            effect.setOpacity(1.0)
            effect.setEnabled(False)  # only while fading: an effect blurs text rendering
            widget.setGraphicsEffect(effect)
            self._effects.append(effect)
            animation = QPropertyAnimation(effect, b"opacity", self)
            animation.setDuration(fade_ms)
            animation.setEasingCurve(QEasingCurve.Type.InOutSine)
            self._animations.append(animation)
        if self._animations:
            self._animations[0].finished.connect(self._after_fade)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self.poke()
        if not enabled:
            self._timer.stop()

    def poke(self) -> None:
        if self.hidden:
            self._show()
        if self.enabled:
            self._timer.start()

    def _fade_away(self) -> None:
        for effect, animation in zip(self._effects, self._animations, strict=True):
            effect.setEnabled(True)
            animation.stop()
            animation.setStartValue(effect.opacity())
            animation.setEndValue(0.0)
            animation.start()
        self.hidden = True

    def _after_fade(self) -> None:
        for widget, effect in zip(self.widgets, self._effects, strict=True):
            if self.hidden:
                widget.setVisible(False)
            else:
                effect.setEnabled(False)

    def _show(self) -> None:
        self.hidden = False
        for widget, effect, animation in zip(
            self.widgets, self._effects, self._animations, strict=True
        ):
            widget.setVisible(True)
            effect.setEnabled(True)
            animation.stop()
            animation.setStartValue(effect.opacity())
            animation.setEndValue(1.0)
            animation.start()
