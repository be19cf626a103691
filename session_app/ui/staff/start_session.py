"""Start-session form: pseudonymous patient ID, weight, protocol preset, staff initials."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QPushButton

from session_app.domain.errors import ValidationError
from session_app.domain.protocols import PRESET_NAMES
from session_app.domain.session import TreatmentSession, validate_new_session
from session_app.store import SessionStore, StoreError
from session_app.ui.staff.widgets import error_label, mark_invalid, named


class StartSessionForm(QGroupBox):
    """Validates in the domain, writes through the store, then announces the session."""

    session_started = Signal(object)  # TreatmentSession

    def __init__(self, store: SessionStore, protocol_snapshot=None) -> None:
        super().__init__("Start a session")
        self._store = store
        self._protocol_snapshot = protocol_snapshot or (lambda name: {"name": name})
        self.patient_id = named(QLineEdit(), "Patient ID")
        self.patient_id.setPlaceholderText("initials or clinic ID")
        self.weight = named(QLineEdit(), "Weight (kg)", "WeightKg")
        self.weight.setPlaceholderText("kg")
        self.protocol = named(QComboBox(), "Protocol")
        self.protocol.addItems(PRESET_NAMES)
        self.staff = named(QLineEdit(), "Staff initials")
        self.start_button = named(QPushButton("Start session"), "Start session", "PrimaryButton")
        self.message = error_label()

        form = QFormLayout(self)
        form.addRow("Patient ID", self.patient_id)
        form.addRow("Weight (kg)", self.weight)
        form.addRow("Protocol", self.protocol)
        form.addRow("Staff initials", self.staff)
        form.addRow(self.start_button)
        form.addRow(self.message)
        self.start_button.clicked.connect(self.submit)
        for edit in (self.patient_id, self.weight, self.staff):
            edit.returnPressed.connect(self.submit)

    def submit(self) -> TreatmentSession | None:
        edits = {
            "patient_id": self.patient_id,
            "weight_kg": self.weight,
            "staff_initials": self.staff,
        }
        for edit in edits.values():
            mark_invalid(edit, False)
        try:
            new = validate_new_session(
                self.patient_id.text(),
                self.protocol.currentText(),
                self.staff.text(),
                self.weight.text(),
            )
        except ValidationError as exc:
            for error in exc.errors:
                if error.field in edits:
                    mark_invalid(edits[error.field], True, error.message)
            self.message.setText("\n".join(e.message for e in exc.errors))
            return None
        try:
            session = self._store.start_session(new, self._protocol_snapshot(new.protocol_name))
        except StoreError as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText("")
        for edit in edits.values():
            edit.clear()
        self.session_started.emit(session)
        return session
