"""The patient window: calm, dark, nothing clinical, no accidental exits."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from session_app.ui.theme import load_qss

WINDOW_TITLE = "Welcome"


class PatientWindow(QWidget):
    """Top-level window for the patient's screen.

    Closing is refused unless `close_guard` (supplied by the app, which asks staff)
    says yes: a patient who bumps a key must not lose their music.
    """

    def __init__(self, close_guard: Callable[[], bool] | None = None) -> None:
        super().__init__()
        self.setObjectName("PatientWindow")
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Patient window")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(load_qss("patient"))
        self._close_guard = close_guard
        self.allow_close = False

        title = QLabel("Welcome. Make yourself comfortable.")
        title.setObjectName("WelcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Take a slow breath in, and a long breath out.\n"
            "Soon you can choose some music or a gentle video here."
        )
        text.setObjectName("WelcomeText")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        for label in (title, text):
            label.setAccessibleName(label.text())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 64, 64, 64)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addSpacing(24)
        layout.addWidget(text)
        layout.addStretch(3)
        self.resize(1024, 700)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close or (self._close_guard is not None and self._close_guard()):
            event.accept()
        else:
            event.ignore()
