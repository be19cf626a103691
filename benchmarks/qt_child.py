"""Helpers for scenarios that run inside a Qt child process (on the runner's Xvfb display).

`build_app` goes through the composition root (`session_app.app.build_windows`) with a
real SQLite file, a ManualClock and a real libvlc player, and shows both windows as
`run_gui` does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from session_app.app import AppWindows, build_windows
from session_app.domain.clock import ManualClock
from session_app.media.player import create_player
from session_app.store import SessionStore


def qt_app() -> QApplication:
    app = QApplication.instance() or QApplication(["session-app-bench"])
    assert isinstance(app, QApplication)
    return app


def build_app(data_dir: Path, clock: ManualClock | None = None) -> AppWindows:
    """Both windows over one store and one player, shown and painted once."""
    qt_app()
    clock = clock or ManualClock()
    store = SessionStore.open(data_dir, clock=clock)
    windows = build_windows(store, clock, create_player())
    windows.patient.allow_close = True
    windows.patient.move(0, 0)
    windows.staff.move(0, 0)
    windows.patient.show()
    windows.staff.show()
    settle()
    return windows


def settle(seconds: float = 0.3) -> None:
    """Let the windows map, lay out and paint (real time: Xvfb answers asynchronously)."""
    app = qt_app()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def type_into(form: Any, values: dict[str, str]) -> None:
    """Fill a staff form's controls as a nurse would (text fields typed, combo boxes
    chosen by value); names the form has no control for are skipped."""
    for name, text in values.items():
        control = form.controls.get(name)
        if control is None:
            continue
        if hasattr(control, "setText"):
            control.setText(text)
        else:
            control.setCurrentIndex(max(0, control.findData(text)))
