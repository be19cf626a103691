"""Test helpers: short real sound files (stdlib wave, no sox needed) and media items."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from session_app.media.library import Group, MediaItem, MediaKind

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
