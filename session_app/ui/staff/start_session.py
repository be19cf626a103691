"""Start-session form: pseudonymous patient ID, weight, protocol preset, staff initials."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit

from session_app.domain.protocols import PRESET_NAMES
from session_app.domain.session import NewSession, TreatmentSession, validate_new_session
from session_app.ui.lock import EnterButton
from session_app.ui.staff.widgets import error_label, mark_invalid, named
from session_app.ui.staff.write import run_write


class StartSessionForm(QGroupBox):
    """Reads the form through the domain, starts the session through the service (one
    write path: ui/staff/write.py), then announces the session."""

    session_started = Signal(object)  # TreatmentSession

    def __init__(self, start: Callable[[NewSession], TreatmentSession]) -> None:
        """`start` is `MonitoringService.start_session`: it snapshots the protocol."""
        super().__init__("Start a session")
        self.setObjectName("StartSessionForm")
        self.setAccessibleName("Start a session form")
        self._start = start
        self.patient_id = named(QLineEdit(), "Patient ID")
        self.patient_id.setPlaceholderText("initials or clinic ID")
        self.weight = named(QLineEdit(), "Weight (kg)", "WeightKg")
        self.weight.setPlaceholderText("kg")
        self.protocol = named(QComboBox(), "Protocol")
        self.protocol.addItems(PRESET_NAMES)
        self.staff = named(QLineEdit(), "Staff initials")
        self.start_button = named(EnterButton("Start session"), "Start session", "PrimaryButton")
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
        session = run_write(
            lambda: self._start(
                validate_new_session(
                    self.patient_id.text(),
                    self.protocol.currentText(),
                    self.staff.text(),
                    self.weight.text(),
                )
            ),
            self.message,
            {**edits, "protocol": self.protocol},
        )
        if session is None:
            return None
        for edit in edits.values():
            edit.clear()
        self.session_started.emit(session)
        return session
