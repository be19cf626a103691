"""Correct a check or an event, and read every version of it.

A record is never edited: the dialog collects the corrected values, a reason and the
initials of who corrects, and hands them to the monitoring service, which validates
them like a new record and stores a new row pointing at the original. A refusal is
shown in place and what was typed stays. The history dialog lists every version with
who entered it, when and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import Clock, format_local
from session_app.domain.corrections import is_void
from session_app.domain.events import EVENT_KINDS, FieldKind, describe, parse_time_of_day
from session_app.domain.records import SessionEvent
from session_app.domain.vitals import (
    FIELD_BY_NAME,
    VITAL_FIELDS,
    Kind,
    VitalsCheck,
    VitalSigns,
    fahrenheit_text_to_celsius,
    temperature_text,
    value_text,
)
from session_app.seams import Corrector
from session_app.ui.staff.event_form import YES_NO_ITEMS
from session_app.ui.staff.vitals_form import PLACEHOLDERS, YES_NO_CHOICES
from session_app.ui.staff.widgets import error_label, mark_invalid, named, typed_values
from session_app.ui.staff.write import run_write
from session_app.ui.text import plain_label, tooltip

# The vitals a correction can change, in the order of the vitals form.
CHECK_FIELDS: tuple[str, ...] = tuple(
    spec.name for spec in VITAL_FIELDS if spec.kind is not Kind.INITIALS
)


def check_values_text(signs: VitalSigns, temperature_unit: str = "°C") -> str:
    """The measured values of a check on one line, for the history."""
    parts: list[str] = []
    if signs.systolic is not None:
        parts.append(f"BP {signs.systolic}/{signs.diastolic}")
    for name, short in (
        ("heart_rate", "HR"),
        ("spo2", "SpO2"),
        ("on_oxygen", "O2"),
        ("resp_rate", "RR"),
        ("temperature_c", "Temp"),
        ("moaas", "MOAA/S"),
        ("dissociation", "Diss."),
        ("cadss", "CADSS"),
        ("anxiety", "Anx"),
        ("nausea", "Nau"),
        ("pain", "Pain"),
    ):
        value = getattr(signs, name)
        if value is None:
            continue
        if name == "temperature_c":
            parts.append(f"Temp {temperature_text(value, temperature_unit)} {temperature_unit}")
        else:
            parts.append(f"{short} {value_text(value)}")
    if signs.note:
        parts.append(f"note: {signs.note}")
    return " · ".join(parts)


class _CorrectionDialog(QDialog):
    """What both corrections share: reason, initials, messages, Save and Cancel."""

    corrected = Signal(object)  # what the service returned (SavedCheck or SessionEvent)

    def __init__(self, title: str, summary: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("CorrectionDialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.result_record: Any = None
        self.intro = plain_label(summary)
        self.intro.setObjectName("CorrectionIntro")
        self.intro.setAccessibleName("Record being corrected")
        self.intro.setWordWrap(True)
        self.reason = named(QLineEdit(), "Reason for the correction", "CorrectionReason")
        self.reason.setPlaceholderText("required: why is this corrected?")
        self.reason.setMaxLength(501)  # one over, so the service can refuse it in words
        self.recorded_by = named(QLineEdit(), "Correction recorded by", "CorrectionRecordedBy")
        self.recorded_by.setPlaceholderText("initials")
        self.recorded_by.setMaxLength(5)
        self.message = error_label("FormError")
        self.message.setAccessibleName("Correction message")
        self.save_button = named(QPushButton("Save correction"), "Save correction", "PrimaryButton")
        self.save_button.setDefault(True)
        self.cancel_button = named(QPushButton("Cancel"), "Cancel correction", "CancelCorrection")
        self.cancel_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

    def _finish_layout(self, fields: QWidget | QGridLayout | QFormLayout) -> None:
        who = QFormLayout()
        for text, widget in (("&Reason", self.reason), ("Recorded b&y", self.recorded_by)):
            label = plain_label(text)
            label.setObjectName("FieldLabel")
            label.setBuddy(widget)
            who.addRow(label, widget)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        if isinstance(fields, QWidget):
            layout.addWidget(fields)
        else:
            layout.addLayout(fields)
        layout.addLayout(who)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def submit(self) -> object | None:
        """Store the correction; a refusal is shown in place and nothing is stored."""
        controls = {
            **self._fields(),
            "reason": self.reason,
            "recorded_by": self.recorded_by,
            "record": self.save_button,
        }
        for control in controls.values():
            if isinstance(control, QLineEdit):
                mark_invalid(control, False)
        self.message.setText("")
        record = run_write(self._save_correction, self.message, controls)
        if record is None:
            return None
        self.result_record = record
        self.corrected.emit(record)
        self.accept()
        return record

    def _fields(self) -> dict[str, QWidget]:  # pragma: no cover - overridden
        """The record's own editable fields, by the names the service reports errors with."""
        raise NotImplementedError

    def _save_correction(self) -> Any:  # pragma: no cover - overridden
        """Ask the service to store the correction (raises ValidationError / StoreError)."""
        raise NotImplementedError


class CheckCorrectionDialog(_CorrectionDialog):
    """Correct one vitals check: pre-filled with the values in force."""

    def __init__(
        self,
        service: Corrector,
        check: VitalsCheck,
        temperature_unit: str = "°C",
        parent: QWidget | None = None,
    ) -> None:
        when = format_local(check.taken_at, with_date=False)
        super().__init__(
            "Correct a vitals check",
            f"Check taken at {when}, recorded by {check.signs.recorded_by}. Change what was "
            "wrong; the original stays in the record with your reason.",
            parent,
        )
        self._service = service
        self.check = check
        self.temperature_unit = temperature_unit
        self.controls: dict[str, QLineEdit | QComboBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        for index, name in enumerate(CHECK_FIELDS):
            spec = FIELD_BY_NAME[name]
            value = getattr(check.signs, name)
            if spec.kind is Kind.YES_NO:
                combo = QComboBox()
                for text, data in YES_NO_CHOICES[name]:
                    combo.addItem(text, data)
                combo.setCurrentIndex(max(combo.findData(value_text(value)), 0))
                control: QLineEdit | QComboBox = combo
            else:
                edit = QLineEdit(self._prefill(name, value))
                edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
                control = edit  # no setMaxLength: Qt counts UTF-16 units and cuts silently
            label_text = spec.label
            if name == "temperature_c":
                label_text = f"Temperature ({temperature_unit})"
            named(control, f"Corrected {label_text.lower()}", f"Correct_{name}")
            label = plain_label(label_text)
            label.setObjectName("FieldLabel")
            label.setBuddy(control)
            self.controls[name] = control
            if name == "note":
                grid.addWidget(label, 7, 0)
                grid.addWidget(control, 7, 1, 1, 3)
                continue
            row, column = divmod(index, 2)
            grid.addWidget(label, row, column * 2)
            grid.addWidget(control, row, column * 2 + 1)
        self._prefilled_time = when
        self.taken_at = named(QLineEdit(when), "Corrected time taken", "CorrectTakenAt")
        self.taken_at.setToolTip("Change only if the time was wrong (HH:MM).")
        time_label = plain_label("Time &taken")
        time_label.setObjectName("FieldLabel")
        time_label.setBuddy(self.taken_at)
        grid.addWidget(time_label, 8, 0)
        grid.addWidget(self.taken_at, 8, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self._prefilled_temperature = self._prefill("temperature_c", check.signs.temperature_c)
        self._finish_layout(grid)
        first = self.controls["systolic"]
        first.setFocus()

    def _prefill(self, name: str, value: object) -> str:
        if name == "temperature_c" and value is not None:
            assert isinstance(value, float | int)
            return temperature_text(value, self.temperature_unit)
        return value_text(value)

    def raw_values(self) -> dict[str, str]:
        """What the dialog holds, as the service reads it (°C, like the vitals form)."""
        raw = typed_values(self.controls)
        typed = raw["temperature_c"]
        if self.temperature_unit == "°F":
            if typed.strip() == self._prefilled_temperature:
                # untouched: send the stored °C value, not a rounded round trip
                raw["temperature_c"] = value_text(self.check.signs.temperature_c)
            else:
                raw["temperature_c"] = fahrenheit_text_to_celsius(typed)
        return raw

    def _fields(self) -> dict[str, QWidget]:
        return {**self.controls, "taken_at": self.taken_at}

    def _save_correction(self) -> Any:
        typed = self.taken_at.text().strip()
        return self._service.correct_check(
            self.check.id,
            self.raw_values(),
            reason=self.reason.text(),
            recorded_by=self.recorded_by.text(),
            # untouched: the original's time to the second (the service reads a typed one)
            taken_at=None if typed == self._prefilled_time else typed,
        )


class EventCorrectionDialog(_CorrectionDialog):
    """Correct one timeline event: its details and, if it was wrong, its time."""

    def __init__(
        self, service: Corrector, event: SessionEvent, clock: Clock, parent: QWidget | None = None
    ) -> None:
        spec = EVENT_KINDS.get(event.kind)
        label = spec.label if spec else event.kind
        when = format_local(event.occurred_at, with_date=False)
        super().__init__(
            f"Correct: {label}",
            f"{label} at {when}, recorded by {event.recorded_by}. Change what was wrong; "
            "the original stays in the record with your reason.",
            parent,
        )
        self._service = service
        self._clock = clock
        self.event = event
        self.controls: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field in spec.fields if spec else ():
            value = event.details.get(field.name)
            if field.kind in (FieldKind.CHOICE, FieldKind.YES_NO):
                combo = QComboBox()
                items = (
                    YES_NO_ITEMS
                    if field.kind is FieldKind.YES_NO
                    else (("—", ""), *((c, c) for c in field.choices))
                )
                for text, data in items:
                    combo.addItem(text, data)
                combo.setCurrentIndex(max(combo.findData(value_text(value)), 0))
                control: QLineEdit | QComboBox = combo
            else:
                control = QLineEdit(value_text(value))  # the domain counts its length
                if field.kind is FieldKind.NUMBER:
                    control.setPlaceholderText(field.accepted())
            named(control, f"Corrected {field.label.lower()}", f"Correct_{event.kind}_{field.name}")
            row_label = plain_label(field.label + ("" if field.required else " (optional)"))
            row_label.setObjectName("FieldLabel")
            row_label.setBuddy(control)
            form.addRow(row_label, control)
            self.controls[field.name] = control
        self.occurred_at = named(QLineEdit(when), "Corrected event time", "CorrectEventTime")
        self.occurred_at.setToolTip("Change only if the time was wrong (HH:MM).")
        time_label = plain_label("&Time")
        time_label.setObjectName("FieldLabel")
        time_label.setBuddy(self.occurred_at)
        form.addRow(time_label, self.occurred_at)
        self._prefilled_time = when
        self._finish_layout(form)
        first = next(iter(self.controls.values()), self.occurred_at)
        first.setFocus()

    def raw_values(self) -> dict[str, str]:
        return typed_values(self.controls)

    def _fields(self) -> dict[str, QWidget]:
        return {**self.controls, "occurred_at": self.occurred_at}

    def _save_correction(self) -> Any:
        occurred_at = None
        typed = self.occurred_at.text().strip()
        if typed != self._prefilled_time:
            occurred_at = parse_time_of_day(typed, self._clock.now())
        return self._service.correct_event(
            self.event.id,
            self.raw_values(),
            reason=self.reason.text(),
            recorded_by=self.recorded_by.text(),
            occurred_at=occurred_at,
        )


class WithdrawEventDialog(_CorrectionDialog):
    """Withdraw an event entered by mistake: a reason and initials, nothing else.

    Never a delete: the service stores a correction marking the event void, so it leaves
    the schedule, the summary and the exports while the record and its history keep it.
    """

    def __init__(
        self, service: Corrector, event: SessionEvent, parent: QWidget | None = None
    ) -> None:
        when = format_local(event.occurred_at, with_date=False)
        super().__init__(
            "Withdraw an event",
            f"{describe(event)} — at {when}, recorded by {event.recorded_by}. Withdraw it "
            "only if it was entered by mistake: it stays in the record with your reason.",
            parent,
        )
        self.setObjectName("WithdrawEventDialog")
        self._service = service
        self.event = event
        self.reason.setPlaceholderText("required: why is this withdrawn?")
        self.save_button.setText("Withdraw event")
        self.save_button.setAccessibleName("Withdraw event")
        self._finish_layout(QFormLayout())
        self.reason.setFocus()

    def _fields(self) -> dict[str, QWidget]:
        return {}

    def _save_correction(self) -> Any:
        return self._service.withdraw_event(
            self.event.id, self.reason.text(), self.recorded_by.text()
        )


class HistoryDialog(QDialog):
    """Every version of one record, the original first: who, when, why, and the values."""

    HEADERS = ("Version", "Entered", "By", "Reason", "Values")

    def __init__(self, title: str, rows: Sequence[Sequence[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("HistoryDialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.table = named(QTableWidget(len(rows), len(self.HEADERS)), title, "HistoryTable")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tooltip(text))  # a long reason or note, whole
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (3, 4):  # reasons and values wrap; rows grow to fit them
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        note = plain_label(
            "Records are never changed or deleted: each correction is a new version. "
            "The last version is the one in force."
        )
        note.setObjectName("FieldUnit")
        note.setWordWrap(True)
        note.setAccessibleName("About the history")
        self.close_button = named(QPushButton("Close"), "Close history", "CloseHistory")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.resize(980, min(640, 170 + 56 * len(rows)))

    def text(self) -> str:
        """Every cell, row by row (what a screen reader or a test reads)."""
        return "\n".join(
            " | ".join(
                self.table.item(r, c).text() if self.table.item(r, c) else ""
                for c in range(self.table.columnCount())
            )
            for r in range(self.table.rowCount())
        )


def _version_name(index: int, total: int) -> str:
    name = "Original" if index == 0 else f"Correction {index}"
    return name + (" (in force)" if index == total - 1 and total > 1 else "")


def check_history_rows(
    history: Sequence[VitalsCheck], temperature_unit: str = "°C"
) -> list[tuple[str, ...]]:
    """One row per version of a check, for HistoryDialog."""
    return [
        (
            _version_name(i, len(history)),
            format_local(c.entered_at),
            c.signs.recorded_by,
            c.correction_reason or ("—" if i == 0 else ""),
            check_values_text(c.signs, temperature_unit),
        )
        for i, c in enumerate(history)
    ]


def event_history_rows(history: Sequence[SessionEvent]) -> list[tuple[str, ...]]:
    """One row per version of an event, for HistoryDialog (its time shown with the details)."""
    return [
        (
            _version_name(i, len(history)),
            format_local(e.entered_at),
            e.recorded_by,
            e.correction_reason or ("—" if i == 0 else ""),
            "Withdrawn (void)"
            if is_void(e)
            else f"{format_local(e.occurred_at, with_date=False)} "
            + describe(dataclasses.replace(e, corrects_id=None, entered_at=e.occurred_at)),
        )
        for i, e in enumerate(history)
    ]
