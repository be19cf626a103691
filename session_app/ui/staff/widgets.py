"""Small helpers shared by staff widgets: named controls and inline field errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from session_app.domain.errors import ValidationError
from session_app.ui.text import plain_label, tooltip
from session_app.ui.theme import set_style_state

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, object_name: str = "") -> W:
    """Give a control its accessible name (screen readers, UI automation) and object name."""
    widget.setAccessibleName(name)
    widget.setObjectName(object_name or name.replace(" ", "").replace("(", "").replace(")", ""))
    return widget


def set_text(label: QLabel, text: str) -> None:
    """Change a label's (a `plain_label`'s) text only if it differs. Every `setText` makes
    Qt lay out each enclosing widget again, one per event-loop turn, up to the window
    (issue 7)."""
    if label.text() != text:
        label.setText(text)


def mark_invalid(edit: QLineEdit, invalid: bool, message: str = "") -> None:
    """Flag a field in place; the text typed stays so the nurse can fix it."""
    set_style_state(edit, "invalid", invalid)
    edit.setToolTip(tooltip(message))  # the message may quote what was typed
    edit.setAccessibleDescription(message)


def typed_values(controls: Mapping[str, QWidget]) -> dict[str, str]:
    """What a form holds, by field name, as the domain validates it (text, or a combo
    box's data); empty means not entered."""
    raw: dict[str, str] = {}
    for name, control in controls.items():
        if isinstance(control, QComboBox):
            raw[name] = str(control.currentData() or "")
        elif isinstance(control, QLineEdit):
            raw[name] = control.text()
    return raw


def show_refusal(exc: ValidationError, controls: Mapping[str, QWidget], message: QLabel) -> None:
    """Flag each refused field in place (the typed text stays), list every message, and
    put the cursor in the first refused field."""
    first: QWidget | None = None
    for error in exc.errors:
        control = controls.get(error.field)
        if isinstance(control, QLineEdit):
            mark_invalid(control, True, error.message)
        if control is not None and first is None:
            first = control
    message.setText("\n".join(e.message for e in exc.errors))
    if first is not None:
        first.setFocus()


def error_label(object_name: str = "FormError") -> QLabel:
    label = plain_label("")
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setAccessibleName("Form message")
    return label


class FittedScroll(QScrollArea):
    """A bounded list (the alert cards, the proposed checks). Its size hint is the
    content's height at the width it has (QScrollArea's own is the unwrapped height,
    capped at 24 lines), so a tall screen shows it whole; a short one gives it less and
    it scrolls inside, instead of the column growing the window past its screen."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        content = self.widget()
        if content is None:
            return hint
        if content.hasHeightForWidth():
            height = content.heightForWidth(self.viewport().width())
        else:  # QScrollArea's own hint keeps the content's first size
            height = content.sizeHint().height()
        hint.setHeight(height + 2 * self.frameWidth())
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the hint follows the width (wrapped lines)

    def minimumSizeHint(self) -> QSize:
        """The least is the owner's setMinimumHeight (one row, one card's controls), not
        the scroll bar's arrows and slider (68 px here: taller than a proposal's row)."""
        return QSize(super().minimumSizeHint().width(), 0)


class EntryForm(QGroupBox):
    """A staff form that Enter anywhere submits (line edits and combo boxes pass it up),
    so a nurse can record without reaching for the mouse."""

    def submit(self) -> object | None:  # pragma: no cover - each form has its own
        raise NotImplementedError

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.submit()
            return
        super().keyPressEvent(event)
