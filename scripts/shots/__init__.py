"""Screenshot scenes. Each module lists SCENES: callables (tmp_dir) -> [(png name, window)]."""

from __future__ import annotations

import time
from collections.abc import Iterator

from PySide6.QtWidgets import QApplication, QWidget


def settle(app: QApplication, seconds: float = 0.6) -> None:
    """Let the window manager map windows and Qt paint them before grabbing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def shown(*windows: QWidget) -> Iterator[QWidget]:
    for window in windows:
        window.show()
        window.raise_()
        yield window
