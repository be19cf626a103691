"""The patient window around a real headless libvlc player and the built-in library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.fade import ManualTime
from session_app.media.library import MediaLibrary
from session_app.media.player import MediaPlayer
from session_app.paths import MEDIA_DIR
from session_app.ui.patient.window import PatientWindow


@pytest.fixture
def manual_time() -> ManualTime:
    return ManualTime()


@pytest.fixture
def player(qtbot, manual_time: ManualTime) -> Iterator[MediaPlayer]:
    made = MediaPlayer(load_backend(HEADLESS_ARGS), clock=manual_time, fade_s=2.0)
    yield made
    made.shutdown()


@pytest.fixture
def library(tmp_path: Path) -> MediaLibrary:
    return MediaLibrary(MEDIA_DIR, cache_dir=tmp_path / "thumbs")


@pytest.fixture
def window(qtbot, player: MediaPlayer, library: MediaLibrary, manual_time) -> PatientWindow:
    made = PatientWindow(player, library, clock=manual_time, idle_ms=60)
    made.allow_close = True
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


@pytest.fixture
def unshown_window(qtbot, player: MediaPlayer, library: MediaLibrary) -> PatientWindow:
    """A patient window before its first paint (some pages join only after it)."""
    made = PatientWindow(player, library)
    made.allow_close = True
    qtbot.addWidget(made)
    return made
