"""Scanning clinic folders through real libvlc: what is left out and why, and the probe
cache (by path, size and modification time) that keeps an unchanged file from being
probed twice, across restarts too."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from session_app.media.backend import HEADLESS_ARGS, VlcBackend, load_backend
from session_app.media.library import MediaLibrary, ProbeResult
from session_app.media.probe import VlcProber
from session_app.paths import MEDIA_DIR
from tests.media.helpers import (
    CountingProber,
    write_corrupt,
    write_short_video,
    write_tone,
    write_undecodable_video,
)


@pytest.fixture(scope="module")
def backend() -> VlcBackend:
    made = load_backend(HEADLESS_ARGS)
    assert made.available, made.reason
    return made


# What messy_folder() holds that a scan must leave out, each named with its reason.
LEFT_OUT = (
    "empty one.mp3",
    "empty two.wav",
    "empty three.ogg",
    "notes.txt",
    "broken.mp3",
    "unfinished copy.mp3",
    "usb stick",
    "loop",
)


def messy_folder(root: Path, tiny_files: int) -> Path:
    """A clinic folder as one really looks: many small tracks in sub-folders, and the
    things that must be left out and named (empty, not media, damaged, unreadable)."""
    folder = root / "clinic"
    for index in range(tiny_files):
        sub = folder / f"album {index // 50}"
        sub.mkdir(parents=True, exist_ok=True)
        write_tone(sub / f"track {index:03}.wav", 0.02, 200 + index)
    for name in ("empty one.mp3", "empty two.wav", "empty three.ogg"):
        (folder / name).touch()
    (folder / "notes.txt").write_text("playlist ideas")
    write_corrupt(folder / "broken.mp3")
    with open(folder / "unfinished copy.mp3", "wb") as sparse:
        sparse.truncate(2 * 1024**3)  # 2 GB of nothing (sparse: no disk space used)
    (folder / "usb stick").symlink_to(root / "unplugged" / "music", target_is_directory=True)
    (folder / "loop").symlink_to(folder / "loop")
    (folder / ".hidden.mp3").touch()  # a dot-file is nobody's media: not even named
    return folder


def test_a_scan_names_every_file_it_leaves_out_and_why(backend: VlcBackend, tmp_path) -> None:
    folder = messy_folder(tmp_path, tiny_files=300)
    library = MediaLibrary(MEDIA_DIR, [folder], VlcProber(backend), tmp_path / "thumbs")

    clinic = [item for item in library.items if not item.builtin]
    assert len(clinic) == 300
    reasons = {s.path.name: s.reason for s in library.skipped}
    assert set(reasons) == set(LEFT_OUT)
    assert reasons["empty one.mp3"] == "empty file (0 bytes)"
    assert reasons["notes.txt"] == "not a media file"
    assert "damaged" in reasons["broken.mp3"]
    assert "zero bytes" in reasons["unfinished copy.mp3"]  # told without libvlc's 5 s wait
    assert "missing" in reasons["usb stick"]
    assert "unreadable" in reasons["loop"]


def test_an_unchanged_file_is_probed_once_even_after_a_restart(
    backend: VlcBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    for index in range(20):
        write_tone(folder / f"tone {index:02}.wav", 0.05, 300 + index)
    write_corrupt(folder / "broken.mp3")
    write_short_video(backend.instance, folder / "short clip.avi", 2)
    write_undecodable_video(backend.instance, folder / "no picture.avi")
    cache = tmp_path / "thumbs"

    first = CountingProber(VlcProber(backend))
    library = MediaLibrary(MEDIA_DIR, [folder], first, cache)
    assert len(first.probed) == 23 and len(first.grabbed) == 2
    by_name = {item.path.name: item for item in library.items}
    assert by_name["short clip.avi"].thumbnail is not None  # shorter than 5 s: still a frame
    assert by_name["no picture.avi"].thumbnail is None

    again = CountingProber(VlcProber(backend))  # the next start of the app
    reread = MediaLibrary(MEDIA_DIR, [folder], again, cache)
    assert again.probed == [] and again.grabbed == []  # failures are remembered too
    assert reread.items == library.items and reread.skipped == library.skipped

    write_tone(folder / "tone 07.wav", 0.5, 300)  # replaced by a longer take
    changed = CountingProber(VlcProber(backend))
    third = MediaLibrary(MEDIA_DIR, [folder], changed, cache)
    assert changed.probed == [folder / "tone 07.wav"] and changed.grabbed == []
    tone = next(i for i in third.items if i.path.name == "tone 07.wav")
    assert tone.duration_s == pytest.approx(0.5, abs=0.05)


def test_a_probe_cut_short_by_closing_is_not_remembered_as_a_failure(
    backend: VlcBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    for index in range(12):
        write_tone(folder / f"tone {index:02}.wav", 0.05, 300 + index)
    stop = threading.Event()

    class ClosesMidway(CountingProber):
        def probe(self, path: Path) -> ProbeResult:
            if len(self.probed) == 5:
                stop.set()  # the app is closing: the scan stops after this file
                self.close()
            return super().probe(path)

    library = MediaLibrary(MEDIA_DIR, (), ClosesMidway(VlcProber(backend)), tmp_path / "thumbs")
    library.scan([str(folder)], stop.is_set)  # what the scanning thread runs

    later = CountingProber(VlcProber(backend))
    restarted = MediaLibrary(MEDIA_DIR, [folder], later, tmp_path / "thumbs")
    assert len([i for i in restarted.items if not i.builtin]) == 12
    assert restarted.skipped == ()
    assert len(later.probed) == 7  # the five read before closing were kept


def test_an_index_file_the_app_did_not_write_is_never_overwritten(
    backend: VlcBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    write_tone(folder / "tone.wav", 0.05)
    cache = tmp_path / "thumbs"
    cache.mkdir()
    theirs = cache / "index.json"
    theirs.write_text('{"someone": "else"}')

    library = MediaLibrary(MEDIA_DIR, [folder], VlcProber(backend), cache)

    assert [i.path.name for i in library.items if not i.builtin] == ["tone.wav"]
    assert json.loads(theirs.read_text()) == {"someone": "else"}


def test_the_index_is_written_whole_and_private(backend: VlcBackend, tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    write_tone(folder / "tone.wav", 0.05)
    cache = tmp_path / "thumbs"
    MediaLibrary(MEDIA_DIR, [folder], VlcProber(backend), cache)
    index = cache / "index.json"
    data: dict[str, Any] = json.loads(index.read_text())
    assert str(folder / "tone.wav") in data["files"]
    assert os.stat(index).st_mode & 0o077 == 0
    assert sorted(p.name for p in cache.iterdir()) == ["index.json"]  # no temp file left
