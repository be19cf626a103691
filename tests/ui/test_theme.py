"""Style-sheet states: a property the sheet selects on takes effect whenever it is set."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from session_app.ui.theme import set_style_state

SHEET = 'QLabel { color: rgb(0, 0, 200); } QLabel[warn="true"] { color: rgb(200, 0, 0); }'
RED, BLUE = QColor(200, 0, 0), QColor(0, 0, 200)


def text_colour(label: QLabel) -> QColor:
    return label.palette().color(QPalette.ColorRole.WindowText)


def make_label(qtbot) -> tuple[QWidget, QLabel]:
    window = QWidget()
    window.setStyleSheet(SHEET)
    qtbot.addWidget(window)
    return window, QLabel("Summary state", window)


def test_a_state_set_before_the_first_polish_is_read_by_it(qtbot) -> None:
    window, label = make_label(qtbot)
    set_style_state(label, "warn", True)
    window.show()
    assert text_colour(label) == RED


def test_a_state_changed_on_a_shown_widget_restyles_it_both_ways(qtbot) -> None:
    window, label = make_label(qtbot)
    window.show()
    assert text_colour(label) == BLUE
    set_style_state(label, "warn", True)
    assert text_colour(label) == RED
    set_style_state(label, "warn", False)
    assert text_colour(label) == BLUE
    assert label.property("warn") is False
