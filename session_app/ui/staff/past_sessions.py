"""Past sessions from the store, newest first, filterable by patient ID; a double-click
opens a session's summary (the hint under the list says so)."""

from __future__ import annotations

from datetime import datetime

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

from session_app.domain.clock import format_local, minutes_between, to_local
from session_app.domain.session import TreatmentSession
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind
from session_app.ui.staff.widgets import named
from session_app.ui.text import plain_label

COLUMNS = ("Date", "Patient ID", "Protocol", "Staff", "Ended", "Duration", "State")
NOT_ENDED = "—"
HINT = "Double-click a session to open its summary."


def end_text(started_at: datetime, ended_at: datetime) -> str:
    """The end time, with its date only when the session ended on another (local) day."""
    same_day = to_local(started_at).date() == to_local(ended_at).date()
    return format_local(ended_at, with_date=not same_day)


def duration_text(started_at: datetime, ended_at: datetime) -> str:
    """Start to end in whole minutes: "45 min", "2 h 15 min"."""
    hours, minutes = divmod(round(minutes_between(started_at, ended_at)), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


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
        self.table.setToolTip(HINT)
        self.hint = plain_label(HINT)
        self.hint.setObjectName("FieldUnit")
        self.hint.setAccessibleName("Sessions list hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.hint)
        self.search.textChanged.connect(self.refresh)
        self.table.cellDoubleClicked.connect(self._activated)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.SESSION, ChangeKind.SESSION_END):
            self.refresh()

    def refresh(self) -> None:
        sessions = matching(self._store.sessions(), self.search.text())
        self.table.setRowCount(len(sessions))
        for row, session in enumerate(sessions):
            state = "in progress" if session.is_open else "ended"
            start, end = session.started_at, session.ended_at
            values = (
                format_local(start),
                session.patient_id,
                session.protocol_name,
                session.staff_initials,
                NOT_ENDED if end is None else end_text(start, end),
                NOT_ENDED if end is None else duration_text(start, end),
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
