"""The breathing pacer: a soft circle that grows on the in-breath and shrinks on the out.

The pattern arithmetic (`BreathPattern.at`) is plain Python so tests sample it at any
time; the widget only draws what it is told, on a timer, against an injected clock.
It shows words, never a number counting down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QRadialGradient
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from session_app.media.fade import smooth

CHOSEN_MARK = "\N{CHECK MARK}"  # the chosen pattern: a mark as well as a colour
WORDS = {"in": "Breathe in", "hold": "Hold", "out": "Breathe out", "rest": "Rest"}


@dataclass(frozen=True)
class BreathPattern:
    key: str
    name: str
    phases: tuple[tuple[str, float], ...]  # ("in" | "hold" | "out" | "rest", seconds)

    @property
    def cycle_s(self) -> float:
        return sum(seconds for _kind, seconds in self.phases)

    def at(self, t: float) -> tuple[str, float]:
        """(phase kind, circle size 0–1) `t` seconds after the pattern started."""
        t %= self.cycle_s
        size_before = 0.0
        for kind, seconds in self.phases:
            if t < seconds:
                progress = t / seconds
                if kind == "in":
                    return kind, smooth(progress)
                if kind == "out":
                    return kind, 1.0 - smooth(progress)
                return kind, size_before
            t -= seconds
            size_before = {"in": 1.0, "out": 0.0}.get(kind, size_before)
        return self.phases[-1][0], size_before


PATTERNS: tuple[BreathPattern, ...] = (
    BreathPattern("even", "Even 5-5", (("in", 5), ("out", 5))),
    BreathPattern("478", "4-7-8", (("in", 4), ("hold", 7), ("out", 8))),
    BreathPattern("box", "Box 4-4-4-4", (("in", 4), ("hold", 4), ("out", 4), ("rest", 4))),
)


class BreathingCircle(QWidget):
    """Draws the circle at the size the pattern gives for the current time."""

    phase_changed = Signal(str)

    def __init__(self, clock: Callable[[], float] = time.monotonic, frame_ms: int = 33) -> None:
        super().__init__()
        self.setObjectName("BreathingCircle")
        self.setAccessibleName("Breathing circle")
        self.setMinimumSize(320, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._clock = clock
        self.pattern = PATTERNS[0]
        self._started = clock()
        self.phase = ""
        self.size_now = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(frame_ms)
        self._timer.timeout.connect(self.advance)

    def set_pattern(self, pattern: BreathPattern) -> None:
        self.pattern = pattern
        self.restart()

    def restart(self) -> None:
        self._started = self._clock()
        self.advance()

    def start(self) -> None:
        self.restart()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def advance(self) -> None:
        phase, self.size_now = self.pattern.at(self._clock() - self._started)
        if phase != self.phase:
            self.phase = phase
            self.phase_changed.emit(WORDS[phase])
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        low, high = side * 0.18, side * 0.46
        radius = low + (high - low) * self.size_now
        centre = QPointF(self.width() / 2, self.height() / 2)
        glow = QRadialGradient(centre, radius)
        glow.setColorAt(0.0, QColor(96, 132, 150, 200))
        glow.setColorAt(0.75, QColor(70, 104, 124, 150))
        glow.setColorAt(1.0, QColor(50, 74, 92, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(glow)
        painter.drawEllipse(centre, radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QColor(70, 90, 106))
        painter.drawEllipse(centre, high, high)  # where the in-breath ends
        painter.end()


class PacerPanel(QWidget):
    """The circle, the word for the current phase, and the pattern choice."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.setObjectName("PacerPanel")
        self.setAccessibleName("Breathing guide")
        self.circle = BreathingCircle(clock)
        self.word = QLabel(WORDS["in"])
        self.word.setObjectName("PacerWord")
        self.word.setAccessibleName("Breathing phase")
        self.word.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.circle.phase_changed.connect(self.word.setText)

        self.buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        row = QHBoxLayout()
        row.addStretch(1)
        for pattern in PATTERNS:
            button = QPushButton(pattern.name)
            button.setObjectName("PacerPatternButton")
            button.setAccessibleName(f"Breathing pattern {pattern.name}")
            button.setCheckable(True)
            button.toggled.connect(lambda on, b=button, p=pattern: self._mark(b, p, on))
            button.setChecked(pattern is self.circle.pattern)
            button.clicked.connect(lambda _=False, p=pattern: self.circle.set_pattern(p))
            group.addButton(button)
            row.addWidget(button)
            self.buttons[pattern.key] = button
        row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.circle, 1)
        layout.addWidget(self.word)
        layout.addSpacing(16)
        layout.addLayout(row)

    @staticmethod
    def _mark(button: QPushButton, pattern: BreathPattern, chosen: bool) -> None:
        """The chosen pattern carries a check mark (not only a colour, which not every eye
        tells apart in a dim room); a screen reader hears its checked state, and its name
        stays the pattern's."""
        button.setText(f"{CHOSEN_MARK} {pattern.name}" if chosen else pattern.name)

    def _fit_buttons(self) -> None:
        """Each button wide enough for its marked text, so it keeps its size as the mark
        moves (measured once the window's style sheet sets the font)."""
        for pattern in PATTERNS:
            button = self.buttons[pattern.key]
            button.ensurePolished()
            shown = button.text()
            button.setText(f"{CHOSEN_MARK} {pattern.name}")
            button.setMinimumWidth(button.sizeHint().width())
            button.setText(shown)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self._fit_buttons()
        super().showEvent(event)
        self.circle.start()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().hideEvent(event)
        self.circle.stop()
