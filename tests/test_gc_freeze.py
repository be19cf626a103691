"""Once the app has started, what it made while starting is frozen out of the garbage
collector (app.freeze_after_start): a full collection then walks only what came after,
not every object of Qt's, pyqtgraph's and the app's start-up (50-70 ms stalls)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from session_app import app


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


def test_the_start_up_objects_are_frozen_once_the_windows_are_up(
    qtbot: QtBot, thawed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "FREEZE_AFTER_MS", 10)
    owner = QObject()
    made_at_start = [object() for _ in range(3)]  # noqa: F841 (alive, as the windows are)
    app.freeze_after_start(owner)
    assert gc.get_freeze_count() == 0  # not while the windows are still coming up
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5000)


def test_a_stopped_freeze_timer_freezes_nothing(qtbot: QtBot, thawed: None) -> None:
    """run_gui stops it when the app ends sooner: its windows may outlive the event loop,
    and a freeze fired later would keep what came after alive."""
    owner = QObject()
    timer = app.freeze_after_start(owner)
    timer.stop()
    qtbot.wait(app.FREEZE_AFTER_MS // 10)
    assert not timer.isActive() and gc.get_freeze_count() == 0
