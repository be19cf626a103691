"""A real libvlc player with dummy audio and video outputs, released after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.fade import ManualTime
from session_app.media.player import MediaPlayer


@pytest.fixture
def manual_time() -> ManualTime:
    return ManualTime()


@pytest.fixture
def player(qtbot) -> Iterator[MediaPlayer]:
    backend = load_backend(HEADLESS_ARGS)
    assert backend.available, backend.reason
    made = MediaPlayer(backend, fade_s=1.5)
    yield made
    made.shutdown()


@pytest.fixture
def timed_player(qtbot, manual_time: ManualTime) -> Iterator[MediaPlayer]:
    """A real player whose fades run on manual time (the libvlc decoder runs for real)."""
    made = MediaPlayer(load_backend(HEADLESS_ARGS), clock=manual_time, fade_s=2.0)
    yield made
    made.shutdown()
