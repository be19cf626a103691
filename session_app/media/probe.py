"""Reading titles, durations and a video frame through libvlc (no Qt).

Used while scanning the clinic's folders (on the scan's worker thread), not during
playback. Parsing is asynchronous in libvlc, so these calls wait (with a time limit, cut
short by `close()`) for its event; a frame is grabbed by decoding into memory (libvlc's
"vmem" callbacks) and written as PNG with zlib. The callbacks only copy into a buffer
and set an Event: no libvlc call inside them.
"""

from __future__ import annotations

import ctypes
import struct
import threading
import time
import zlib
from pathlib import Path

from session_app.media.backend import VlcBackend
from session_app.media.library import ProbeResult

PARSE_TIMEOUT_S = 5.0
FRAME_TIMEOUT_S = 8.0
THUMB_SIZE = (320, 180)


def write_png(path: Path, width: int, height: int, rgb: bytes) -> None:
    """A minimal RGB PNG writer (8 bits per channel), enough for a thumbnail."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


class VlcProber:
    """Implements library.Prober with libvlc. Safe on a worker thread (the scan's): each
    call uses media objects of its own, and libvlc's callbacks only set an Event."""

    def __init__(self, backend: VlcBackend) -> None:
        if not backend.available:
            raise ValueError(f"media unavailable: {backend.reason}")
        self.vlc = backend.vlc
        self.instance = backend.instance
        self._closed = threading.Event()

    def close(self) -> None:
        """The app is closing: any wait below ends within 50 ms, nothing more is probed
        (the player may release libvlc once the scan thread has stopped)."""
        self._closed.set()

    def _wait(self, event: threading.Event, timeout_s: float) -> bool:
        """Wait for `event` up to `timeout_s`, but give up as soon as `close()` is called."""
        deadline = time.monotonic() + timeout_s
        while not self._closed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if event.wait(min(left, 0.05)):
                return True
        return False

    def probe(self, path: Path) -> ProbeResult:
        vlc = self.vlc
        if self._closed.is_set():
            return ProbeResult(False, reason="not read (the app is closing)")
        if not path.is_file():
            return ProbeResult(False, reason="file not found")
        media = self.instance.media_new_path(str(path))
        parsed = threading.Event()
        events = media.event_manager()
        events.event_attach(vlc.EventType.MediaParsedChanged, lambda _event: parsed.set())
        try:
            media.parse_with_options(vlc.MediaParseFlag.local, int(PARSE_TIMEOUT_S * 1000))
            self._wait(parsed, PARSE_TIMEOUT_S + 1)  # an event, not polling: ≈ 5 ms a file
            status = media.get_parsed_status()
            if status != vlc.MediaParsedStatus.done:
                return ProbeResult(False, reason=f"could not be read ({status})")
            tracks = list(media.tracks_get() or [])
            kinds = {track.type for track in tracks}
            has_audio = vlc.TrackType.audio in kinds
            has_video = vlc.TrackType.video in kinds
            if not (has_audio or has_video):
                return ProbeResult(False, reason="damaged or not a media file (no tracks)")
            duration_ms = media.get_duration()
            title = media.get_meta(vlc.Meta.Title)
            if not title or title == path.name:
                title = None
            return ProbeResult(
                True,
                title=title,
                duration_s=duration_ms / 1000 if duration_ms and duration_ms > 0 else None,
                has_video=has_video,
            )
        finally:
            events.event_detach(vlc.EventType.MediaParsedChanged)
            media.release()

    def grab_frame(self, path: Path, target: Path, at_s: float = 5.0) -> bool:
        """Decode into memory `at_s` seconds in and keep one frame as a PNG thumbnail.

        The wait ends at the third frame, or when the video ends or fails first (a video
        shorter than `at_s`, or one whose frames cannot be decoded): then the last frame
        shown, if any, is kept — no wait for the whole time-out.
        """
        vlc = self.vlc
        if self._closed.is_set():
            return False
        width, height = THUMB_SIZE
        pitch = width * 4
        buffer = (ctypes.c_ubyte * (pitch * height))()
        frames = [0]
        ready = threading.Event()

        @vlc.CallbackDecorators.VideoLockCb
        def lock(_opaque, planes):  # libvlc thread: hand out the buffer, nothing else
            planes[0] = ctypes.cast(buffer, ctypes.c_void_p)
            return None

        @vlc.CallbackDecorators.VideoUnlockCb
        def unlock(_opaque, _picture, _planes):
            return None

        @vlc.CallbackDecorators.VideoDisplayCb
        def display(_opaque, _picture):
            frames[0] += 1
            if frames[0] >= 3:
                ready.set()

        ends = (vlc.EventType.MediaPlayerEndReached, vlc.EventType.MediaPlayerEncounteredError)
        media = self.instance.media_new_path(str(path))
        media.add_option(f":start-time={at_s:g}")
        media.add_option(":no-audio")
        player = self.instance.media_player_new()
        events = player.event_manager()
        for kind in ends:
            events.event_attach(kind, lambda _event: ready.set())
        try:
            player.set_media(media)
            player.video_set_callbacks(lock, unlock, display, None)
            player.video_set_format("RV32", width, height, pitch)
            player.play()
            self._wait(ready, FRAME_TIMEOUT_S)
            player.stop()
            if frames[0] == 0:
                return False
            data = bytes(buffer)
            rgb = bytearray(width * height * 3)
            rgb[0::3] = data[2::4]  # RV32 is B, G, R, X in memory
            rgb[1::3] = data[1::4]
            rgb[2::3] = data[0::4]
            write_png(target, width, height, bytes(rgb))
            return True
        finally:
            for kind in ends:
                events.event_detach(kind)
            player.release()
            media.release()
