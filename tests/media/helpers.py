"""Test helpers: short real sound and video files (stdlib wave and libvlc, no sox or
ffmpeg needed), media items, and a prober that counts its calls."""

from __future__ import annotations

import math
import struct
import threading
import wave
from pathlib import Path
from typing import Any

from session_app.media.library import Group, MediaItem, MediaKind, Prober, ProbeResult

RATE = 16000


def write_tone(path: Path, seconds: float, freq: float = 220.0) -> Path:
    """A quiet mono sine, long enough to be a real (if short) track."""
    frames = int(seconds * RATE)
    data = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * n / RATE)))
        for n in range(frames)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data)
    return path


def write_corrupt(path: Path) -> Path:
    """Bytes that look like nothing a demuxer knows, under a media extension."""
    path.write_bytes(bytes((n * 73 + 19) % 251 for n in range(40_000)))
    return path


def audio_item(path: Path, title: str | None = None, group: Group = Group.MUSIC) -> MediaItem:
    return MediaItem(path, title or path.stem, MediaKind.AUDIO, group)


def write_short_video(instance: Any, path: Path, seconds: float) -> Path:
    """The first `seconds` of a built-in video, copied (not re-encoded) by libvlc into the
    container `path` names (.avi, .mkv): a real short video without ffmpeg."""
    import vlc

    from session_app.paths import MEDIA_DIR

    mux = {".avi": "avi", ".mkv": "mkv", ".webm": "webm"}[path.suffix]
    media = instance.media_new_path(str(MEDIA_DIR / "moonlit-water.webm"))
    media.add_option(f":sout=#std{{access=file,mux={mux},dst={path}}}")
    media.add_option(f":stop-time={seconds:g}")
    player = instance.media_player_new()
    ended = threading.Event()
    events = player.event_manager()
    for kind in (vlc.EventType.MediaPlayerEndReached, vlc.EventType.MediaPlayerEncounteredError):
        events.event_attach(kind, lambda _event: ended.set())
    player.set_media(media)
    player.play()
    finished = ended.wait(30)
    for kind in (vlc.EventType.MediaPlayerEndReached, vlc.EventType.MediaPlayerEncounteredError):
        events.event_detach(kind)
    player.stop()
    player.release()
    media.release()
    assert finished and path.stat().st_size > 0, f"libvlc did not write {path}"
    return path


def write_undecodable_video(instance: Any, path: Path) -> Path:
    """A short AVI whose header is sound (a video track, so it is offered) but whose frames
    are noise: no frame can be decoded, so it never gets a thumbnail."""
    write_short_video(instance, path, 3)
    data = bytearray(path.read_bytes())
    start = data.find(b"movi") + 12
    for index in range(start, len(data)):
        data[index] = (index * 73 + 19) % 251
    path.write_bytes(bytes(data))
    return path


class CountingProber:
    """A real prober whose calls are counted, typed against the same Protocol as VlcProber
    (the edge of a test: what is probed and grabbed, from whichever thread)."""

    def __init__(self, inner: Prober) -> None:
        self.inner = inner
        self.probed: list[Path] = []
        self.grabbed: list[Path] = []

    def probe(self, path: Path) -> ProbeResult:
        self.probed.append(path)
        return self.inner.probe(path)

    def grab_frame(self, path: Path, target: Path, at_s: float) -> bool:
        self.grabbed.append(path)
        return self.inner.grab_frame(path, target, at_s)

    def close(self) -> None:
        self.inner.close()
