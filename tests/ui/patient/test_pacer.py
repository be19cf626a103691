"""The breathing pacer: pattern arithmetic sampled over time, and the widget following it."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from session_app.media.fade import ManualTime
from session_app.ui.patient.pacer import CHOSEN_MARK, PATTERNS, PacerPanel

BY_KEY = {p.key: p for p in PATTERNS}


def test_the_three_patterns() -> None:
    assert {p.name: p.cycle_s for p in PATTERNS} == {
        "Even 5-5": 10,
        "4-7-8": 19,
        "Box 4-4-4-4": 16,
    }


@pytest.mark.parametrize(
    ("key", "t", "phase", "size"),
    [
        ("478", 0.0, "in", 0.0),
        ("478", 2.0, "in", 0.5),
        ("478", 4.0, "hold", 1.0),
        ("478", 10.9, "hold", 1.0),
        ("478", 15.0, "out", 0.5),
        ("478", 19.0, "in", 0.0),  # the next cycle
        ("box", 13.0, "rest", 0.0),
        ("even", 7.5, "out", 0.5),
    ],
)
def test_pattern_phase_and_size_over_time(key: str, t: float, phase: str, size: float) -> None:
    got_phase, got_size = BY_KEY[key].at(t)
    assert got_phase == phase and got_size == pytest.approx(size, abs=1e-9)


def test_circle_grows_and_shrinks_smoothly() -> None:
    pattern = BY_KEY["even"]
    sizes = [pattern.at(t / 10)[1] for t in range(0, 101)]
    steps = [abs(b - a) for a, b in itertools.pairwise(sizes)]
    assert max(steps) < 0.04  # no jumps anywhere in the cycle


def test_widget_follows_the_chosen_pattern_on_injected_time(qtbot) -> None:
    time = ManualTime()
    panel = PacerPanel(time)
    qtbot.addWidget(panel)
    panel.show()
    panel.buttons["478"].click()
    assert panel.circle.pattern.key == "478" and panel.buttons["478"].isChecked()
    assert panel.word.text() == "Breathe in"
    time.advance(5)
    panel.circle.advance()
    assert panel.word.text() == "Hold" and panel.circle.size_now == 1.0
    time.advance(8)
    panel.circle.advance()
    assert panel.word.text() == "Breathe out" and 0 < panel.circle.size_now < 1
    assert not any(ch.isdigit() for ch in panel.word.text())  # words, never a countdown


def test_the_chosen_pattern_is_marked_by_more_than_colour(qtbot) -> None:
    """A check mark in its text and the checked state a screen reader announces; the
    button keeps its size and its name as the mark moves."""
    panel = PacerPanel(ManualTime())
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    sizes = {key: button.size() for key, button in panel.buttons.items()}

    def marked() -> list[str]:
        return [key for key, b in panel.buttons.items() if b.text().startswith(CHOSEN_MARK)]

    def announced_checked() -> list[str]:
        return [
            key
            for key, button in panel.buttons.items()
            if QAccessible.queryAccessibleInterface(button).state().checked
        ]

    assert marked() == announced_checked() == ["even"]
    qtbot.mouseClick(panel.buttons["478"], Qt.MouseButton.LeftButton)
    assert marked() == announced_checked() == ["478"]
    assert panel.buttons["478"].text() == f"{CHOSEN_MARK} 4-7-8"
    assert panel.buttons["even"].text() == "Even 5-5"
    assert panel.buttons["478"].accessibleName() == "Breathing pattern 4-7-8"
    assert {key: button.size() for key, button in panel.buttons.items()} == sizes
