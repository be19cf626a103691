"""Past sessions from the store, newest first, filterable by patient ID; a double-click
opens a session's summary (the hint under the list says so).

In a room that has joined a clinic (a `HistorySource` is given), a one-word search is also
asked of the clinic server, off the UI thread: the patient's sessions from the other rooms
are merged in by date, marked with their room, read-only (listed only: their summaries stay
in their rooms). A server that does not answer leaves the local list as it is, with one
plain line under it.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from session_app.clinic.history import (
    ClinicSession,
    ClinicUnavailable,
    HistorySource,
    patient_id_query,
)
from session_app.domain.clock import format_local, minutes_between, to_local
from session_app.domain.session import TreatmentSession
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind
from session_app.ui.staff.widgets import named
from session_app.ui.text import plain_label

COLUMNS = ("Date", "Patient ID", "Protocol", "Staff", "Ended", "Duration", "State", "Room")
NOT_ENDED = "—"
HINT = "Double-click a session to open its summary."
THIS_ROOM = "This room"
LOOKUP_DELAY_MS = 300  # ask the server once typing pauses, not on every key


def end_text(started_at: datetime, ended_at: datetime) -> str:
    """The end time, with its date only when the session ended on another (local) day."""
    same_day = to_local(started_at).date() == to_local(ended_at).date()
    return format_local(ended_at, with_date=not same_day)


def duration_text(started_at: datetime, ended_at: datetime) -> str:
    """Start to end in whole minutes: "45 min", "2 h 15 min"."""
    hours, minutes = divmod(round(minutes_between(started_at, ended_at)), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _row_values(
    started: datetime, ended: datetime | None, pid: str, protocol: str, staff: str, room: str
) -> tuple[str, ...]:
    """One row's texts, in COLUMNS order, for a session of this room or another."""
    return (
        format_local(started),
        pid,
        protocol,
        staff,
        NOT_ENDED if ended is None else end_text(started, ended),
        NOT_ENDED if ended is None else duration_text(started, ended),
        "in progress" if ended is None else "ended",
        room,
    )


class PastSessionsList(QGroupBox):
    session_activated = Signal(int)  # session id
    _clinic_answered = Signal(int, object)  # lookup number, list[ClinicSession] or a line

    def __init__(self, store: SessionStore, clinic: HistorySource | None = None) -> None:
        super().__init__("Sessions")
        self._store = store
        self._clinic = clinic
        self._clinic_sessions: list[ClinicSession] = []
        self._lookup = 0  # numbers each lookup, so an answer for an old search is dropped
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
        self.clinic_notice = plain_label("")
        self.clinic_notice.setObjectName("ClinicNotice")
        self.clinic_notice.setAccessibleName("Clinic sessions notice")
        self.clinic_notice.setWordWrap(True)
        self.clinic_notice.hide()
        self.table.setColumnHidden(COLUMNS.index("Room"), clinic is None)
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(self._ask_clinic)
        self._clinic_answered.connect(self._show_clinic_answer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.hint)
        layout.addWidget(self.clinic_notice)
        self.search.textChanged.connect(self._search_changed)
        self.table.cellDoubleClicked.connect(self._activated)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.SESSION, ChangeKind.SESSION_END):
            self.refresh()

    def _search_changed(self) -> None:
        """A new search: drop the other rooms' sessions of the last one and ask again."""
        self._lookup += 1
        self._clinic_sessions = []
        self.clinic_notice.hide()
        self.refresh()
        if self._clinic is not None and patient_id_query(self.search.text()) is not None:
            self._lookup_timer.start()
        else:
            self._lookup_timer.stop()

    def _ask_clinic(self) -> None:
        query = patient_id_query(self.search.text())
        clinic = self._clinic
        if clinic is None or query is None:
            return
        number = self._lookup

        def read() -> None:  # on a worker thread: the UI never waits on the network
            answer: list[ClinicSession] | str
            try:
                answer = clinic.sessions_of(query)
            except ClinicUnavailable as exc:
                answer = str(exc)
            with contextlib.suppress(RuntimeError):  # RuntimeError: the list was closed
                self._clinic_answered.emit(number, answer)  # queued to the UI thread

        threading.Thread(target=read, name="clinic-history", daemon=True).start()

    def _show_clinic_answer(self, number: int, answer: list[ClinicSession] | str) -> None:
        if number != self._lookup:
            return
        if isinstance(answer, str):
            self.clinic_notice.setText(answer)
            self.clinic_notice.show()
            return
        self._clinic_sessions = answer
        self.refresh()

    def refresh(self) -> None:
        local = [
            (s.started_at, _row_values(s.started_at, s.ended_at, s.patient_id, s.protocol_name,
                                       s.staff_initials, THIS_ROOM), s.id)
            for s in matching(self._store.sessions(), self.search.text())
        ]  # fmt: skip
        others = [
            (c.started_at, _row_values(c.started_at, c.ended_at, c.patient_id, c.protocol_name,
                                       c.staff_initials, c.room), None)
            for c in self._clinic_sessions
        ]  # fmt: skip
        shown = sorted([*local, *others], key=lambda r: r[0], reverse=True)
        self.table.setRowCount(len(shown))
        for row, (_started, values, session_id) in enumerate(shown):
            tip = HINT if session_id is not None else (
                f"From {values[-1]}, read from the clinic server: read-only; its summary is "
                "kept in that room."
            )  # fmt: skip
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, session_id)
                item.setToolTip(tip)
                self.table.setItem(row, column, item)

    def _activated(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        session_id = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        if session_id is not None:  # None: another room's session, listed only
            self.session_activated.emit(int(session_id))


def matching(sessions: list[TreatmentSession], text: str) -> list[TreatmentSession]:
    """Sessions whose patient ID, or local start date/time, contains every typed word."""
    words = text.upper().split()
    return [
        s
        for s in sessions
        if all(w in s.patient_id or w in format_local(s.started_at) for w in words)
    ]
