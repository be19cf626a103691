"""The flowsheet (every check of the session, newest first) and the event timeline.

Both read the store and refresh when it announces a change to their session. The
NEWS2 score beside each check comes from `domain.news2`; which values are flagged
comes from the alerts the service raised (and, where the clinic turned it on, which
BP sits in the advisory band from `domain.advisory`); the wording of events from
`domain.events.describe`; what a correction changed from `domain.summary`. Nothing
is judged here.

Each is a table with a small bar under it: "Correct…" opens the correction dialog for
the selected row (also F2 and the context menu) and "History…" lists every version.
A record is never edited in place: the service stores a correction as a new row. The
timeline also offers "Withdraw…" for an event entered by mistake: a withdrawn event
stays listed, marked and greyed with its reason, and can be neither corrected nor
withdrawn again.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from session_app.devices.samples import CLOCK_SKEW_WORDS
from session_app.domain.advisory import TINT_SETTING, band_text, between_delay_and_alert
from session_app.domain.alerts import Severity, worst
from session_app.domain.clock import format_local, minutes_between
from session_app.domain.corrections import current, is_void, withdrawn
from session_app.domain.events import describe
from session_app.domain.news2 import news2
from session_app.domain.protocols import Thresholds
from session_app.domain.records import SessionEvent, worst_by_value
from session_app.domain.session_protocol import session_protocol
from session_app.domain.settings import resolve_settings
from session_app.domain.summary import (
    CorrectionNote,
    check_corrections,
    event_corrections,
    versions,
)
from session_app.domain.text import shown_plainly
from session_app.domain.vitals import VitalsCheck, temperature_text, value_text
from session_app.seams import Corrector, RecordReader
from session_app.store.repository import Change, ChangeKind
from session_app.trends import minute_zero
from session_app.ui.staff.correction_dialog import (
    CheckCorrectionDialog,
    EventCorrectionDialog,
    HistoryDialog,
    WithdrawEventDialog,
    check_history_rows,
    event_history_rows,
)
from session_app.ui.staff.widgets import named
from session_app.ui.text import plain_label, tooltip

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
# The store changes of a session that alter the rows.
RECORD_KINDS = (ChangeKind.CHECK, ChangeKind.ALERT, ChangeKind.EVENT)
# Light backgrounds of the alert severities, for table cells (QSS cannot style single items).
SEVERITY_TINTS: dict[str, str] = {
    "advisory": "#e3edf7",
    "alert": "#ffe8b3",
    "high": "#ffd0cc",
    "urgent": "#ffb3ad",
}
NEWS2_TINT = {"medium": SEVERITY_TINTS["alert"], "high": SEVERITY_TINTS["high"]}
# The advisory band (domain.advisory), a clinic setting: a neutral blue-grey, no severity
# colour and no bold, because it is a cue, not an alert.
BP_BETWEEN_TINT = "#e4e9ee"
CORRECTED_MARK = "✎ corrected"
MONITOR_MARK = "monitor"  # recorded from the monitor's values (a proposed check)
CLOCK_MARK = "clock differed"  # after MONITOR_MARK: the check kept a far-off monitor time
CLOCK_TIP = (
    f"Recorded from the monitor: when the reading came in, {CLOCK_SKEW_WORDS}."
    " The check keeps the time the monitor sent."
)
CORRECTED_TINT = "#e8e4f5"  # a quiet violet: not a severity colour, just "look here"
WITHDRAWN_MARK = "⊘ withdrawn"
WITHDRAWN_TEXT = "#6b6b6b"  # greyed: out of the clinical picture, still in the record
WITHDRAWN_ROLE = Qt.ItemDataRole.UserRole + 1  # the row shows a withdrawal
# Which flowsheet column shows which stored measures (to mark the cells a correction changed).
COLUMN_MEASURES: dict[str, tuple[str, ...]] = {
    "bp": ("systolic", "diastolic"),
    "heart_rate": ("heart_rate",),
    "spo2": ("spo2",),
    "on_oxygen": ("on_oxygen",),
    "resp_rate": ("resp_rate",),
    "temperature_c": ("temperature_c",),
    "moaas": ("moaas",),
    "dissociation": ("dissociation", "cadss"),
    "scores": ("anxiety", "nausea", "pain"),
    "note": ("note",),
}


def corrections_tooltip(notes: Sequence[CorrectionNote]) -> str:
    """Every correction of a row in words, oldest first, for the tooltip of its mark."""
    lines = [f"• {note.text}" for note in notes]
    return tooltip(
        "\n".join(["This record was corrected:", *lines, "History… lists every version."])
    )


NEWS2_HEADER_TIP = (
    "NEWS2 (RCP 2017), a secondary score. A total marked * is partial: a parameter was "
    "not measured, so the total is only a lower bound."
)


def news2_text(signs: Any) -> tuple[str, str, str]:
    """The NEWS2 cell ("3 low"; partial "2*", the summary's and the PDF's form), its band
    (none when partial: a lower bound has no band), and the full wording for a tooltip."""
    score = news2(signs)
    if score.partial:
        return score.short, "", score.text
    return f"{score.short} {score.band}", score.band, score.text


def minute_text(minutes: float) -> str:
    """Minutes from the dose, signed ("+14", "-5"), and "0" for a check within half a
    minute of it: formatting -0.3 with a sign gave "-0" (issue 15)."""
    whole = round(minutes)
    return f"{whole:+d}" if whole else "0"


@runtime_checkable
class SettingsReader(Protocol):
    """The store's clinic settings (the advisory tint); a reader without them has it off."""

    def load_settings(self) -> dict[str, Any]: ...


class _RecordTable(QTableWidget):
    """A table whose rows carry a stored record id (column 0, UserRole)."""

    def selected_id(self) -> int | None:
        """The stored id of the record on the selected row (None when nothing is selected)."""
        rows = {index.row() for index in self.selectedIndexes()}
        if len(rows) != 1:
            return None
        item = self.item(rows.pop(), 0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select_record(
        self, record_id: int, stored: Sequence[VitalsCheck] | Sequence[SessionEvent] = ()
    ) -> bool:
        """Select the row showing `record_id`, or the row of its newest version."""
        return _select_row_with(self, _with_newer_versions(stored, record_id))


class FlowsheetTable(_RecordTable):
    """One row per check in force (a corrected check shows its correction, marked).

    Store announcements are collected and applied once per event-loop turn (a save
    announces the check, then each alert it raised). A new check that is the newest is
    inserted as the top row; anything else (a correction, an event, a back-dated check)
    refills the table. Reading the table (`item`, `rowCount`, `row_texts`, `selected_id`,
    `selectRow`) applies a pending update first, so a reader never sees it behind the store.
    """

    def __init__(self, store: RecordReader, temperature_unit: str = "°C") -> None:
        super().__init__(0, len(COLUMNS))
        self.setObjectName("FlowsheetTable")
        self.setAccessibleName("Flowsheet of vitals checks")
        self._store = store
        self.session_id: int | None = None
        self.temperature_unit = temperature_unit
        self.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.horizontalHeaderItem(COLUMN_INDEX["news2"]).setToolTip(tooltip(NEWS2_HEADER_TIP))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        # Sized to the contents after a refill and widened for an inserted row; sizing
        # every column to every row on each save was most of the table's cost (issue 7).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(200)
        self._pending: list[Change] = []
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setObjectName("FlowsheetRefreshTimer")
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.flush)
        self._reference: Any = None  # minute 0 when the table was last filled
        self._newest: tuple[Any, int] | None = None  # (taken_at, id) of the top row
        self.refills = 0  # full refills so far (a new newest check is inserted instead)
        self._widths_stale = False  # filled while hidden: fit the columns when shown
        self._settings = store if isinstance(store, SettingsReader) else None
        self.advisory_tint = self._advisory_tint_setting()
        self._thresholds: tuple[int, Thresholds] | None = None  # (session id, its limits)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.refresh()

    def set_temperature_unit(self, unit: str) -> None:
        self.temperature_unit = unit
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind is ChangeKind.SETTINGS:  # the advisory tint turned on or off: refill
            if self._advisory_tint_setting() == self.advisory_tint:
                return
            self.advisory_tint = not self.advisory_tint
        elif change.session_id != self.session_id or change.kind not in RECORD_KINDS:
            return
        self._pending.append(change)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _advisory_tint_setting(self) -> bool:
        if self._settings is None:
            return False
        return bool(resolve_settings(self._settings.load_settings())[TINT_SETTING])

    def _session_thresholds(self) -> Thresholds | None:
        """The session's own limits (its protocol snapshot), as the alerts use them."""
        if self.session_id is None:
            return None
        if self._thresholds is None or self._thresholds[0] != self.session_id:
            protocol = session_protocol(self._store.session(self.session_id))
            self._thresholds = (self.session_id, protocol.thresholds)
        return self._thresholds[1]

    @property
    def refresh_pending(self) -> bool:
        """True between a store announcement and the update it asks for."""
        return bool(self._pending)

    def flush(self) -> None:
        """Apply the store's announced changes now: insert a new newest check, else refill."""
        if not self._pending:
            return
        changes, self._pending = self._pending, []
        self._refresh_timer.stop()
        if not self._insert_new_check(changes):
            self.refresh()

    def _insert_new_check(self, changes: Sequence[Change]) -> bool:
        """Show one newly saved check (and the alerts it raised) as a new top row.

        False when the changes are anything else; the caller then refills the table.
        """
        checks = [c for c in changes if c.kind is ChangeKind.CHECK]
        if len(checks) != 1 or self.session_id is None or checks[0].row_id is None:
            return False
        if any(c.kind not in (ChangeKind.CHECK, ChangeKind.ALERT) for c in changes):
            return False
        if self.rowCount() > 0 and self._newest is None:
            return False
        try:
            check = self._store.check(checks[0].row_id)
        except KeyError:
            return False
        if check.corrects_id is not None or check.session_id != self.session_id:
            return False
        if self._newest is not None and (check.taken_at, check.id) <= self._newest:
            return False  # a back-dated check belongs further down
        alerts = self._store.alerts(self.session_id)
        own = {a.id for a in alerts if a.check_id == check.id}
        if any(c.kind is ChangeKind.ALERT and c.row_id not in own for c in changes):
            return False  # an alert about another check: refill
        flagged = worst_by_value(a for a in alerts if a.check_id == check.id)
        first = self.rowCount() == 0
        self.insertRow(0)
        self._fill_row(0, check, self._reference, flagged, self._monitor_origin(check.id))
        self._newest = (check.taken_at, check.id)
        if first or self._widths_stale or not self.isVisible():
            self._fit_columns()
        else:
            self._widen_for_row(0)
        return True

    def _fit_columns(self) -> None:
        """Column widths from the contents, measured in the font the table is drawn in.

        Only a shown table has that font: while the panel is locked its clinical views
        are out of the window, so without the staff style sheet, and widths measured
        then are too narrow once it is shown (issue 15). So a hidden table only notes
        that its widths are stale; `showEvent` and a font or style change fit them.
        """
        if not self.isVisible():
            self._widths_stale = True
            return
        self._widths_stale = False
        self.resizeColumnsToContents()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._widths_stale:
            self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._widths_stale = True
            if self.isVisible():
                QTimer.singleShot(0, self, self._fit_if_stale)  # after the restyle settles

    def _fit_if_stale(self) -> None:
        if self._widths_stale:
            self._fit_columns()

    def _widen_for_row(self, row: int) -> None:
        """Widen the columns whose cell in `row` is wider than the column (never narrow)."""
        padding = 2 * self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin) + 8
        for column in range(self.columnCount() - 1):  # the last column stretches
            item = QTableWidget.item(self, row, column)
            if item is None or not item.text():
                continue
            font = item.font().resolve(self.font())  # a bold cell is bold in the table's font
            width = QFontMetrics(font).horizontalAdvance(item.text()) + padding
            if width > self.columnWidth(column):
                self.setColumnWidth(column, width)

    def item(self, row: int, column: int) -> QTableWidgetItem | None:  # type: ignore[override]
        self.flush()
        return QTableWidget.item(self, row, column)

    def selected_id(self) -> int | None:
        self.flush()
        return super().selected_id()

    def rowCount(self) -> int:
        self.flush()
        return QTableWidget.rowCount(self)

    def selectRow(self, row: int) -> None:
        self.flush()
        QTableWidget.selectRow(self, row)

    def refresh(self) -> None:
        """Refill the table from the store (also drops any pending announced change)."""
        self._pending = []
        self._refresh_timer.stop()
        self.refills += 1
        if self.session_id is None:
            self.setRowCount(0)
            self._newest = None
            return
        stored: list[VitalsCheck] = self._store.checks(self.session_id)
        checks = current(stored)
        events = self._store.events(self.session_id)
        alerts = self._store.alerts(self.session_id)
        # Flagged values grouped by check: each row looks only at its own alerts.
        flagged: dict[int, dict[tuple[int, str], Severity]] = {}
        for (check_id, measure), severity in worst_by_value(alerts).items():
            flagged.setdefault(check_id, {})[(check_id, measure)] = severity
        reference = minute_zero(events)
        self._reference = reference
        rows = list(reversed(checks))
        self._newest = (rows[0].taken_at, rows[0].id) if rows else None
        selected = self.selected_id()
        self.setRowCount(len(rows))
        linked, skewed = self._from_monitor()
        for row, check in enumerate(rows):
            origin = _origin(check.id, linked, skewed)
            self._fill_row(row, check, reference, flagged.get(check.id, {}), origin)
            if check.corrects_id is not None:
                self._mark_corrected(row, check, stored)
        self._fit_columns()
        if selected is not None:
            self.select_record(selected, stored)

    def _mark_corrected(self, row: int, check: VitalsCheck, stored: list[VitalsCheck]) -> None:
        """The mark on the time, and the changed cells in italics with what they replaced."""
        notes = check_corrections(stored, check)
        original = versions(stored, check.id)[0]
        tip = corrections_tooltip(notes)
        time_item = self.item(row, COLUMN_INDEX["time"])
        if time_item is not None:
            time_item.setToolTip(tip)
            if not check.late:
                time_item.setBackground(QBrush(QColor(CORRECTED_TINT)))
        for key, measures in COLUMN_MEASURES.items():
            if all(getattr(original.signs, m) == getattr(check.signs, m) for m in measures):
                continue
            item = self.item(row, COLUMN_INDEX[key])
            if item is None:
                continue
            font = item.font()
            font.setItalic(True)
            item.setFont(font)
            item.setToolTip(tip)

    def _tint_flagged(
        self, row: int, check: VitalsCheck, flagged: dict[tuple[int, str], Severity]
    ) -> None:
        """Bold and tint each cell an alert was raised on, in the worst severity raised on
        it (domain.alerts.worst: the same colour the chart rings the point in)."""
        bold = QFont()
        bold.setBold(True)
        by_cell: dict[str, list[Severity]] = {}  # the BP cell shows systolic and diastolic
        for (check_id, measure), severity in flagged.items():
            if check_id == check.id:
                key = "bp" if measure in ("systolic", "diastolic") else measure
                by_cell.setdefault(key, []).append(severity)
        for key, raised in by_cell.items():
            severity = worst(raised)
            item = self.item(row, COLUMN_INDEX[key]) if key in COLUMN_INDEX else None
            if item is not None:
                item.setFont(bold)
                item.setBackground(QBrush(QColor(SEVERITY_TINTS.get(severity, "#fff3cd"))))
                item.setToolTip(tooltip(f"{severity} alert raised on this value"))

    def _tint_advisory(
        self, row: int, check: VitalsCheck, flagged: dict[tuple[int, str], Severity]
    ) -> None:
        """Tint the BP cell of a value in the advisory band (domain.advisory), unless an
        alert was raised on it: then the alert's tint says more. A cue, not an alert."""
        if any(cid == check.id and m in ("systolic", "diastolic") for cid, m in flagged):
            return
        thresholds = self._session_thresholds()
        if thresholds is None or not between_delay_and_alert(check.signs, thresholds):
            return
        item = self.item(row, COLUMN_INDEX["bp"])
        if item is not None:
            item.setBackground(QBrush(QColor(BP_BETWEEN_TINT)))
            item.setToolTip(tooltip(band_text(thresholds)))

    def _from_monitor(self) -> tuple[Container[int], Container[int]]:
        """The session's checks recorded from the monitor, and those of them that kept a
        far-off monitor time (store.checks_from_monitor, checks_from_skewed_clock)."""
        linked = getattr(self._store, "checks_from_monitor", None)
        skewed = getattr(self._store, "checks_from_skewed_clock", None)
        if not callable(linked) or not callable(skewed) or self.session_id is None:
            return (), ()
        return linked(self.session_id), skewed(self.session_id)

    def _monitor_origin(self, check_id: int) -> str:
        return _origin(check_id, *self._from_monitor())

    def _fill_row(
        self,
        row: int,
        check: VitalsCheck,
        reference: Any,
        flagged: dict[tuple[int, str], Severity],
        origin: str = "",
    ) -> None:
        """`origin`: "" typed, else the marks of a check recorded from the monitor."""
        s = check.signs
        time_text = format_local(check.taken_at, with_date=False)
        tags = [origin] if origin else []
        if check.is_baseline:
            tags.append("baseline")
        if check.late:
            tags.append("LATE")
        if check.corrects_id is not None:
            tags.append(CORRECTED_MARK)
        minute = (
            "" if reference is None else minute_text(minutes_between(reference, check.taken_at))
        )
        temperature = (
            ""
            if s.temperature_c is None
            else temperature_text(s.temperature_c, self.temperature_unit)
        )
        scores = "/".join(
            value_text(v) if v is not None else "–" for v in (s.anxiety, s.nausea, s.pain)
        )
        news_text, band, news_tip = news2_text(s)
        values = {
            "time": " ".join([time_text, *tags]),
            "minute": minute,
            "bp": f"{s.systolic}/{s.diastolic}" if s.systolic is not None else "",
            "heart_rate": value_text(s.heart_rate),
            "spo2": value_text(s.spo2),
            "on_oxygen": value_text(s.on_oxygen),
            "resp_rate": value_text(s.resp_rate),
            "temperature_c": temperature,
            "moaas": value_text(s.moaas),
            "dissociation": value_text(s.dissociation)
            + (f" (CADSS {s.cadss})" if s.cadss is not None else ""),
            "scores": scores if scores != "–/–/–" else "",
            "news2": news_text,
            "recorded_by": s.recorded_by,
            "note": shown_plainly(s.note),
        }
        for key, text in values.items():
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, check.id)
            self.setItem(row, COLUMN_INDEX[key], item)
        self._tint_flagged(row, check, flagged)
        if self.advisory_tint:
            self._tint_advisory(row, check, flagged)
        time_item = self.item(row, COLUMN_INDEX["time"])
        time_tips = [CLOCK_TIP] if origin.endswith(CLOCK_MARK) else []
        if check.late and time_item is not None:
            time_item.setBackground(QBrush(QColor(SEVERITY_TINTS["alert"])))
            due = format_local(check.due_at, with_date=False) if check.due_at else "?"
            time_tips.insert(0, f"Late: this check was due at {due}.")
        if time_tips and time_item is not None:
            time_item.setToolTip(tooltip(" ".join(time_tips)))
        news_item = self.item(row, COLUMN_INDEX["news2"])
        if news_item is not None:
            news_item.setToolTip(tooltip(news_tip))
        if news_item is not None and band in NEWS2_TINT:
            news_item.setBackground(QBrush(QColor(NEWS2_TINT[band])))

    def row_texts(self, row: int) -> dict[str, str]:
        """What a row shows, by column key (for tests and automation)."""
        self.flush()
        return {
            key: (self.item(row, i).text() if self.item(row, i) else "")
            for i, (key, _) in enumerate(COLUMNS)
        }


def _origin(check_id: int, linked: Container[int], skewed: Container[int]) -> str:
    """The flowsheet's marks of where a check's values came from ("" typed)."""
    if check_id not in linked:
        return ""
    return f"{MONITOR_MARK} {CLOCK_MARK}" if check_id in skewed else MONITOR_MARK


class TimelineTable(_RecordTable):
    """Every event of the session in force, newest first, in the domain's wording."""

    def __init__(
        self, store: RecordReader, describe_event: Callable[[SessionEvent], str] = describe
    ) -> None:
        super().__init__(0, 3)
        self.setObjectName("TimelineTable")
        self.setAccessibleName("Event timeline")
        self._store = store
        self._describe = describe_event
        self.session_id: int | None = None
        self.setHorizontalHeaderLabels(("Time", "Event", "By"))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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
        if change.session_id == self.session_id and change.kind is ChangeKind.EVENT:
            self.refresh()

    def refresh(self) -> None:
        stored = [] if self.session_id is None else self._store.events(self.session_id)
        shown = {e.id for e in current(stored)} | {e.id for e in withdrawn(stored)}
        rows = [e for e in reversed(stored) if e.id in shown]
        selected = self.selected_id()
        self.setRowCount(len(rows))
        for row, event in enumerate(rows):
            void = is_void(event)
            time_text = format_local(event.occurred_at, with_date=False)
            if event.corrects_id is not None:
                time_text += f" {WITHDRAWN_MARK if void else CORRECTED_MARK}"
            line = shown_plainly(self._describe(event))
            for column, text in enumerate((time_text, line, event.recorded_by)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, event.id)
                item.setData(WITHDRAWN_ROLE, void)
                if void:
                    item.setForeground(QBrush(QColor(WITHDRAWN_TEXT)))
                self.setItem(row, column, item)
            if event.corrects_id is not None:
                tip = corrections_tooltip(event_corrections(stored, event))
                for column in range(3):
                    self.item(row, column).setToolTip(tip)
                self.item(row, 0).setBackground(QBrush(QColor(CORRECTED_TINT)))
        self.resizeRowsToContents()
        if selected is not None:
            self.select_record(selected, stored)


def _with_newer_versions(
    stored: Sequence[VitalsCheck] | Sequence[SessionEvent], row_id: int
) -> set[int]:
    """`row_id` and the ids of the corrections that replaced it (a row shows one of them)."""
    ids = {row_id}
    if any(r.id == row_id for r in stored):
        ids.update(r.id for r in versions(stored, row_id))  # type: ignore[type-var]
    return ids


def _select_row_with(table: QTableWidget, ids: set[int]) -> bool:
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) in ids:
            table.selectRow(row)
            table.setCurrentCell(row, 0)
            return True
    return False


class _CorrectableView(QWidget):
    """A record table with "Correct…" and "History…" under it (and F2 / the context menu).

    Subclasses say how to open the dialogs for their kind of record. The service is
    the panel's one MonitoringService, passed in (never a second one with its own cache).
    """

    noun = "record"

    def __init__(
        self, store: RecordReader, table: _RecordTable, service: Corrector, object_name: str
    ) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setAccessibleName(table.accessibleName())
        self._store = store
        self.service = service  # the panel's one service of the session, not a second one
        self.table = table
        self.dialog: QDialog | None = None  # the correction or history dialog last opened
        self.correct_button = named(
            QPushButton("Correct…"), f"Correct the selected {self.noun}", f"Correct{object_name}"
        )
        self.history_button = named(
            QPushButton("History…"), f"History of the selected {self.noun}", f"{object_name}History"
        )
        for button in (self.correct_button, self.history_button):
            button.setAutoDefault(False)
        self.hint = plain_label("")
        self.hint.setObjectName("FieldUnit")
        self.hint.setAccessibleName(f"{self.noun.capitalize()} actions hint")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.hint, 1)
        bar.addWidget(self.history_button)
        bar.addWidget(self.correct_button)
        self.bar = bar  # a subclass may add its own action (the timeline's Withdraw…)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(table, 1)
        layout.addLayout(bar)

        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        self.shortcut = QShortcut(QKeySequence(Qt.Key.Key_F2), table)
        self.shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.shortcut.activated.connect(self.open_correction)
        self.correct_button.clicked.connect(lambda: self.open_correction())
        self.history_button.clicked.connect(lambda: self.open_history())
        table.itemSelectionChanged.connect(self._update_actions)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self._update_actions()

    def _on_change(self, change: Change) -> None:
        """An ended session makes the record read-only: "Correct…" goes grey at once."""
        if change.kind is ChangeKind.SESSION_END and change.session_id == self.session_id:
            self._update_actions()

    # -- the table's API, for the panel and tests ---------------------------------------
    @property
    def session_id(self) -> int | None:
        return self.table.session_id  # type: ignore[no-any-return]

    def set_session(self, session_id: int | None) -> None:
        self.table.set_session(session_id)
        self._update_actions()

    def refresh(self) -> None:
        self.table.refresh()
        self._update_actions()

    def item(self, row: int, column: int) -> QTableWidgetItem | None:
        return self.table.item(row, column)  # type: ignore[no-any-return]

    def rowCount(self) -> int:
        return self.table.rowCount()  # type: ignore[no-any-return]

    def selectRow(self, row: int) -> None:
        self.table.selectRow(row)

    def selected_id(self) -> int | None:
        return self.table.selected_id()  # type: ignore[no-any-return]

    # -- actions ------------------------------------------------------------------------
    def _is_open(self) -> bool:
        if self.session_id is None:
            return False
        try:
            return bool(self._store.session(self.session_id).is_open)
        except KeyError:
            return False

    def _update_actions(self) -> None:
        selected = self.selected_id() is not None
        writable = self._is_open()
        self.correct_button.setEnabled(selected and writable)
        self.history_button.setEnabled(selected)
        if not selected:
            article = "an" if self.noun[:1] in "aeiou" else "a"
            hint = f"Select {article} {self.noun} to correct it (F2) or see its history."
        elif writable:
            hint = "F2 or Correct… stores a correction; the original is kept."
        else:
            hint = "The session has ended: its record is read-only."
        self.hint.setText(hint if self.session_id is not None else "")

    def _context_menu(self, position: QPoint) -> None:
        row = self.table.rowAt(position.y())
        if row >= 0:
            self.table.selectRow(row)
        menu = QMenu(self.table)
        menu.setObjectName(f"{self.objectName()}Menu")
        menu.setAccessibleName(f"{self.noun.capitalize()} actions")
        correct = menu.addAction("Correct…")
        correct.setEnabled(self.correct_button.isEnabled())
        correct.triggered.connect(lambda: self.open_correction())
        history = menu.addAction("History…")
        history.setEnabled(self.history_button.isEnabled())
        history.triggered.connect(lambda: self.open_history())
        menu.popup(self.table.viewport().mapToGlobal(position))
        self.menu = menu

    def open_correction(self, record_id: int | None = None) -> QDialog | None:
        """Open the correction dialog for a record (default: the selected row)."""
        record_id = record_id if record_id is not None else self.selected_id()
        if record_id is None or not self._is_open():
            return None
        dialog = self._correction_dialog(record_id)
        dialog.corrected.connect(self._corrected)  # type: ignore[attr-defined]
        self._show(dialog)
        return dialog

    def open_history(self, record_id: int | None = None) -> HistoryDialog | None:
        """Open the list of every version of a record (default: the selected row)."""
        record_id = record_id if record_id is not None else self.selected_id()
        if record_id is None:
            return None
        dialog = self._history_dialog(record_id)
        self._show(dialog)
        return dialog

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda *_: self.table.setFocus())
        dialog.open()

    def _corrected(self, result: Any) -> None:
        record = getattr(result, "check", result)
        self.table.refresh()
        self.table.select_record(record.id)
        self._update_actions()

    def _correction_dialog(self, record_id: int) -> QDialog:  # pragma: no cover - abstract
        raise NotImplementedError

    def _history_dialog(self, record_id: int) -> HistoryDialog:  # pragma: no cover - abstract
        raise NotImplementedError


class Flowsheet(_CorrectableView):
    """The flowsheet table with its Correct… and History… actions."""

    noun = "check"

    def __init__(
        self, store: RecordReader, temperature_unit: str = "°C", *, service: Corrector
    ) -> None:
        super().__init__(store, FlowsheetTable(store, temperature_unit), service, "Flowsheet")

    @property
    def temperature_unit(self) -> str:
        return self.table.temperature_unit  # type: ignore[no-any-return]

    def flush(self) -> None:
        """Apply a pending update now (the panel, after a form's save)."""
        self.table.flush()

    def set_temperature_unit(self, unit: str) -> None:
        self.table.set_temperature_unit(unit)

    def row_texts(self, row: int) -> dict[str, str]:
        return self.table.row_texts(row)  # type: ignore[no-any-return]

    def _correction_dialog(self, record_id: int) -> QDialog:
        check = self._store.check(record_id)
        return CheckCorrectionDialog(self.service, check, self.temperature_unit, self)

    def _history_dialog(self, record_id: int) -> HistoryDialog:
        history = self.service.history(record_id)
        when = format_local(history[0].taken_at, with_date=False)
        rows = check_history_rows(history, self.temperature_unit)
        return HistoryDialog(f"History of the check taken at {when}", rows, self)


class Timeline(_CorrectableView):
    """The event timeline with its Correct…, Withdraw… and History… actions."""

    noun = "event"

    def __init__(
        self,
        store: RecordReader,
        describe_event: Callable[[SessionEvent], str] = describe,
        *,
        service: Corrector,
    ) -> None:
        self.withdraw_button = named(
            QPushButton("Withdraw…"), "Withdraw the selected event", "WithdrawTimeline"
        )
        self.withdraw_button.setAutoDefault(False)
        super().__init__(store, TimelineTable(store, describe_event), service, "Timeline")
        self.bar.insertWidget(self.bar.indexOf(self.correct_button), self.withdraw_button)
        self.withdraw_button.clicked.connect(lambda: self.open_withdrawal())

    def _selected_is_withdrawn(self) -> bool:
        rows = {index.row() for index in self.table.selectedIndexes()}
        item = self.table.item(rows.pop(), 0) if len(rows) == 1 else None
        return bool(item is not None and item.data(WITHDRAWN_ROLE))

    def _update_actions(self) -> None:
        """A withdrawn event keeps only its History…: it is changed no more."""
        super()._update_actions()
        if self.selected_id() is not None and self._selected_is_withdrawn():
            self.correct_button.setEnabled(False)
            self.hint.setText("Withdrawn: kept in the record; History… shows why.")
        self.withdraw_button.setEnabled(self.correct_button.isEnabled())

    def _context_menu(self, position: QPoint) -> None:
        super()._context_menu(position)
        withdraw = self.menu.addAction("Withdraw…")
        withdraw.setEnabled(self.withdraw_button.isEnabled())
        withdraw.triggered.connect(lambda: self.open_withdrawal())

    def open_correction(self, record_id: int | None = None) -> QDialog | None:
        if record_id is None and self._selected_is_withdrawn():
            return None
        return super().open_correction(record_id)

    def open_withdrawal(self, record_id: int | None = None) -> QDialog | None:
        """Open the dialog that withdraws an event entered by mistake (default: selected)."""
        record_id = record_id if record_id is not None else self.selected_id()
        if record_id is None or not self._is_open():
            return None
        if record_id == self.selected_id() and self._selected_is_withdrawn():
            return None
        event = next(e for e in self.service.event_history(record_id) if e.id == record_id)
        dialog = WithdrawEventDialog(self.service, event, self)
        dialog.corrected.connect(self._corrected)
        self._show(dialog)
        return dialog

    def _correction_dialog(self, record_id: int) -> QDialog:
        history = self.service.event_history(record_id)
        event = next(e for e in history if e.id == record_id)
        return EventCorrectionDialog(self.service, event, self.service.clock, self)

    def _history_dialog(self, record_id: int) -> HistoryDialog:
        history = self.service.event_history(record_id)
        label = describe(history[0]).split(":")[0]
        when = format_local(history[0].occurred_at, with_date=False)
        return HistoryDialog(f"History of {label} at {when}", event_history_rows(history), self)
