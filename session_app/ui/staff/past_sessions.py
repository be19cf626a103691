"""Past sessions from the store, newest first, filterable by patient ID."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from session_app.domain.clock import format_local
from session_app.domain.session import TreatmentSession
from session_app.store import SessionStore
from session_app.store.repository import Change
from session_app.ui.staff.widgets import named

COLUMNS = ("Date", "Patient ID", "Protocol", "Staff", "State")


class PastSessionsList(QGroupBox):
    session_activated = Signal(int)  # session id

    def __init__(self, store: SessionStore) -> None:
        super().__init__("Sessions")
        self._store = store
        self.search = named(QLineEdit(), "Search sessions by patient ID or date", "SessionSearch")
        self.search.setPlaceholderText("Search by patient ID or date (e.g. 2026-11-22)")
        self.table = named(QTableWidget(0, len(COLUMNS)), "Sessions list", "SessionsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        self.search.textChanged.connect(self.refresh)
        self.table.cellDoubleClicked.connect(self._activated)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind in ("session", "session_end"):
            self.refresh()

    def refresh(self) -> None:
        sessions = matching(self._store.sessions(), self.search.text())
        self.table.setRowCount(len(sessions))
        for row, session in enumerate(sessions):
            state = "in progress" if session.is_open else "ended"
            values = (
                format_local(session.started_at),
                session.patient_id,
                session.protocol_name,
                session.staff_initials,
                state,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, session.id)
                self.table.setItem(row, column, item)

    def _activated(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.session_activated.emit(int(item.data(Qt.ItemDataRole.UserRole)))


def matching(sessions: list[TreatmentSession], text: str) -> list[TreatmentSession]:
    """Sessions whose patient ID, or local start date/time, contains every typed word."""
    words = text.upper().split()
    return [
        s
        for s in sessions
        if all(w in s.patient_id or w in format_local(s.started_at) for w in words)
    ]
