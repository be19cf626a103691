"""Fixtures for the export tests: a data folder holding one ended REMS session (id 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session


@pytest.fixture
def seeded(data_dir: Path) -> Path:
    clock = ManualClock()
    store = SessionStore.open(data_dir, clock=clock)
    seed_rems_session(store, clock)
    store.close()
    return data_dir
