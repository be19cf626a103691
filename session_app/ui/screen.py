"""Windows open no larger than their screen (issue 15 point 12).

The clinic's laptops are 1366×768 or 1280×720; a window opened at a fixed 1280×800 or
1400×900 there is cut off at the bottom or the right, buttons and all.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget, preferred: QSize) -> None:
    """Resize `window` to `preferred`, or smaller to fit the available area of its screen
    (the desktop's panels and, once known, the window frame taken off)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(preferred)
        return
    frame = window.frameGeometry().size() - window.geometry().size()
    room = screen.availableGeometry().size() - frame
    window.resize(preferred.boundedTo(room))
