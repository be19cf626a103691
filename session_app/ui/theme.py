"""Load QSS themes from assets/themes (styles live in files, not in code), and switch the
properties those style sheets select on."""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtWidgets import QWidget

from session_app.paths import THEMES_DIR


def load_qss(name: str) -> str:
    path = THEMES_DIR / f"{name}.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def set_style_state(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet selects on (e.g. `[invalid="true"]`) and re-apply the
    sheet to the widget.

    Only a change, and only on a widget already polished: before its first polish the
    sheet reads the property anyway. (Calling `style()` from Python the first time also
    costs PySide ≈ 20 ms of set-up, which start-up need not pay: issue 7.)
    """
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    if widget.testAttribute(QtCore.Qt.WidgetAttribute.WA_WState_Polished):
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
