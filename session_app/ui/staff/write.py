"""The one way a staff form runs a write and shows what went wrong (issue 14).

The service validates and the store commits and announces; a form only hands over what
was typed. A refusal (ValidationError) is shown in the form's own fields, the typed text
kept; a store failure is one "Not saved: …" line. A view failing on the announcement
never reaches here: the store logs it and the save stands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QLabel, QWidget

from session_app.domain.errors import ValidationError
from session_app.store import StoreError
from session_app.ui.staff.widgets import show_refusal

R = TypeVar("R")
LAYOUT_PASSES_MAX = 16  # deeper than the staff panel's widget tree
# How a form shows a refusal: its controls by field name, or its own function.
Refusal = Mapping[str, QWidget] | Callable[[ValidationError], None]
NOT_SAVED = "Not saved"


def not_saved_text(exc: StoreError | KeyError) -> str:
    """The one message of a write that did not happen (said once, whoever raised it)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return text if text.startswith(NOT_SAVED) else f"{NOT_SAVED}: {text}"


def run_write(
    action: Callable[[], R],
    message: QLabel,
    refused: Refusal,
) -> R | None:
    """Run one service write; what it returned, or None when nothing was stored.

    `refused` shows a ValidationError: the form's controls by field name (each refused
    one marked, every message in `message`, the cursor in the first), or the form's own
    way of showing its fields' problems. A store failure (or a record gone meanwhile)
    is the one "Not saved" line in `message`.
    """
    return _attempt(action, message, refused)[1]


def write_succeeded(action: Callable[[], object], message: QLabel, refused: Refusal) -> bool:
    """`run_write` for a write that returns nothing: True when it was stored."""
    return _attempt(action, message, refused)[0]


def _attempt(action: Callable[[], R], message: QLabel, refused: Refusal) -> tuple[bool, R | None]:
    try:
        result = action()
    except ValidationError as exc:
        if callable(refused):
            refused(exc)
        else:
            show_refusal(exc, refused, message)
        return False, None
    except (StoreError, KeyError) as exc:
        message.setText(not_saved_text(exc))
        return False, None
    message.setText("")
    return True, result


class _LayoutPasses(QObject):
    """Notes whether a pass of posted events delivered any layout request."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.seen = True
        return False


def lay_out_now() -> None:
    """Run the layout passes a save left (the status line, the countdown, an alert card)
    before the window repaints, so it paints once.

    A widget whose layout runs asks its parent for a pass of its own, posted to the event
    loop: left there, the passes climb the panel one level per loop turn, and the window
    painted after the first one and again after the next (issue 14's double repaint).
    """
    app = QCoreApplication.instance()
    if app is None:
        return
    passes = _LayoutPasses()
    app.installEventFilter(passes)
    try:
        for _ in range(LAYOUT_PASSES_MAX):
            passes.seen = False
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            if not passes.seen:
                break
    finally:
        app.removeEventFilter(passes)
