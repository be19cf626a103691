"""Log a timeline event (dose, infusion, adverse event, intervention, note, ...).

The form is generated from `domain.events.EVENT_KINDS`: one page of inputs per kind.
Validation and wording live in the domain; the service stores the event with the
time it happened (now, or an earlier HH:MM typed in) and the time it was entered.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import format_local
from session_app.domain.events import DOSE, EVENT_KINDS, INFUSION_START, EventField, FieldKind
from session_app.seams import EventLogger
from session_app.ui.lock import EnterButton
from session_app.ui.staff.widgets import EntryForm, error_label, mark_invalid, named, typed_values
from session_app.ui.staff.write import lay_out_now, run_write
from session_app.ui.text import plain_label

# Labels also used by the vitals form: event controls get a prefix so every
# accessibleName on the panel stays unique for screen readers and automation.
_SHARED_LABELS = {"Note", "Recorded by"}
YES_NO_ITEMS = (("—", ""), ("No", "no"), ("Yes", "yes"))


def _accessible(label: str) -> str:
    return f"Event {label.lower()}" if label in _SHARED_LABELS else label


class EventForm(EntryForm):
    """Pick a kind, fill its fields, Enter logs it. `service.log_event` does the rest."""

    logged = Signal(object)  # SessionEvent

    def __init__(self, service: EventLogger) -> None:
        super().__init__("Log an event")
        self.setObjectName("EventForm")
        self.setAccessibleName("Event form")
        self._service = service
        self.session_id: int | None = None
        self.kind = named(QComboBox(), "Event", "EventKind")
        self.pages = QStackedWidget()
        self.pages.setObjectName("EventPages")
        self.fields: dict[str, dict[str, QLineEdit | QComboBox]] = {}
        for key, spec in EVENT_KINDS.items():
            self.kind.addItem(spec.label, key)
            page = QWidget()
            page.setObjectName(f"EventPage_{key}")
            form = QFormLayout(page)
            form.setContentsMargins(0, 0, 0, 0)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            controls: dict[str, QLineEdit | QComboBox] = {}
            for field in spec.fields:
                control = self._control(key, field)
                label = plain_label(field.label + ("" if field.required else " (optional)"))
                label.setObjectName("FieldLabel")
                label.setBuddy(control)
                form.addRow(label, control)
                controls[field.name] = control
            self.fields[key] = controls
            self.pages.addWidget(page)
        self.occurred_at = named(QLineEdit(), "Event time", "EventTime")
        self.occurred_at.setPlaceholderText("now, or HH:MM if earlier")
        self.recorded_by = named(QLineEdit(), "Event recorded by", "EventRecordedBy")
        self.recorded_by.setPlaceholderText("initials")
        self.recorded_by.setMaxLength(4)
        self.log_button = named(EnterButton("Log event"), "Log event", "PrimaryButton")
        self.log_button.setAutoDefault(False)
        self.message = error_label("EventMessage")
        self.message.setAccessibleName("Event form message")
        self.status = plain_label("")
        self.status.setObjectName("FormStatus")
        self.status.setAccessibleName("Event form status")
        self.status.setWordWrap(True)

        top = QFormLayout()
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        kind_label = plain_label("&Event")
        kind_label.setObjectName("FieldLabel")
        kind_label.setBuddy(self.kind)
        top.addRow(kind_label, self.kind)
        bottom = QFormLayout()
        bottom.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, widget in (("Time", self.occurred_at), ("Recorded by", self.recorded_by)):
            label = plain_label(text)
            label.setObjectName("FieldLabel")
            label.setBuddy(widget)
            bottom.addRow(label, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.log_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        layout.addLayout(bottom)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.log_button.clicked.connect(self.submit)
        self.set_session(None)

    def _control(self, kind: str, field: EventField) -> QLineEdit | QComboBox:
        object_name = f"Event_{kind}_{field.name}"
        if field.kind in (FieldKind.CHOICE, FieldKind.YES_NO):
            combo = QComboBox()
            if field.kind is FieldKind.YES_NO:
                for text, value in YES_NO_ITEMS:
                    combo.addItem(text, value)
            else:
                combo.addItem("—", "")
                for choice in field.choices:
                    combo.addItem(choice, choice)
                # A long choice ("breathing difficulty / respiratory depression") must not
                # widen the form past the panel's left column; the list shows it whole.
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                combo.setMinimumContentsLength(12)
            return named(combo, _accessible(field.label), object_name)
        edit = QLineEdit()
        edit.setMaxLength(field.max_length + 1)  # one over, so the domain can refuse it
        if field.kind is FieldKind.NUMBER:
            edit.setPlaceholderText(field.accepted())
        return named(edit, _accessible(field.label), object_name)

    # -- state ---------------------------------------------------------------------
    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def select_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def _kind_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.message.setText("")

    def set_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.setEnabled(session_id is not None)
        self.message.setText("")
        self.clear()

    def clear(self) -> None:
        """Empty every field and put back the defaults (the protocol's for the dose)."""
        defaults = self._defaults()
        for kind, controls in self.fields.items():
            for name, control in controls.items():
                value = defaults.get((kind, name), EVENT_KINDS[kind].field(name).default)
                if isinstance(control, QComboBox):
                    index = control.findData(value)
                    control.setCurrentIndex(max(index, 0))
                else:
                    control.setText(value)
                    mark_invalid(control, False)
        self.occurred_at.clear()
        mark_invalid(self.occurred_at, False)
        mark_invalid(self.recorded_by, False)

    def _defaults(self) -> dict[tuple[str, str], str]:
        """Dose-form values pre-filled from the session's protocol snapshot."""
        if self.session_id is None:
            return {}
        try:
            protocol = self._service.protocol(self.session_id)
        except (KeyError, ValueError):
            return {}
        values = {(DOSE, "drug"): protocol.drug, (DOSE, "route"): protocol.route}
        values[(DOSE, "unit")] = protocol.dose_unit
        if protocol.typical_dose is not None:
            values[(DOSE, "dose")] = f"{protocol.typical_dose:g}"
        if protocol.uses_infusion:  # issue 15: the planned length, from the snapshot
            values[(INFUSION_START, "planned_min")] = f"{protocol.planned_infusion_min:g}"
        return {k: v for k, v in values.items() if v}

    def raw_values(self, kind: str | None = None) -> dict[str, str]:
        return typed_values(self.fields[kind or self.current_kind()])

    # -- saving --------------------------------------------------------------------
    def submit(self) -> object | None:
        if self.session_id is None:
            return None
        kind = self.current_kind()
        controls = self.fields[kind]
        for control in (*controls.values(), self.occurred_at, self.recorded_by):
            if isinstance(control, QLineEdit):
                mark_invalid(control, False)
        self.status.setText("")
        edits: dict[str, QWidget] = {
            **controls,
            "occurred_at": self.occurred_at,
            "recorded_by": self.recorded_by,
        }
        session_id = self.session_id
        # The service reads the typed time and checks everything at once (the form
        # validates nothing itself), so the nurse sees every problem together.
        event = run_write(
            lambda: self._service.log_event(
                session_id,
                kind,
                self.raw_values(kind),
                self.recorded_by.text(),
                occurred_at=self.occurred_at.text(),
            ),
            self.message,
            edits,
        )
        if event is None:
            return None
        self.clear()
        self.recorded_by.setText(event.recorded_by)  # the same nurse usually logs the next one
        self.status.setText(
            f"Logged: {EVENT_KINDS[kind].label} at "
            f"{format_local(event.occurred_at, with_date=False)}."
        )
        self.kind.setFocus()
        self.logged.emit(event)
        lay_out_now()  # one repaint of everything the event changed
        return event
