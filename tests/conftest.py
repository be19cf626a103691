"""Shared fixtures: offscreen Qt, a real SQLite store in a tmp dir, a manual clock, the
monitoring service over them, the settings defaults."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from session_app.domain.clock import ManualClock
from session_app.domain.settings import resolve_settings
from session_app.monitoring import MonitoringService
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


@pytest.fixture
def service(store: SessionStore, clock: ManualClock) -> MonitoringService:
    """The app's one monitoring service over the test's store and clock."""
    return MonitoringService(store, clock)


@pytest.fixture
def settings() -> dict[str, Any]:
    """Every clinic setting at its declared default (the Picard habit): a fresh dict per test."""
    return resolve_settings({})
