"""Reading titles, durations and a video frame through libvlc (no Qt).

Used while scanning the clinic's folders, not during playback. Parsing is asynchronous
in libvlc, so these calls wait (with a time limit) for it; a frame is grabbed by
decoding into memory (libvlc's "vmem" callbacks) and written as PNG with zlib. The
callbacks only copy into a buffer and set an Event: no libvlc call inside them.
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
    """Implements library.Prober with libvlc."""

    def __init__(self, backend: VlcBackend) -> None:
        if not backend.available:
            raise ValueError(f"media unavailable: {backend.reason}")
        self.vlc = backend.vlc
        self.instance = backend.instance

    def probe(self, path: Path) -> ProbeResult:
        vlc = self.vlc
        if not path.is_file():
            return ProbeResult(False, reason="file not found")
        media = self.instance.media_new_path(str(path))
        try:
            media.parse_with_options(vlc.MediaParseFlag.local, int(PARSE_TIMEOUT_S * 1000))
            deadline = time.monotonic() + PARSE_TIMEOUT_S + 1
            status = media.get_parsed_status()
            while status == 0 and time.monotonic() < deadline:  # 0: not parsed yet
                time.sleep(0.01)
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
            media.release()

    def grab_frame(self, path: Path, target: Path, at_s: float = 5.0) -> bool:
        """Decode into memory a few seconds in and keep one frame as a PNG thumbnail."""
        vlc = self.vlc
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

        media = self.instance.media_new_path(str(path))
        media.add_option(f":start-time={at_s:g}")
        media.add_option(":no-audio")
        player = self.instance.media_player_new()
        try:
            player.set_media(media)
            player.video_set_callbacks(lock, unlock, display, None)
            player.video_set_format("RV32", width, height, pitch)
            player.play()
            got = ready.wait(FRAME_TIMEOUT_S)
            player.stop()
            if not got:
                return False
            data = bytes(buffer)
            rgb = bytearray(width * height * 3)
            rgb[0::3] = data[2::4]  # RV32 is B, G, R, X in memory
            rgb[1::3] = data[1::4]
            rgb[2::3] = data[0::4]
            write_png(target, width, height, bytes(rgb))
            return True
        finally:
            player.release()
            media.release()
