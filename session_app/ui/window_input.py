"""Hearing a window's keyboard, mouse and touch input without an application-wide filter.

The patient window shows its controls again on input; the staff panel locks after a
time without input. Both used to filter every event of every object in the application
in Python: thousands while a window is shown (about 25 ms of the patient window's
start-up) and hundreds on every save (issue 7). Real input reaches a window's QWindow
before Qt hands it to a widget, so filtering that QWindow is enough; events sent to the
window widget itself count too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QWidget

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)


class WindowInput(QObject):
    """Calls `on_input` for each key press, mouse press or move, wheel or touch in `window`.

    The window's QWindow exists once the window is shown (or given a native id); the
    filter moves onto it then, and onto a new one if Qt recreates it.
    """

    def __init__(self, window: QWidget, on_input: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._on_input = on_input
        self._handle: QWindow | None = None
        window.installEventFilter(self)
        self._attach()

    def _attach(self) -> None:
        handle = self._window.windowHandle()
        if handle is None or handle is self._handle:
            return
        if self._handle is not None:
            self._handle.removeEventFilter(self)
        handle.installEventFilter(self)
        handle.destroyed.connect(self._handle_destroyed)  # e.g. the widget reparented
        self._handle = handle

    def _handle_destroyed(self) -> None:
        self._handle = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in INPUT_EVENTS:
            self._on_input()
        elif watched is self._window and kind in (QEvent.Type.Show, QEvent.Type.WinIdChange):
            self._attach()
        return False
