"""The media library: the built-in items from assets/media and the clinic's folders.

Pure Python (no Qt, no libvlc): reading titles, durations and video frames is done by a
`Prober` handed in (media.probe.VlcProber in the app, a fake at the edge of unit tests).
A file that is missing, empty, unreadable or not really media is left out and listed in
`skipped` with the reason, for the staff panel; the patient simply never sees it.

Probing is slow (libvlc parses each file; a damaged one costs its time-out), so what the
prober said is kept in a `ProbeCache` by path, size and modification time, written to
the thumbnails folder: an unchanged file is probed once, not at every scan or start.
`MediaLibrary.scan` touches nothing but the prober and that cache, so it may run on a
worker thread (media.scanner); the library's own lists change only in `apply`.
"""

from __future__ import annotations

import json
import logging
import os
import stat as stat_mode
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("session_app.media")

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".ogg", ".oga", ".opus", ".flac", ".wav", ".m4a", ".aac", ".wma"}
)
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mkv", ".mov", ".avi", ".ogv", ".mpg"})
MANIFEST = "library.json"
INDEX = "index.json"  # the probe cache, beside the thumbnails
INDEX_FORMAT = "session_app media probe cache"
INDEX_VERSION = 1
FRAME_AT_S = 5.0  # where a video's tile picture is taken (earlier in a shorter video)
HEAD_BYTES = 4096  # read before probing: a file of zero bytes is no media
ZEROS_REASON = "no media data (it starts with 4 KB of zero bytes: an unfinished copy?)"


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

    def grab_frame(self, path: Path, target: Path, at_s: float) -> bool:
        """Write the frame `at_s` seconds into the video at `path` to `target` as PNG; True
        on success."""
        ...

    def close(self) -> None:
        """The app is closing: give up any wait at once and probe nothing more."""
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


def thumbnail_cache_path(cache_dir: Path, path: Path, stat: os.stat_result | None = None) -> Path:
    """One PNG per file version: a changed file (size or time) gets a new frame."""
    import hashlib  # loads OpenSSL: only for clinic folders, not at every start-up

    stat = stat or path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    return cache_dir / f"{hashlib.sha1(key).hexdigest()}.png"


@dataclass(frozen=True)
class Known:
    """What was learnt about one version of a file. `thumbnail`: None not tried yet, ""
    tried and none could be made, else the PNG's name in the cache folder."""

    size: int
    mtime_ns: int
    result: ProbeResult
    thumbnail: str | None = None


class ProbeCache:
    """Probe results by path, size and modification time, kept in `folder`/index.json so
    the next scan, and the next start, probes only new or changed files. Failures are
    kept too ("damaged", no thumbnail): a bad file costs its time-out once.

    Used by one scan at a time. An index file that is not the app's is never overwritten:
    the cache then lives in memory only (and says so in the log).
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._entries: dict[str, Known] | None = None  # read on first use (the scan thread)
        self._writable = folder is not None
        self._dirty = False

    @property
    def entries(self) -> dict[str, Known]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def get(self, path: Path, stat: os.stat_result) -> Known | None:
        known = self.entries.get(str(path))
        if known is None or (known.size, known.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            return None
        return known

    def put(self, path: Path, stat: os.stat_result, result: ProbeResult) -> Known:
        known = Known(stat.st_size, stat.st_mtime_ns, result)
        self.entries[str(path)] = known
        self._dirty = True
        return known

    def put_thumbnail(self, path: Path, known: Known, name: str) -> None:
        self.entries[str(path)] = Known(known.size, known.mtime_ns, known.result, name)
        self._dirty = True

    def forget_unseen(self, folders: Sequence[Path], seen: set[str]) -> None:
        """Drop files gone from the folders just scanned (other folders' entries stay)."""
        for key in list(self.entries):
            if key not in seen and any(Path(key).is_relative_to(f) for f in folders):
                del self.entries[key]
                self._dirty = True

    def save(self) -> None:
        """Write the index whole (a temporary file, then a rename), private to the user."""
        import tempfile  # only once a clinic folder was scanned, not at start-up

        if not (self._dirty and self._writable and self.folder is not None):
            return
        files = {key: _known_to_json(known) for key, known in self.entries.items()}
        payload = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "files": files}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(payload, out)
                os.replace(temp, self.folder / INDEX)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError as exc:
            log.warning("media probe cache not saved: %s", exc)
            return
        self._dirty = False

    def _read(self) -> dict[str, Known]:
        if self.folder is None:
            return {}
        index = self.folder / INDEX
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            data = {"unreadable": str(exc)}
        if not (isinstance(data, dict) and data.get("format") == INDEX_FORMAT):
            log.warning("%s is not the app's media index: left alone, nothing cached", index)
            self._writable = False
            return {}
        if data.get("version") != INDEX_VERSION or not isinstance(data.get("files"), dict):
            return {}  # an older index of ours: start again (and replace it)
        entries: dict[str, Known] = {}
        for key, raw in data["files"].items():
            try:
                entries[key] = _known_from_json(raw)
            except (KeyError, TypeError, ValueError):
                continue
        return entries


def _known_to_json(known: Known) -> dict[str, Any]:
    result = known.result
    return {
        "size": known.size,
        "mtime_ns": known.mtime_ns,
        "playable": result.playable,
        "title": result.title,
        "duration_s": result.duration_s,
        "has_video": result.has_video,
        "reason": result.reason,
        "thumbnail": known.thumbnail,
    }


def _known_from_json(raw: dict[str, Any]) -> Known:
    duration = raw["duration_s"]
    result = ProbeResult(
        playable=bool(raw["playable"]),
        title=None if raw["title"] is None else str(raw["title"]),
        duration_s=None if duration is None else float(duration),
        has_video=bool(raw["has_video"]),
        reason=str(raw["reason"]),
    )
    thumbnail = raw.get("thumbnail")
    return Known(
        int(raw["size"]),
        int(raw["mtime_ns"]),
        result,
        None if thumbnail is None else Path(str(thumbnail)).name,
    )


def _never() -> bool:
    return False


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _walk(
    folder: Path, skipped: list[SkippedFile], cancelled: Callable[[], bool]
) -> list[tuple[Path, os.stat_result]]:
    """Every regular file under `folder`, sorted by path, links followed (each folder once,
    so a link loop ends). What cannot be read is added to `skipped`; dot-files and
    dot-folders (a trash, a thumbnail cache) are passed over without a word."""
    files: list[tuple[Path, os.stat_result]] = []
    visited: set[tuple[int, int]] = set()
    pending = [folder]
    while pending and not cancelled():
        current = pending.pop()
        try:
            here = current.stat()
            if (here.st_dev, here.st_ino) in visited:
                continue
            visited.add((here.st_dev, here.st_ino))
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            skipped.append(SkippedFile(current, f"folder unreadable ({_why(exc)})"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                stat = entry.stat()  # follows a link
            except FileNotFoundError:
                reason = "link to a missing file or folder" if entry.is_symlink() else "gone"
                skipped.append(SkippedFile(path, reason))
                continue
            except OSError as exc:
                skipped.append(SkippedFile(path, f"unreadable ({_why(exc)})"))
                continue
            if stat_mode.S_ISDIR(stat.st_mode):
                pending.append(path)
            elif stat_mode.S_ISREG(stat.st_mode):
                files.append((path, stat))
            else:
                skipped.append(SkippedFile(path, "not a regular file"))
    files.sort(key=lambda found: found[0])
    return files


def _only_zero_bytes(path: Path) -> bool:
    """A preallocated or unfinished copy (a sparse file) holds nothing but zero bytes at its
    start; no container starts so, and libvlc would search it until its time-out."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    return not head.strip(b"\0")


def scan_folders(
    folders: Iterable[Path | str],
    prober: Prober | None,
    cache_dir: Path | None = None,
    *,
    probe_cache: ProbeCache | None = None,
    cancelled: Callable[[], bool] = _never,
) -> ScanResult:
    """Every audio and video file under the folders, by extension, checked by the prober
    (or the cache of what it said before); everything else is named in `skipped`.

    Without a prober (no libvlc) nothing can be played, so nothing is listed. When
    `cancelled()` turns true the scan stops after the current file, and what the prober
    said after that (it may have been cut short) is not remembered.
    """
    cache = probe_cache if probe_cache is not None else ProbeCache(cache_dir)
    items: list[MediaItem] = []
    skipped: list[SkippedFile] = []
    scanned: list[Path] = []
    seen: set[str] = set()
    for entry in folders:
        folder = Path(entry).expanduser()
        if not folder.is_dir():
            skipped.append(SkippedFile(folder, "folder not found"))
            continue
        scanned.append(folder)
        left_out: list[SkippedFile] = []
        for path, stat in _walk(folder, left_out, cancelled):
            if cancelled():
                break
            seen.add(str(path))
            item = _item(folder, path, stat, prober, cache, cache_dir, left_out, cancelled)
            if item is not None:
                items.append(item)
        skipped += sorted(left_out, key=lambda s: s.path)
    if not cancelled():
        cache.forget_unseen(scanned, seen)
    cache.save()
    return ScanResult(tuple(items), tuple(skipped))


def _item(
    folder: Path,
    path: Path,
    stat: os.stat_result,
    prober: Prober | None,
    cache: ProbeCache,
    cache_dir: Path | None,
    skipped: list[SkippedFile],
    cancelled: Callable[[], bool],
) -> MediaItem | None:
    """The library item for one file, or None (and the reason in `skipped`)."""
    kind = kind_of(path)
    if kind is None:
        skipped.append(SkippedFile(path, "not a media file"))
        return None
    if stat.st_size == 0:
        skipped.append(SkippedFile(path, "empty file (0 bytes)"))
        return None
    if prober is None:
        skipped.append(SkippedFile(path, "media unavailable (no libvlc)"))
        return None
    known = cache.get(path, stat)
    if known is None:
        result = _probe(prober, path)
        if cancelled():
            return None  # perhaps cut short: not a verdict to remember
        known = cache.put(path, stat, result)
    result = known.result
    if not result.playable:
        skipped.append(SkippedFile(path, result.reason or "not playable"))
        return None
    if result.has_video:
        kind = MediaKind.VIDEO
    thumbnail = None
    if kind is MediaKind.VIDEO and cache_dir is not None:
        thumbnail = _thumbnail(prober, path, stat, known, cache, cache_dir, cancelled)
    return MediaItem(
        path=path,
        title=result.title or path.stem.replace("_", " "),
        kind=kind,
        group=_group_for(path, folder, kind),
        duration_s=result.duration_s,
        thumbnail=thumbnail,
    )


def _probe(prober: Prober, path: Path) -> ProbeResult:
    try:
        if _only_zero_bytes(path):
            return ProbeResult(False, reason=ZEROS_REASON)
        return prober.probe(path)
    except OSError as exc:
        return ProbeResult(False, reason=f"unreadable ({_why(exc)})")


def _thumbnail(
    prober: Prober,
    path: Path,
    stat: os.stat_result,
    known: Known,
    cache: ProbeCache,
    cache_dir: Path,
    cancelled: Callable[[], bool],
) -> Path | None:
    """The video's tile picture: grabbed once per file version, a failure remembered."""
    if known.thumbnail == "":
        return None  # tried before: no frame could be had
    if known.thumbnail is not None and (cache_dir / known.thumbnail).is_file():
        return cache_dir / known.thumbnail
    target = thumbnail_cache_path(cache_dir, path, stat)
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        duration = known.result.duration_s
        at_s = min(FRAME_AT_S, duration * 0.4) if duration else FRAME_AT_S
        made = prober.grab_frame(path, target, at_s)
        if cancelled():
            return target if made else None  # not remembered: perhaps cut short
        if not made:
            cache.put_thumbnail(path, known, "")
            return None
    cache.put_thumbnail(path, known, target.name)
    return target


def grouped(items: Iterable[MediaItem]) -> list[tuple[Group, list[MediaItem]]]:
    """Non-empty groups in display order."""
    listed = list(items)
    groups = [(group, [i for i in listed if i.group is group]) for group in Group]
    return [(group, members) for group, members in groups if members]


class MediaLibrary:
    """Built-in items plus the clinic folders.

    `rescan()` reads the folders at once (tests, tools); the app reads them on a worker
    thread through media.scanner, which calls `scan` there and `apply` on the UI thread.
    """

    def __init__(
        self,
        media_dir: Path,
        folders: Sequence[Path | str] = (),
        prober: Prober | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.media_dir = media_dir
        self.prober = prober
        self.cache_dir = cache_dir
        self.cache = ProbeCache(cache_dir)
        self.builtin = load_builtin(media_dir)
        self.clinic = ScanResult((), ())
        self.folders: list[str] = []  # the clinic folders `clinic` was read from
        if folders:
            self.rescan(folders)

    @property
    def items(self) -> tuple[MediaItem, ...]:
        return self.builtin.items + self.clinic.items

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        return self.builtin.skipped + self.clinic.skipped

    def needs_scan(self, folders: Sequence[Path | str]) -> bool:
        """Only a changed folder list is worth a scan (closing the settings unchanged is not)."""
        return [str(f) for f in folders] != self.folders

    def scan(
        self, folders: Sequence[Path | str], cancelled: Callable[[], bool] = _never
    ) -> ScanResult:
        """Read the clinic folders; safe on a worker thread (one scan at a time): it uses
        only the prober and the probe cache, and changes nothing the windows read."""
        return scan_folders(
            folders, self.prober, self.cache_dir, probe_cache=self.cache, cancelled=cancelled
        )

    def apply(self, folders: Sequence[Path | str], clinic: ScanResult) -> None:
        """Take a finished scan's result (on the thread the windows read from)."""
        self.folders = [str(f) for f in folders]
        self.clinic = clinic

    def rescan(self, folders: Sequence[Path | str] | None = None) -> ScanResult:
        """Read the folders again now (on this thread) and take the result."""
        chosen = self.folders if folders is None else [str(f) for f in folders]
        self.apply(chosen, self.scan(chosen))
        return ScanResult(self.items, self.skipped)

    def grouped(self) -> list[tuple[Group, list[MediaItem]]]:
        """Non-empty groups in display order."""
        return grouped(self.items)

    def group_items(self, group: Group) -> list[MediaItem]:
        return [item for item in self.items if item.group is group]
