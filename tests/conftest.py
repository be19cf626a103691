"""Shared fixtures: offscreen Qt, a real SQLite store in a tmp dir, a manual clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from session_app.domain.clock import ManualClock
from session_app.store import SessionStore


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def store(data_dir: Path, clock: ManualClock) -> Iterator[SessionStore]:
    opened = SessionStore.open(data_dir, clock=clock)
    yield opened
    opened.close()
