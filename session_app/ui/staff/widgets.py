"""Small helpers shared by staff widgets: named controls and inline field errors."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, object_name: str = "") -> W:
    """Give a control its accessible name (screen readers, UI automation) and object name."""
    widget.setAccessibleName(name)
    widget.setObjectName(object_name or name.replace(" ", "").replace("(", "").replace(")", ""))
    return widget


def mark_invalid(edit: QLineEdit, invalid: bool, message: str = "") -> None:
    """Flag a field in place; the text typed stays so the nurse can fix it."""
    edit.setProperty("invalid", invalid)
    edit.setToolTip(message)
    edit.setAccessibleDescription(message)
    edit.style().unpolish(edit)
    edit.style().polish(edit)


def error_label(object_name: str = "FormError") -> QLabel:
    label = QLabel("")
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setAccessibleName("Form message")
    return label
