"""The vitals-check form: keyboard alone (Tab between fields, Enter saves).

The form only collects text. Parsing, ranges, the baseline decision, lateness and
alerts all happen in the monitoring service; a refusal comes back as a
ValidationError naming each field, which is shown in place, keeping what was typed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import Clock, format_local
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.events import parse_time_of_day
from session_app.domain.vitals import (
    FIELD_BY_NAME,
    VITAL_FIELDS,
    Kind,
    fahrenheit_text_to_celsius,
)
from session_app.seams import CheckRecorder
from session_app.ui.lock import EnterButton
from session_app.ui.staff.widgets import (
    EntryForm,
    error_label,
    mark_invalid,
    named,
    show_refusal,
    typed_values,
)
from session_app.ui.staff.write import lay_out_now, run_write
from session_app.ui.text import plain_label

if TYPE_CHECKING:
    from session_app.devices.proposals import ProposedCheck
    from session_app.monitoring import SavedCheck

    # Records the proposal being edited: (the form's values, the initials) -> the check.
    RecordEdit = Callable[[Mapping[str, str], str], SavedCheck]

# Choices of the yes/no fields: what the nurse sees -> what the service parses.
YES_NO_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "on_oxygen": (("—", ""), ("No (room air)", "no"), ("Yes", "yes")),
    "dissociation": (("—", ""), ("No", "no"), ("Yes", "yes")),
}
# What each box shows while empty: a unit, or a score's range in the domain's words.
PLACEHOLDERS: dict[str, str] = {
    "systolic": "sys",
    "diastolic": "dia",
    "heart_rate": "/min",
    "spo2": "%",
    "resp_rate": "/min",
    **{
        spec.name: spec.range_text()
        for spec in VITAL_FIELDS
        if spec.kind is Kind.INTEGER and not spec.unit
    },
    "note": "optional",
    "recorded_by": "initials",
}


class VitalsForm(EntryForm):
    """Collects one check and hands it to `service.record_check`.

    `service` is a MonitoringService (or a fake with the same `record_check`).
    """

    saved = Signal(object)  # what record_check returned (SavedCheck)

    def __init__(self, service: CheckRecorder, clock: Clock, temperature_unit: str = "°C") -> None:
        super().__init__("Vitals check")
        self.setObjectName("VitalsForm")
        self.setAccessibleName("Vitals check form")
        self._service = service
        self._clock = clock
        self.session_id: int | None = None
        self.controls: dict[str, QLineEdit | QComboBox] = {}
        for spec_name in (spec.name for spec in VITAL_FIELDS):
            spec = FIELD_BY_NAME[spec_name]
            if spec.kind is Kind.YES_NO:
                combo = QComboBox()
                for text, value in YES_NO_CHOICES[spec_name]:
                    combo.addItem(text, value)
                control: QLineEdit | QComboBox = combo
            else:
                edit = QLineEdit()
                edit.setPlaceholderText(PLACEHOLDERS.get(spec_name, ""))
                # No setMaxLength: Qt counts UTF-16 units and would cut a pasted note
                # silently; the domain counts characters and refuses over-long text whole.
                control = edit
            named(control, spec.label, "Vitals_" + spec_name)
            self.controls[spec_name] = control
        self.taken_at = named(QLineEdit(), "Time taken", "Vitals_taken_at")
        self.taken_at.setPlaceholderText("now, or HH:MM")
        self.taken_at.setToolTip("Leave empty for now; type an earlier time as HH:MM.")
        self.save_button = named(EnterButton("Save vitals"), "Save vitals", "PrimaryButton")
        self.save_button.setAutoDefault(False)
        self.message = error_label("VitalsMessage")
        self.message.setAccessibleName("Vitals form message")
        self.status = plain_label("")
        self.status.setObjectName("FormStatus")
        self.status.setAccessibleName("Vitals form status")
        self.status.setWordWrap(True)
        # Edit on a proposed check: the form holds the monitor's values, Save records them.
        self.editing: ProposedCheck | None = None
        self._record_edit: RecordEdit | None = None
        self.edit_line = plain_label("")
        self.edit_line.setObjectName("VitalsEditLine")
        self.edit_line.setAccessibleName("Editing the monitor's values")
        self.edit_line.setWordWrap(True)
        self.cancel_edit_button = named(
            QPushButton("Cancel edit"), "Cancel editing the monitor's values", "CancelEditButton"
        )
        self.cancel_edit_button.setAutoDefault(False)
        self.cancel_edit_button.clicked.connect(self.clear)
        self.temperature_unit = ""
        self.temperature_label = plain_label()
        self.set_temperature_unit(temperature_unit)
        self._build_layout()
        self.save_button.clicked.connect(self.submit)
        self.set_session(None)

    # -- layout ------------------------------------------------------------------
    def _build_layout(self) -> None:
        c = self.controls
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = plain_label(text)
            widget.setObjectName("FieldLabel")
            widget.setBuddy(buddy)
            return widget

        bp = QHBoxLayout()
        bp.setSpacing(4)
        bp.addWidget(c["systolic"])
        slash = plain_label("/")
        slash.setObjectName("FieldUnit")
        bp.addWidget(slash)
        bp.addWidget(c["diastolic"])
        unit = plain_label("mmHg")
        unit.setObjectName("FieldUnit")
        bp.addWidget(unit)
        grid.addWidget(label("&BP", c["systolic"]), 0, 0)
        grid.addLayout(bp, 0, 1, 1, 3)
        rows: tuple[tuple[tuple[str, str], ...], ...] = (
            (("&Heart rate", "heart_rate"), ("SpO&2", "spo2")),
            (("Suppl. &O2", "on_oxygen"), ("&Resp. rate", "resp_rate")),
            ((self.temperature_label.text(), "temperature_c"), ("&MOAA/S", "moaas")),
            (("&Dissociation", "dissociation"), ("&CADSS total", "cadss")),
            (("&Anxiety", "anxiety"), ("&Nausea", "nausea")),
            (("&Pain", "pain"), ("", "")),
        )
        for row, pair in enumerate(rows, start=1):
            for column, (text, name) in enumerate(pair):
                if not name:
                    continue
                widget = self.temperature_label if name == "temperature_c" else label(text, c[name])
                if name == "temperature_c":
                    widget.setBuddy(c[name])
                    widget.setObjectName("FieldLabel")
                grid.addWidget(widget, row, column * 2)
                grid.addWidget(c[name], row, column * 2 + 1)
        grid.addWidget(label("No&te", c["note"]), 7, 0)
        grid.addWidget(c["note"], 7, 1, 1, 3)
        grid.addWidget(label("Time ta&ken", self.taken_at), 8, 0)
        grid.addWidget(self.taken_at, 8, 1)
        grid.addWidget(label("Recorded b&y", c["recorded_by"]), 8, 2)
        grid.addWidget(c["recorded_by"], 8, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        outer = QVBoxLayout(self)
        outer.setSpacing(6)
        outer.setContentsMargins(6, 4, 6, 4)
        editing = QHBoxLayout()
        editing.addWidget(self.edit_line, 1)
        editing.addWidget(self.cancel_edit_button)
        outer.addLayout(editing)
        self._show_edit_line("")
        outer.addLayout(grid)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        outer.addWidget(self.message)

        order: list[QWidget] = [
            c["systolic"],
            c["diastolic"],
            c["heart_rate"],
            c["spo2"],
            c["on_oxygen"],
            c["resp_rate"],
            c["temperature_c"],
            c["moaas"],
            c["dissociation"],
            c["cadss"],
            c["anxiety"],
            c["nausea"],
            c["pain"],
            c["note"],
            self.taken_at,
            c["recorded_by"],
            self.save_button,
        ]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)

    # -- state ---------------------------------------------------------------------
    def set_temperature_unit(self, unit: str) -> None:
        """Label the temperature box with the clinic's unit (°C or °F)."""
        self.temperature_unit = unit
        self.temperature_label.setText(f"&Temp. ({unit})")
        edit = self.controls["temperature_c"]
        assert isinstance(edit, QLineEdit)
        edit.setPlaceholderText("°F" if unit == "°F" else "°C")

    def set_session(self, session_id: int | None) -> None:
        if session_id != self.session_id:
            self.cancel_edit()
        self.session_id = session_id
        self.setEnabled(session_id is not None)
        self.message.setText("")
        self.status.setText("" if session_id is not None else "Start a session to record vitals.")

    def first_field(self) -> QLineEdit:
        first = self.controls["systolic"]
        assert isinstance(first, QLineEdit)
        return first

    def raw_values(self) -> dict[str, str]:
        """What was typed, by field name; empty means not measured."""
        return typed_values(self.controls)

    def clear(self) -> None:
        """Empty every field; an edit of the monitor's values ends with it."""
        self.clear_fields(self.controls)
        self.taken_at.clear()
        _unmark(self.taken_at)
        if self.editing is not None:
            self.editing = None
            self._record_edit = None
            self.taken_at.setReadOnly(False)
            self._show_edit_line("")

    def clear_fields(self, names: Iterable[str]) -> None:
        """Empty some fields (those a recorded proposal used), keeping the others."""
        for name in names:
            control = self.controls[name]
            if isinstance(control, QComboBox):
                control.setCurrentIndex(0)
            else:
                control.clear()
                _unmark(control)

    # -- the monitor's proposed checks (ui/staff/proposed_checks) ---------------------
    def begin_edit(self, proposal: ProposedCheck, record: RecordEdit) -> None:
        """Fill the form with a proposal's values and time; Save then calls `record`, so
        the check stays linked to the monitor's observations. Clearing cancels."""
        self.clear()
        for name, value in proposal.values.items():
            control = self.controls.get(name)
            if isinstance(control, QLineEdit):
                control.setText(str(value))
        when = format_local(proposal.observed_at, with_date=False)
        self.taken_at.setText(when)
        self.taken_at.setReadOnly(True)  # recorded at the device's time
        self.editing = proposal
        self._record_edit = record
        self._show_edit_line(f"Editing the monitor's {when} values — Save records them")
        self.status.setText("")
        self.first_field().setFocus()

    def cancel_edit(self) -> None:
        """End an edit of the monitor's values (a lock, another session); typed work
        outside an edit is kept."""
        if self.editing is not None:
            self.clear()

    def _show_edit_line(self, text: str) -> None:
        self.edit_line.setText(text)
        self.edit_line.setVisible(bool(text))
        self.cancel_edit_button.setVisible(bool(text))

    def reset_marks(self) -> None:
        """Before a write: no field marked refused, no status line."""
        for control in (*self.controls.values(), self.taken_at):
            if isinstance(control, QLineEdit):
                _unmark(control)
        self.status.setText("")

    def recorded_by(self) -> str:
        return self.raw_values()["recorded_by"]

    def typed_extras(self, measured: Iterable[str]) -> dict[str, str]:
        """What the nurse typed in the fields the monitor did not measure (MOAA/S, a
        note…), as the service takes it (°F converted); not the initials."""
        skip = {*measured, "recorded_by"}
        raw = self._typed()
        return {name: value for name, value in raw.items() if name not in skip and value}

    def show_refused(self, exc: ValidationError) -> None:
        """A refusal in the form's fields, the usual way; a dismissal's initials are the
        form's "Recorded by"."""
        controls: dict[str, QWidget] = {**self.controls, "taken_at": self.taken_at}
        controls["dismissed_by"] = self.controls["recorded_by"]
        typed_temperature = self.raw_values()["temperature_c"]
        if self.temperature_unit == "°F" and exc.for_field("temperature_c"):
            exc = _with_fahrenheit_note(exc, typed_temperature)
        show_refusal(exc, controls, self.message)

    def _typed(self) -> dict[str, str]:
        """The form's values as the service takes them (a °F temperature in °C)."""
        raw = self.raw_values()
        if self.temperature_unit == "°F":
            raw["temperature_c"] = fahrenheit_text_to_celsius(raw["temperature_c"])
        return raw

    # -- saving --------------------------------------------------------------------
    def submit(self) -> object | None:
        if self.session_id is None:
            return None
        self.reset_marks()
        session_id = self.session_id
        raw = self._typed()
        record_edit = self._record_edit

        def save() -> SavedCheck:
            if record_edit is not None:  # the monitor's values, edited: the proposal's check
                initials = raw.pop("recorded_by")
                return record_edit(raw, initials)
            taken_at = None
            if self.taken_at.text().strip():
                taken_at = parse_time_of_day(
                    self.taken_at.text(), self._clock.now(), field="taken_at", label="Time taken"
                )
            return self._service.record_check(session_id, raw, taken_at=taken_at)

        result = run_write(save, self.message, self.show_refused)
        if result is None:
            return None
        self.finish_save(result, self.controls)
        return result

    def finish_save(self, result: object, used: Iterable[str]) -> None:
        """After a check was stored from this form: empty the `used` fields (all, after
        Save; an edit ends), say so, and let the panel update the chart and flowsheet."""
        used = list(used)
        if set(used) >= set(self.controls):
            self.clear()
        else:
            self.clear_fields(used)
        self.status.setText(self._saved_text(result))
        self.first_field().setFocus()
        self.saved.emit(result)  # the panel brings the chart and flowsheet up to date
        lay_out_now()  # …and the window paints all of it once

    @staticmethod
    def _saved_text(result: Any) -> str:
        check = getattr(result, "check", result)
        when = getattr(check, "taken_at", None)
        text = "Saved"
        if when is not None:
            text += f" ({format_local(when, with_date=False)})"
        if getattr(check, "is_baseline", False):
            text += " as baseline"
        if getattr(check, "late", False):
            text += " — marked late"
        return text + "."


def _unmark(edit: QLineEdit) -> None:
    """Clear a field's refusal mark; only marked fields are re-polished (a re-polish of all
    16 fields cost a few ms on every save, issue 7)."""
    if edit.property("invalid"):
        mark_invalid(edit, False)


def _with_fahrenheit_note(exc: ValidationError, typed: str) -> ValidationError:
    """Say which °F value the nurse typed, so a °C range in the message is not puzzling."""
    errors = []
    for error in exc.errors:
        if error.field == "temperature_c":
            celsius = fahrenheit_text_to_celsius(typed)
            note = f" You typed {typed.strip()} °F" + (
                f" = {celsius} °C." if celsius != typed else "."
            )
            error = FieldError(error.field, error.label, typed, error.message + note)
        errors.append(error)
    return ValidationError(errors)
