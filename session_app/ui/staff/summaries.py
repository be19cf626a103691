"""The summary windows the staff panel opened: one per session, sized to the screen.

Kept apart from the panel (issue 14): the panel asks for a session's summary and closes
them all at a lock; this keeps the registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QWidget

from session_app.domain.clock import Clock
from session_app.store import SessionStore
from session_app.ui.screen import fit_to_screen

if TYPE_CHECKING:  # pyqtgraph comes with the summary view: loaded when first opened
    from session_app.ui.summary.view import SummaryView

SUMMARY_SIZE = QSize(1400, 900)  # or the screen's available area, if smaller


class SummaryWindows:
    def __init__(self, store: SessionStore, clock: Clock, owner: QWidget) -> None:
        self._store = store
        self._clock = clock
        self._owner = owner
        self._views: dict[int, SummaryView] = {}

    def open(self, session_id: int) -> SummaryView:
        """The summary of any session in its own window (one window per session)."""
        from session_app.ui.summary.view import SummaryView

        view = self._views.get(session_id)
        if view is None:
            view = SummaryView(self._store, session_id, self._clock, parent=self._owner)
            view.setWindowFlag(Qt.WindowType.Window, True)
            session = self._store.session(session_id)
            view.setWindowTitle(f"Session summary — {session.patient_id}")
            fit_to_screen(view, SUMMARY_SIZE)
            view.destroyed.connect(lambda *_: self._views.pop(session_id, None))
            view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            self._views[session_id] = view
        view.show()
        view.raise_()
        return view

    def close_all(self) -> None:
        for view in list(self._views.values()):
            view.close()  # deleted on close
