"""Helpers for scenarios that run inside a Qt child process (on the runner's Xvfb display).

`build_app` goes through the composition root (`session_app.app.build_windows`) with a
real SQLite file, a ManualClock and a real libvlc player, and shows both windows as
`run_gui` does. `PaintWatch` tells when a widget has really painted, so a timing can end
after the frame rather than after a call that merely scheduled one.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

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


class PaintWatch(QObject):
    """Counts Paint events delivered to one widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False

    def wait_for_paint(self, after: int, limit_s: float = 2.0) -> bool:
        """Process events until a paint beyond `after` has been handled."""
        app = qt_app()
        deadline = time.perf_counter() + limit_s
        while self.count <= after:
            app.processEvents()
            if time.perf_counter() > deadline:
                return False
        app.processEvents()  # the paint itself ran inside the processEvents that saw it
        return True
