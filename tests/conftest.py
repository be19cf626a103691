"""Shared fixtures: offscreen Qt, a real SQLite store in a tmp dir, a manual clock, the
monitoring service over them, the settings defaults."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tzlocal

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


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Sets the machine's time zone for one test (TZ, libc and tzlocal alike), and puts
    the real one back after it."""
    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
        tzlocal.reload_localzone()

    yield set_zone
    monkeypatch.undo()
    time.tzset()
    tzlocal.reload_localzone()
    assert os.environ.get("TZ") == before
