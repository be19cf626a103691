"""Text from outside shown as written, never as markup.

A QLabel, a tooltip and a message box guess their format: a first line that looks like
an HTML tag makes Qt render the text as rich text. A media file titled
`<img src="file:///…" width=1200 height=1500>` (or a patient ID, a note, a file name typed
so) would then load a local file and force the staff panel to the image's size (issue 13).
Labels here are plain text from the start; a label that needs rich text for its own
formatting escapes every outside part with `escape`; tooltips go through `tooltip`.
"""

from __future__ import annotations

from html import escape as _escape

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt  # QtGui's part of the namespace: convertFromPlainText
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(
    text: str = "", object_name: str = "", accessible_name: str = "", parent: QWidget | None = None
) -> QLabel:
    """A label whose text is always shown as written (the way to build a staff label)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # before the text: never parsed as HTML
    label.setText(text)
    if object_name:
        label.setObjectName(object_name)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    return label


def set_plain(label: QLabel) -> QLabel:
    """Make an existing label show its text as written."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def rich_label(html: str = "", object_name: str = "", accessible_name: str = "") -> QLabel:
    """A label with formatting of its own (bold, line breaks): every outside part of
    `html` must have gone through `escape`."""
    label = plain_label("", object_name, accessible_name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(html)
    return label


def escape(text: object) -> str:
    """Outside text for a rich-text label: shown as written."""
    return _escape(str(text), quote=False)


def tooltip(text: str) -> str:
    """A tooltip Qt shows as written. Qt guesses a tooltip's format and cannot be told
    "plain", so the text goes in as escaped rich text, its line breaks kept (and a long
    line wraps)."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal) if text else ""
