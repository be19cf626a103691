"""The media player: python-vlc under a small Qt interface both windows share.

Threads: libvlc calls its event callbacks on its own threads. Those callbacks only put
the event's name on a thread-safe queue; the main thread's timer (every `tick_ms`) takes
it from there, so no libvlc call and no Qt call ever runs on a libvlc thread (that is the
"queued" hand-over, without asking PySide to work on a thread it did not create). The
playlist is ours: libvlc's media-list end event is not reliable, so "end of track →
next" is decided here.

Loudness: what libvlc is told is volume × transport fade × staff "fade for check" ×
sleep-timer gain, sampled on a timer against an injected time source (see media.fade).
Starting, stopping, pausing and changing track all fade over `fade_s` (≥ 1.5 s). The
volume sliders of both windows stand at `slider_volume`: volume × "fade for check", so
they move down and back with the staff's fade (the other fades come and go by themselves).

Without libvlc the player still exists: `available` is False, `unavailable_reason` says
why, and every command is a no-op, so the windows need no special cases beyond a message.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from session_app.media.backend import VlcBackend
from session_app.media.fade import MIN_FADE_S, Fader, SleepTimer, TimeSource, monotonic
from session_app.media.library import MediaItem

SLEEP_CHOICES: tuple[int, ...] = (10, 20, 30)


class RepeatMode(Enum):
    ALL = "all"  # the group loops
    ONE = "one"  # this item loops
    OFF = "off"  # the group plays once, then stops

    def following(self) -> RepeatMode:
        order = list(RepeatMode)
        return order[(order.index(self) + 1) % len(order)]


class PlayState(Enum):
    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"


@dataclass(frozen=True)
class Failure:
    """A file that could not be played: for the staff panel, never the patient."""

    item: MediaItem
    reason: str


class MediaPlayer(QObject):
    track_changed = Signal(object)  # MediaItem | None
    state_changed = Signal(object)  # PlayState
    volume_changed = Signal(int)  # the chosen volume, 0–100
    level_changed = Signal(float)  # what is heard now, 0–1, fades included
    slider_volume_changed = Signal(int)  # where the volume sliders stand, 0–100
    repeat_changed = Signal(object)  # RepeatMode
    sleep_timer_changed = Signal(object)  # minutes or None
    check_fade_changed = Signal(bool)  # staff faded down for a conversation
    media_failed = Signal(object, str)  # MediaItem, reason

    def __init__(
        self,
        backend: VlcBackend,
        *,
        clock: TimeSource = monotonic,
        fade_s: float = 2.0,
        check_fade_s: float = 3.0,
        tick_ms: int = 40,
        idle_tick_ms: int = 500,
        volume: int = 60,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MediaPlayer")
        self.backend = backend
        self._clock = clock
        self.fade_s = max(MIN_FADE_S, fade_s)
        self.check_fade_s = max(MIN_FADE_S, check_fade_s)
        self._transport = Fader(clock, 0.0)
        self._check = Fader(clock, 1.0)
        self._sleep: SleepTimer | None = None
        self._volume = max(0, min(100, volume))
        self._repeat = RepeatMode.ALL
        self._state = PlayState.STOPPED
        self._current: MediaItem | None = None
        self._playlist: list[MediaItem] = []
        self._after_fade: Callable[[], None] | None = None
        self._failed_in_a_row: set[MediaItem] = set()
        self._token = 0
        self._progressed = False  # play time moved for the current media
        self._last_volume = -1
        self._last_level = -1.0
        self._last_slider = self._volume
        self._shut = False
        self.failures: list[Failure] = []
        self._mp: Any = None
        self._events: Any = None
        self._attached: list[tuple[Any, str]] = []
        self._inbox: queue.SimpleQueue[tuple[str, int]] = queue.SimpleQueue()
        if backend.available:
            vlc = backend.vlc
            assert vlc is not None and backend.instance is not None
            self._mp = backend.instance.media_player_new()
            self._mp.video_set_mouse_input(False)  # let Qt see clicks and keys on the video
            self._mp.video_set_key_input(False)
            # Keep the event manager: python-vlc's C callback lives on it, and libvlc
            # would call freed memory if it were garbage-collected while attached.
            self._events = events = self._mp.event_manager()
            self._attached = [
                (vlc.EventType.MediaPlayerEndReached, "end"),
                (vlc.EventType.MediaPlayerEncounteredError, "error"),
                (vlc.EventType.MediaPlayerPlaying, "playing"),
            ]
            for event_type, name in self._attached:
                events.event_attach(event_type, self._callback, name)
        # Fast ticks only while something fades; otherwise a slow tick is enough to take
        # libvlc's events and notice a track's end (an idle room PC stays cool and quiet).
        self.tick_ms = tick_ms
        self.idle_tick_ms = max(tick_ms, idle_tick_ms)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # --- libvlc thread ------------------------------------------------------------
    def _callback(self, _event: object, name: str) -> None:
        """Runs on a libvlc thread: queue it for the main thread, nothing more."""
        self._inbox.put((name, self._token))

    # --- what the windows read -------------------------------------------------------
    @property
    def available(self) -> bool:
        return self.backend.available and not self._shut

    @property
    def unavailable_reason(self) -> str:
        if self._shut:
            return "the player was shut down"
        return self.backend.reason

    @property
    def current(self) -> MediaItem | None:
        return self._current

    @property
    def state(self) -> PlayState:
        return self._state

    @property
    def volume(self) -> int:
        return self._volume

    @property
    def repeat(self) -> RepeatMode:
        return self._repeat

    @property
    def sleep_minutes(self) -> int | None:
        return self._sleep.minutes if self._sleep else None

    @property
    def check_faded(self) -> bool:
        return self._check.target == 0.0

    @property
    def playlist(self) -> list[MediaItem]:
        return list(self._playlist)

    def level(self) -> float:
        """What is heard now, 0–1: the volume with every fade applied."""
        now = self._clock()
        sleep = self._sleep.gain(now) if self._sleep else 1.0
        return self._volume / 100 * self._transport.value() * self._check.value() * sleep

    def slider_volume(self) -> int:
        """Where both volume sliders stand (0–100): the chosen volume under the staff's fade
        for a check, so staff and patient see it go down and come back. Not the transport
        or sleep fades: a slider that dipped at every track change would look broken."""
        return round(self._volume * self._check.value())

    @property
    def output_volume(self) -> int:
        """The volume last handed to libvlc (0–100), fades included; -1 before any."""
        return self._last_volume

    def time_ms(self) -> int:
        return max(0, self._mp.get_time()) if self.available else 0

    def length_ms(self) -> int:
        return max(0, self._mp.get_length()) if self.available else 0

    # --- commands ----------------------------------------------------------------------
    def play_item(self, item: MediaItem, playlist: Sequence[MediaItem] = ()) -> None:
        """Play `item`; `playlist` (usually its group) is what "next" walks through."""
        if not self.available:
            return
        self._playlist = list(playlist) or [item]
        if item not in self._playlist:
            self._playlist.insert(0, item)
        self._failed_in_a_row.clear()
        self._fade_then(lambda: self._start(item))

    def toggle_pause(self) -> None:
        if self._state is PlayState.PLAYING:
            self.pause()
        else:
            self.resume()

    def pause(self) -> None:
        if not self.available or self._state is not PlayState.PLAYING:
            return
        self._set_state(PlayState.PAUSED)
        self._fade_then(lambda: self._mp.set_pause(1))

    def resume(self) -> None:
        if not self.available:
            return
        if self._state is PlayState.PAUSED:
            self._after_fade = None
            self._mp.set_pause(0)
            self._transport.to(1.0, self.fade_s)
            self._timer.setInterval(self.tick_ms)  # a fade starts: sample it closely
            self._set_state(PlayState.PLAYING)
        elif self._state is PlayState.STOPPED:
            item = self._current or (self._playlist[0] if self._playlist else None)
            if item is not None:
                self._failed_in_a_row.clear()
                self._start(item)

    def stop(self) -> None:
        if not self.available or self._state is PlayState.STOPPED:
            return
        self._set_state(PlayState.STOPPED)
        self._fade_then(self._mp.stop)

    def next(self) -> None:
        self._skip(+1)

    def previous(self) -> None:
        self._skip(-1)

    def set_volume(self, volume: int) -> None:
        volume = max(0, min(100, int(volume)))
        if volume != self._volume:
            self._volume = volume
            self.volume_changed.emit(volume)
            self._apply_level()

    def set_repeat(self, mode: RepeatMode) -> None:
        if mode is not self._repeat:
            self._repeat = mode
            self.repeat_changed.emit(mode)

    def cycle_repeat(self) -> RepeatMode:
        self.set_repeat(self._repeat.following())
        return self._repeat

    def set_sleep_timer(self, minutes: int | None) -> None:
        """Fade smoothly to silence over the last part of `minutes`, then pause."""
        self._sleep = SleepTimer.start(minutes, self._clock()) if minutes else None
        self.sleep_timer_changed.emit(minutes or None)
        self._apply_level()

    def cycle_sleep_timer(self) -> int | None:
        choices: list[int | None] = [None, *SLEEP_CHOICES]
        index = choices.index(self.sleep_minutes) if self.sleep_minutes in choices else 0
        self.set_sleep_timer(choices[(index + 1) % len(choices)])
        return self.sleep_minutes

    def fade_for_check(self, down: bool) -> None:
        """Staff: fade down for a conversation (playback goes on), or back up after."""
        if down == self.check_faded:
            return
        self._check.to(0.0 if down else 1.0, self.check_fade_s)
        self._timer.setInterval(self.tick_ms)  # a fade starts: sample it closely
        self.check_fade_changed.emit(down)
        self._apply_level()

    def set_video_output(self, window_id: int) -> None:
        """Draw video into this native window (the patient window's video surface)."""
        if not self.available:
            return
        if sys.platform.startswith("win"):
            self._mp.set_hwnd(window_id)
        elif sys.platform == "darwin":
            self._mp.set_nsobject(window_id)
        else:
            self._mp.set_xwindow(window_id)

    def shutdown(self) -> None:
        """Stop and release libvlc's player (the app is closing)."""
        if self._shut:
            return
        self._timer.stop()
        if self._mp is not None:
            for event_type, _name in self._attached:
                # python-vlc only forgets the Python callback; its C handler stays alive
                # on self._events (kept), so a late libvlc event is a harmless no-op.
                self._events.event_detach(event_type)
            self._mp.stop()
            self._mp.release()
            self._mp = None
        self._shut = True
        self._set_state(PlayState.STOPPED)

    # --- the clock ---------------------------------------------------------------------
    def tick(self) -> None:
        """Take libvlc's events; sample the fades; run what waits for a fade to finish;
        fade out before a track ends."""
        if not self.available:
            return
        while not self._inbox.empty():
            self._on_vlc_event(*self._inbox.get_nowait())
        now = self._clock()
        if not self._progressed and self._state is PlayState.PLAYING and self._mp.get_time() > 0:
            self._progressed = True
        if self._sleep is not None and self._sleep.finished(now):
            self._sleep = None
            self.sleep_timer_changed.emit(None)
            if self._state is PlayState.PLAYING:
                self._transport.set(0.0)
                self._mp.set_pause(1)
                self._set_state(PlayState.PAUSED)
        if self._after_fade is not None and not self._transport.moving():
            action, self._after_fade = self._after_fade, None
            action()
        if (
            self._state is PlayState.PLAYING
            and self._repeat is not RepeatMode.ONE
            and self._after_fade is None
            and self._transport.target == 1.0
        ):
            length, position = self._mp.get_length(), self._mp.get_time()
            remaining = (length - position) / 1000
            if length > 0 and position > 0 and remaining < self.fade_s:
                self._transport.to(0.0, max(0.2, remaining))  # the end event moves on
        self._apply_level()
        self._timer.setInterval(self.tick_ms if self._busy(now) else self.idle_tick_ms)

    @property
    def tick_interval_ms(self) -> int:
        """How often the player samples now (fast while fading, slow otherwise)."""
        return self._timer.interval()

    def _busy(self, now: float) -> bool:
        """Something is fading, or about to: sample often so the curve stays smooth."""
        soon = self.fade_s + 2 * self.idle_tick_ms / 1000
        sleep_fading = self._sleep is not None and now >= self._sleep.ends_at - (
            self._sleep.fade_s + soon
        )
        near_end = False
        if self._state is PlayState.PLAYING and self._repeat is not RepeatMode.ONE:
            length, position = self._mp.get_length(), self._mp.get_time()
            near_end = length > 0 and (length - position) / 1000 < soon
        return (
            self._transport.moving()
            or self._check.moving()
            or self._after_fade is not None
            or sleep_fading
            or near_end
            or not self._inbox.empty()
        )

    # --- inside --------------------------------------------------------------------
    def _fade_then(self, action: Callable[[], None]) -> None:
        """Fade the transport down, then act (at once when already silent)."""
        if self._transport.value() <= 0.0 and not self._transport.moving():
            self._after_fade = None
            action()
            return
        self._after_fade = action
        self._transport.to(0.0, self.fade_s)
        self._timer.setInterval(self.tick_ms)  # a fade starts: sample it closely

    def _start(self, item: MediaItem, *, fade_in: bool = True) -> None:
        if not item.path.is_file():
            self._fail(item, "file not found")
            return
        self._token += 1
        self._progressed = False
        media = self.backend.instance.media_new_path(str(item.path))
        self._mp.set_media(media)
        media.release()
        changed = item != self._current
        self._current = item
        if fade_in:
            self._transport.set(0.0)
        self._apply_level()
        self._mp.play()
        self._transport.to(1.0, self.fade_s if fade_in else 0.0)
        self._timer.setInterval(self.tick_ms)  # a fade starts: sample it closely
        self._set_state(PlayState.PLAYING)
        if changed or fade_in:
            self.track_changed.emit(item)

    def _fail(self, item: MediaItem, reason: str) -> None:
        self.failures.append(Failure(item, reason))
        self.media_failed.emit(item, reason)
        self._failed_in_a_row.add(item)
        following = self._following(item, wrap=True)
        if following is None or following in self._failed_in_a_row:
            self._mp.stop()
            self._current = None
            self._set_state(PlayState.STOPPED)
            self.track_changed.emit(None)
            return
        self._start(following)

    def _following(self, item: MediaItem, *, wrap: bool, step: int = 1) -> MediaItem | None:
        if not self._playlist:
            return None
        index = self._playlist.index(item) if item in self._playlist else -1
        target = index + step
        if 0 <= target < len(self._playlist):
            return self._playlist[target]
        return self._playlist[target % len(self._playlist)] if wrap else None

    def _skip(self, step: int) -> None:
        if not self.available or self._current is None:
            return
        following = self._following(self._current, wrap=True, step=step)
        if following is not None:
            self._failed_in_a_row.clear()
            self._fade_then(lambda: self._start(following))

    def _on_vlc_event(self, name: str, token: int) -> None:
        if token != self._token or not self.available or self._current is None:
            return  # a late event about media we already left
        if name == "playing":
            self._failed_in_a_row.discard(self._current)
            self._last_volume = -1  # a new audio output: tell it the volume again
            self._apply_level()
        elif name == "error":
            self._fail(self._current, "could not be played (damaged or unsupported file)")
        elif name == "end":
            if not self._progressed and self._mp.get_length() <= 0:
                # libvlc often reports a file it cannot demux as "ended", not as an error.
                self._fail(self._current, "could not be played (damaged or unsupported file)")
            else:
                self._on_end()

    def _on_end(self) -> None:
        assert self._current is not None
        if self._repeat is RepeatMode.ONE:
            self._start(self._current, fade_in=False)  # the built-in loops are seamless
            return
        following = self._following(self._current, wrap=self._repeat is RepeatMode.ALL)
        if following is None:
            self._set_state(PlayState.STOPPED)
            return
        self._start(following)

    def _set_state(self, state: PlayState) -> None:
        if state is not self._state:
            self._state = state
            self.state_changed.emit(state)

    def _apply_level(self) -> None:
        slider = self.slider_volume()
        if slider != self._last_slider:
            self._last_slider = slider
            self.slider_volume_changed.emit(slider)
        level = self.level()
        if self._mp is not None and not self._shut:
            volume = round(level * 100)
            if volume != self._last_volume:
                self._mp.audio_set_volume(volume)
                self._last_volume = volume
        if abs(level - self._last_level) > 0.002 or (level == 0) != (self._last_level == 0):
            self._last_level = level
            self.level_changed.emit(level)


def create_player(args: Sequence[str] | None = None, **options: Any) -> MediaPlayer:
    """The app's player over one libvlc instance (or an unavailable one, never an error)."""
    from session_app.media.backend import load_backend

    return MediaPlayer(load_backend(args), **options)
