"""The flowsheet (every check of the session, newest first) and the event timeline.

Both read the store and refresh when it announces a change to their session. The
NEWS2 score beside each check comes from `domain.news2`; which values are flagged
comes from the alerts the service raised; the wording of events from
`domain.events.describe`. Nothing is judged here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from session_app.domain.clock import format_local, minutes_between
from session_app.domain.events import current, describe
from session_app.domain.news2 import news2
from session_app.domain.records import SessionEvent
from session_app.domain.schedule import current_checks
from session_app.domain.vitals import VitalsCheck
from session_app.store.repository import Change
from session_app.ui.charts import SEVERITY_TINTS, minute_zero

COLUMNS: tuple[tuple[str, str], ...] = (
    ("time", "Time"),
    ("minute", "Min"),
    ("bp", "BP"),
    ("heart_rate", "HR"),
    ("spo2", "SpO2"),
    ("on_oxygen", "O2"),
    ("resp_rate", "RR"),
    ("temperature_c", "Temp"),
    ("moaas", "MOAA/S"),
    ("dissociation", "Diss."),
    ("scores", "Anx/Nau/Pain"),
    ("news2", "NEWS2"),
    ("recorded_by", "By"),
    ("note", "Note"),
)
COLUMN_INDEX = {key: i for i, (key, _) in enumerate(COLUMNS)}
NEWS2_TINT = {"medium": SEVERITY_TINTS["alert"], "high": SEVERITY_TINTS["high"]}


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _n(value: object) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def news2_text(signs: Any) -> tuple[str, str, str]:
    """The NEWS2 cell ("3 low", "≥2 partial"), its band, and the full wording for a tooltip."""
    score = news2(signs)
    if score.partial:
        return f"≥{score.total} partial", "", score.text
    return f"{score.total} {score.band}", score.band, score.text


class Flowsheet(QTableWidget):
    """One row per check in force (a corrected check shows its correction)."""

    def __init__(self, store: Any, temperature_unit: str = "°C") -> None:
        super().__init__(0, len(COLUMNS))
        self.setObjectName("Flowsheet")
        self.setAccessibleName("Flowsheet of vitals checks")
        self._store = store
        self.session_id: int | None = None
        self.temperature_unit = temperature_unit
        self.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.refresh()

    def set_temperature_unit(self, unit: str) -> None:
        self.temperature_unit = unit
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.session_id == self.session_id and change.kind in ("check", "alert", "event"):
            self.refresh()

    def refresh(self) -> None:
        if self.session_id is None:
            self.setRowCount(0)
            return
        checks: list[VitalsCheck] = current_checks(self._store.checks(self.session_id))
        events = self._store.events(self.session_id)
        alerts = self._store.alerts(self.session_id)
        flagged: dict[tuple[int, str], str] = {}
        for alert in alerts:
            if alert.check_id is not None:
                flagged[(alert.check_id, alert.measure)] = alert.severity
        reference = minute_zero(events)
        rows = list(reversed(checks))
        self.setRowCount(len(rows))
        for row, check in enumerate(rows):
            self._fill_row(row, check, reference, flagged)
        self.resizeColumnsToContents()

    def _fill_row(
        self,
        row: int,
        check: VitalsCheck,
        reference: Any,
        flagged: dict[tuple[int, str], str],
    ) -> None:
        s = check.signs
        time_text = format_local(check.taken_at, with_date=False)
        tags = []
        if check.is_baseline:
            tags.append("baseline")
        if check.late:
            tags.append("LATE")
        if check.corrects_id is not None:
            tags.append("corrected")
        minute = "" if reference is None else f"{minutes_between(reference, check.taken_at):+.0f}"
        temperature = ""
        if s.temperature_c is not None:
            value = s.temperature_c
            if self.temperature_unit == "°F":
                value = value * 9 / 5 + 32
            temperature = f"{value:.1f}"
        scores = "/".join(_n(v) if v is not None else "–" for v in (s.anxiety, s.nausea, s.pain))
        news_text, band, news_tip = news2_text(s)
        values = {
            "time": " ".join([time_text, *tags]),
            "minute": minute,
            "bp": f"{s.systolic}/{s.diastolic}" if s.systolic is not None else "",
            "heart_rate": _n(s.heart_rate),
            "spo2": _n(s.spo2),
            "on_oxygen": _yes_no(s.on_oxygen),
            "resp_rate": _n(s.resp_rate),
            "temperature_c": temperature,
            "moaas": _n(s.moaas),
            "dissociation": _yes_no(s.dissociation)
            + (f" (CADSS {s.cadss})" if s.cadss is not None else ""),
            "scores": scores if scores != "–/–/–" else "",
            "news2": news_text,
            "recorded_by": s.recorded_by,
            "note": s.note,
        }
        for key, text in values.items():
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, check.id)
            self.setItem(row, COLUMN_INDEX[key], item)
        bold = QFont()
        bold.setBold(True)
        for (check_id, measure), severity in flagged.items():
            if check_id != check.id:
                continue
            key = "bp" if measure in ("systolic", "diastolic") else measure
            item = self.item(row, COLUMN_INDEX[key]) if key in COLUMN_INDEX else None
            if item is not None:
                item.setFont(bold)
                item.setBackground(QBrush(QColor(SEVERITY_TINTS.get(severity, "#fff3cd"))))
                item.setToolTip(f"{severity} alert raised on this value")
        time_item = self.item(row, COLUMN_INDEX["time"])
        if check.late and time_item is not None:
            time_item.setBackground(QBrush(QColor(SEVERITY_TINTS["alert"])))
            due = format_local(check.due_at, with_date=False) if check.due_at else "?"
            time_item.setToolTip(f"Late: this check was due at {due}.")
        news_item = self.item(row, COLUMN_INDEX["news2"])
        if news_item is not None:
            news_item.setToolTip(news_tip)
        if news_item is not None and band in NEWS2_TINT:
            news_item.setBackground(QBrush(QColor(NEWS2_TINT[band])))

    def row_texts(self, row: int) -> dict[str, str]:
        """What a row shows, by column key (for tests and automation)."""
        return {
            key: (self.item(row, i).text() if self.item(row, i) else "")
            for i, (key, _) in enumerate(COLUMNS)
        }


class Timeline(QTableWidget):
    """Every event of the session, newest first, in the domain's wording."""

    def __init__(
        self, store: Any, describe_event: Callable[[SessionEvent], str] = describe
    ) -> None:
        super().__init__(0, 3)
        self.setObjectName("Timeline")
        self.setAccessibleName("Event timeline")
        self._store = store
        self._describe = describe_event
        self.session_id: int | None = None
        self.setHorizontalHeaderLabels(("Time", "Event", "By"))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.session_id == self.session_id and change.kind == "event":
            self.refresh()

    def refresh(self) -> None:
        events = [] if self.session_id is None else current(self._store.events(self.session_id))
        rows = list(reversed(events))
        self.setRowCount(len(rows))
        for row, event in enumerate(rows):
            for column, text in enumerate(
                (
                    format_local(event.occurred_at, with_date=False),
                    self._describe(event),
                    event.recorded_by,
                )
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, event.id)
                self.setItem(row, column, item)
        self.resizeRowsToContents()
