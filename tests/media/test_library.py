"""The built-in library as shipped, and clinic folders scanned through real libvlc."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.library import (
    Group,
    MediaKind,
    MediaLibrary,
    ProbeResult,
    load_builtin,
    scan_folders,
)
from session_app.media.probe import VlcProber
from session_app.paths import MEDIA_DIR
from tests.media.helpers import write_corrupt, write_tone


def test_builtin_library_meets_the_brief() -> None:
    result = load_builtin(MEDIA_DIR)
    assert result.skipped == ()
    audio = [i for i in result.items if i.kind is MediaKind.AUDIO]
    video = [i for i in result.items if i.kind is MediaKind.VIDEO]
    assert len(audio) >= 4 and all(i.duration_s and i.duration_s >= 180 for i in audio)
    assert len(video) >= 2 and all(i.duration_s and i.duration_s >= 60 for i in video)
    assert {i.group for i in result.items} == set(Group)
    assert all(i.thumbnail is not None and i.thumbnail.suffix == ".png" for i in result.items)
    total = sum(i.path.stat().st_size for i in result.items)
    assert total < 15 * 1024 * 1024
    assert (MEDIA_DIR / "LICENSE.md").is_file()


@pytest.fixture(scope="module")
def prober() -> VlcProber:
    return VlcProber(load_backend(HEADLESS_ARGS))


def test_real_libvlc_reads_durations_and_skips_broken_files(
    prober: VlcProber, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic"
    (folder / "Soundscapes").mkdir(parents=True)
    write_tone(folder / "Soundscapes" / "quiet_hum.wav", 1.5)
    write_tone(folder / "piano.wav", 2.0)
    shutil.copy(MEDIA_DIR / "moonlit-water.webm", folder / "waves.webm")
    write_corrupt(folder / "broken.mp3")
    (folder / "notes.txt").write_text("not media")
    cache = tmp_path / "cache"

    result = scan_folders([folder, tmp_path / "missing"], prober, cache)

    by_name = {item.path.name: item for item in result.items}
    assert set(by_name) == {"quiet_hum.wav", "piano.wav", "waves.webm"}
    assert by_name["piano.wav"].duration_s == pytest.approx(2.0, abs=0.1)
    assert by_name["piano.wav"].group is Group.MUSIC and by_name["piano.wav"].title == "piano"
    assert by_name["quiet_hum.wav"].group is Group.SOUNDSCAPES
    assert by_name["quiet_hum.wav"].title == "quiet hum"
    video = by_name["waves.webm"]
    assert video.kind is MediaKind.VIDEO and video.group is Group.VIDEO
    assert video.duration_s == pytest.approx(80, abs=1)
    assert video.thumbnail is not None and video.thumbnail.parent == cache
    image = QImage(str(video.thumbnail))
    assert not image.isNull() and (image.width(), image.height()) == (320, 180)
    assert image.pixelColor(160, 90).value() < 140  # a dark, calm frame, not a blank white
    skipped = {s.path.name: s.reason for s in result.skipped}
    assert "damaged" in skipped["broken.mp3"] and skipped["missing"] == "folder not found"


class FakeVideoProber:
    """Edge fake: counts frame grabs to show a thumbnail is grabbed once and cached."""

    def __init__(self) -> None:
        self.grabs = 0

    def probe(self, path: Path) -> ProbeResult:
        return ProbeResult(True, duration_s=61.0, has_video=True)

    def grab_frame(self, path: Path, target: Path, at_s: float) -> bool:
        self.grabs += 1
        target.write_bytes(b"png")
        return True

    def close(self) -> None:
        pass


def test_thumbnails_are_grabbed_once_and_rescan_finds_new_files(tmp_path: Path) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / "a.mp4").write_bytes(b"x")
    prober = FakeVideoProber()
    library = MediaLibrary(MEDIA_DIR, [folder], prober, tmp_path / "cache")
    clinic = [i for i in library.items if not i.builtin]
    assert [i.title for i in clinic] == ["a"] and prober.grabs == 1
    (folder / "b.mkv").write_bytes(b"y")
    library.rescan()
    assert [i.title for i in library.items if not i.builtin] == ["a", "b"]
    assert prober.grabs == 2  # only the new file; a's frame came from the cache
    assert [g for g, _items in library.grouped()] == [Group.MUSIC, Group.SOUNDSCAPES, Group.VIDEO]


def test_without_libvlc_clinic_files_are_listed_as_skipped_not_offered(tmp_path: Path) -> None:
    write_tone(tmp_path / "song.wav", 0.5)
    result = scan_folders([tmp_path], prober=None)
    assert result.items == ()
    assert [s.reason for s in result.skipped] == ["media unavailable (no libvlc)"]


def test_unreadable_manifest_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "library.json").write_text("{ not json")
    result = load_builtin(tmp_path)
    assert result.items == () and "unreadable" in result.skipped[0].reason
