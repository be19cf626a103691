"""The media library: the built-in items from assets/media and the clinic's folders.

Pure Python (no Qt, no libvlc): reading titles, durations and video frames is done by a
`Prober` handed in (media.probe.VlcProber in the app, a fake at the edge of unit tests).
A file that is missing, unreadable or not really media is left out and listed in
`skipped` with the reason, for the staff panel; the patient simply never sees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".ogg", ".oga", ".opus", ".flac", ".wav", ".m4a", ".aac", ".wma"}
)
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mkv", ".mov", ".avi", ".ogv", ".mpg"})
MANIFEST = "library.json"


class MediaKind(Enum):
    AUDIO = "audio"
    VIDEO = "video"


class Group(Enum):
    """The sections of the patient's library, in the order they are shown."""

    MUSIC = "music"
    SOUNDSCAPES = "soundscapes"
    VIDEO = "video"

    @property
    def title(self) -> str:
        return {"music": "Music", "soundscapes": "Soundscapes", "video": "Nature videos"}[
            self.value
        ]


@dataclass(frozen=True)
class MediaItem:
    path: Path
    title: str
    kind: MediaKind
    group: Group
    duration_s: float | None = None
    thumbnail: Path | None = None
    builtin: bool = False


@dataclass(frozen=True)
class SkippedFile:
    path: Path
    reason: str


@dataclass(frozen=True)
class ProbeResult:
    """What the prober learnt about a file; `playable` False means leave it out."""

    playable: bool
    title: str | None = None
    duration_s: float | None = None
    has_video: bool = False
    reason: str = ""


class Prober(Protocol):
    def probe(self, path: Path) -> ProbeResult: ...

    def grab_frame(self, path: Path, target: Path) -> bool:
        """Write one frame of the video at `path` to `target` as PNG; True on success."""
        ...


@dataclass(frozen=True)
class ScanResult:
    items: tuple[MediaItem, ...]
    skipped: tuple[SkippedFile, ...]


def kind_of(path: Path) -> MediaKind | None:
    suffix = path.suffix.lower()
    if suffix in AUDIO_EXTENSIONS:
        return MediaKind.AUDIO
    if suffix in VIDEO_EXTENSIONS:
        return MediaKind.VIDEO
    return None


def load_builtin(media_dir: Path) -> ScanResult:
    """The built-in items, described by the manifest scripts/make_media.sh writes."""
    manifest = media_dir / MANIFEST
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return ScanResult((), (SkippedFile(manifest, f"built-in library unreadable: {exc}"),))
    items: list[MediaItem] = []
    skipped: list[SkippedFile] = []
    for entry in entries:
        path = media_dir / entry["file"]
        if not path.is_file():
            skipped.append(SkippedFile(path, "file not found"))
            continue
        kind = kind_of(path) or MediaKind.AUDIO
        thumb = media_dir / entry["thumbnail"] if entry.get("thumbnail") else None
        items.append(
            MediaItem(
                path=path,
                title=entry["title"],
                kind=kind,
                group=Group(entry["group"]),
                duration_s=entry.get("duration_s"),
                thumbnail=thumb if thumb is not None and thumb.is_file() else None,
                builtin=True,
            )
        )
    return ScanResult(tuple(items), tuple(skipped))


def _group_for(path: Path, folder: Path, kind: MediaKind) -> Group:
    """Video goes with the videos; audio in a folder named like "sounds…" or
    "soundscapes" goes with the soundscapes, any other audio with the music."""
    if kind is MediaKind.VIDEO:
        return Group.VIDEO
    parents = [p.name.lower() for p in path.relative_to(folder).parents if p.name]
    parents.append(folder.name.lower())
    if any(name.startswith(("sound", "nature", "ambient")) for name in parents):
        return Group.SOUNDSCAPES
    return Group.MUSIC


def thumbnail_cache_path(cache_dir: Path, path: Path) -> Path:
    """One PNG per file version: a changed file (size or time) gets a new frame."""
    import hashlib  # loads OpenSSL: only for clinic folders, not at every start-up

    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    return cache_dir / f"{hashlib.sha1(key).hexdigest()}.png"


def scan_folders(
    folders: Iterable[Path | str], prober: Prober | None, cache_dir: Path | None = None
) -> ScanResult:
    """Every audio and video file under the folders, by extension, checked by the prober.

    Without a prober (no libvlc) nothing can be played, so nothing is listed.
    """
    items: list[MediaItem] = []
    skipped: list[SkippedFile] = []
    for entry in folders:
        folder = Path(entry).expanduser()
        if not folder.is_dir():
            skipped.append(SkippedFile(folder, "folder not found"))
            continue
        for path in sorted(folder.rglob("*")):
            kind = kind_of(path)
            if kind is None or path.name.startswith(".") or not path.is_file():
                continue
            if prober is None:
                skipped.append(SkippedFile(path, "media unavailable (no libvlc)"))
                continue
            try:
                result = prober.probe(path)
            except OSError as exc:
                result = ProbeResult(False, reason=f"unreadable: {exc}")
            if not result.playable:
                skipped.append(SkippedFile(path, result.reason or "not playable"))
                continue
            if result.has_video:
                kind = MediaKind.VIDEO
            items.append(
                MediaItem(
                    path=path,
                    title=result.title or path.stem.replace("_", " "),
                    kind=kind,
                    group=_group_for(path, folder, kind),
                    duration_s=result.duration_s,
                    thumbnail=_thumbnail(prober, path, cache_dir)
                    if kind is MediaKind.VIDEO
                    else None,
                )
            )
    return ScanResult(tuple(items), tuple(skipped))


def _thumbnail(prober: Prober, path: Path, cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    target = thumbnail_cache_path(cache_dir, path)
    if target.is_file():
        return target  # grabbed once, kept
    cache_dir.mkdir(parents=True, exist_ok=True)
    return target if prober.grab_frame(path, target) else None


class MediaLibrary:
    """Built-in items plus the clinic folders; `rescan()` reads the folders again."""

    def __init__(
        self,
        media_dir: Path,
        folders: Sequence[Path | str] = (),
        prober: Prober | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.media_dir = media_dir
        self.folders = list(folders)
        self.prober = prober
        self.cache_dir = cache_dir
        self.items: tuple[MediaItem, ...] = ()
        self.skipped: tuple[SkippedFile, ...] = ()
        self.rescan()

    def rescan(self, folders: Sequence[Path | str] | None = None) -> ScanResult:
        if folders is not None:
            self.folders = list(folders)
        builtin = load_builtin(self.media_dir)
        clinic = scan_folders(self.folders, self.prober, self.cache_dir)
        self.items = builtin.items + clinic.items
        self.skipped = builtin.skipped + clinic.skipped
        return ScanResult(self.items, self.skipped)

    def grouped(self) -> list[tuple[Group, list[MediaItem]]]:
        """Non-empty groups in display order."""
        groups = [(group, [i for i in self.items if i.group is group]) for group in Group]
        return [(group, items) for group, items in groups if items]

    def group_items(self, group: Group) -> list[MediaItem]:
        return [item for item in self.items if item.group is group]
