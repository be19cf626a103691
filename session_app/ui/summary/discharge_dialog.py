"""Discharge checklist dialog: the nurse completes it and ends the session.

The dialog binds the checklist rules of domain.discharge: what the record says (BP
recovery, latest MOAA/S, monitoring time, missed checks) is computed, never typed;
what only the bedside can tell (Aldrete activity and breathing, responsible adult,
advice) is ticked. Warnings never block ending: they are shown and stored.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import Clock, ensure_utc, format_local, to_local
from session_app.domain.discharge import (
    ALDRETE_ITEMS,
    DischargeInput,
    DischargeResult,
    assess,
    suggest_aldrete,
)
from session_app.domain.errors import ValidationError
from session_app.domain.summary import (
    SessionRecord,
    SessionSummary,
    build_summary,
    discharge_context_for,
)
from session_app.seams import SessionEnder
from session_app.store import SessionStore
from session_app.ui.staff.widgets import mark_invalid, named, show_refusal
from session_app.ui.staff.write import run_write
from session_app.ui.text import escape, plain_label, rich_label
from session_app.ui.theme import load_qss

NOT_ASKED = "— choose —"
RESULT_MARK = {True: "✔ met", False: "✘ not met", None: "? not known"}


def _yes_no_combo(name: str, object_name: str) -> QComboBox:
    combo = QComboBox()
    named(combo, name, object_name)
    combo.addItem(NOT_ASKED, None)
    combo.addItem("Yes", True)
    combo.addItem("No", False)
    return combo


class DischargeDialog(QDialog):
    """Checklist + "End session". Emits `session_ended(session_id)` after the store commits.

    The dialog binds and shows; the service ends the session (one write path)."""

    session_ended = Signal(int)

    def __init__(
        self,
        store: SessionStore,
        session_id: int,
        clock: Clock,
        parent: QWidget | None = None,
        *,
        service: SessionEnder,
    ) -> None:
        """`service` is the panel's one MonitoringService: it ends the session."""
        super().__init__(parent)
        self.setObjectName("DischargeDialog")
        self.setAccessibleName("Discharge checklist")
        self.setStyleSheet(load_qss("summary"))
        self._service = service
        self._refused: list[tuple[str, str]] = []  # (field, message) shown, until fixed
        self._clock = clock
        self.session_id = session_id
        self.summary: SessionSummary = build_summary(
            SessionRecord.load(store, session_id), clock.now()
        )
        session = self.summary.session
        self.setWindowTitle(f"End session — {session.patient_id}")

        heading = rich_label(
            f"<b>{escape(session.patient_id)}</b> · {escape(session.protocol_name)} · started "
            f"{format_local(session.started_at)} by {escape(session.staff_initials)}"
        )
        named(heading, "Session", "DischargeHeading")

        # What the record says
        self.record_box = QGroupBox("From the record")
        named(self.record_box, "From the record", "RecordBox")
        self.bp_label = plain_label()
        named(self.bp_label, "BP within 20 % of baseline", "BpRecovery")
        self.moaas_label = plain_label()
        named(self.moaas_label, "Latest MOAA/S", "LatestMoaas")
        self.monitoring_label = plain_label()
        named(self.monitoring_label, "Monitoring time", "MonitoringTime")
        record_form = QFormLayout(self.record_box)
        record_form.addRow("Blood pressure", self.bp_label)
        record_form.addRow("Sedation", self.moaas_label)
        record_form.addRow("Monitoring", self.monitoring_label)

        # Modified Aldrete
        self.aldrete_box = QGroupBox("Modified Aldrete score")
        named(self.aldrete_box, "Modified Aldrete score", "AldreteBox")
        aldrete_form = QFormLayout(self.aldrete_box)
        self.aldrete: dict[str, QComboBox] = {}
        suggested = suggest_aldrete(self.summary.record.current_checks, self.summary.dose_at)
        for item in ALDRETE_ITEMS:
            combo = QComboBox()
            named(combo, f"Aldrete {item.label}", f"Aldrete_{item.key}")
            combo.addItem(NOT_ASKED, None)
            for score, words in enumerate(item.levels):
                combo.addItem(f"{score} — {words}", score)
            if item.key in suggested:
                combo.setCurrentIndex(suggested[item.key] + 1)
                combo.setToolTip("Suggested from the latest recorded values; check it.")
            self.aldrete[item.key] = combo
            label = item.label + (" (from the record)" if item.key in suggested else "")
            aldrete_form.addRow(label, combo)
        self.aldrete_total = plain_label()
        named(self.aldrete_total, "Aldrete total", "AldreteTotal")
        aldrete_form.addRow("Total", self.aldrete_total)

        # At the bedside
        self.bedside_box = QGroupBox("Before the patient leaves")
        named(self.bedside_box, "Before the patient leaves", "BedsideBox")
        self.responsible_adult = QCheckBox(
            "A responsible adult is present to accompany the patient"
        )
        named(self.responsible_adult, "Responsible adult present", "ResponsibleAdult")
        self.advice = QCheckBox("Advice given: no driving until the next day")
        named(self.advice, "Advice given: no driving until the next day", "AdviceGiven")
        self.note = QLineEdit()
        named(self.note, "Discharge note", "DischargeNote")
        # No setMaxLength: Qt counts UTF-16 units and cuts silently (validate_note counts).
        self.ended_by = QLineEdit()
        named(self.ended_by, "Ended by", "EndedBy")
        self.ended_by.setMaxLength(4)
        self.ended_by.setPlaceholderText("initials")
        bedside = QFormLayout(self.bedside_box)
        bedside.addRow(self.responsible_adult)
        bedside.addRow(self.advice)
        bedside.addRow("Note", self.note)
        bedside.addRow("Ended by", self.ended_by)

        # REMS attestations (esketamine only)
        self.rems_box: QGroupBox | None = None
        self.vitals_ok_predose = _yes_no_combo(
            "Vital signs acceptable before dosing", "VitalsOkPredose"
        )
        self.vitals_ok_leaving = _yes_no_combo(
            "Vital signs acceptable before leaving", "VitalsOkLeaving"
        )
        self.serious_ae = _yes_no_combo("Serious adverse event", "SeriousAdverseEvent")
        self.ready_at = QTimeEdit()
        named(self.ready_at, "Patient ready to leave at", "ReadyToLeaveAt")
        self.ready_at.setDisplayFormat("HH:mm")
        local_now = to_local(clock.now())
        self.ready_at.setTime(QTime(local_now.hour, local_now.minute))
        # The REMS form's names; the domain checks them (no setMaxLength: it counts).
        self.hcp_name = QLineEdit()
        named(self.hcp_name, "Healthcare provider completing the form", "HcpName")
        self.hcp_name.setPlaceholderText("full name")
        self.prescriber = QLineEdit(str(self.summary.record.clinic.get("rems.prescriber") or ""))
        named(self.prescriber, "Prescriber", "Prescriber")
        self.prescriber.setPlaceholderText("clinic default")
        self.prescriber.setToolTip("Left empty, the clinic's default prescriber is used.")
        # Answered before the dose (a pre-dose check): shown, not asked again.
        self.predose_answer = plain_label()
        named(
            self.predose_answer, "Vital signs acceptable before dosing, recorded", "PredoseAnswer"
        )
        self.predose_answer.setWordWrap(True)
        self._predose_recorded = False
        if self.summary.rems is not None:
            self.rems_box = QGroupBox("REMS patient monitoring form")
            named(self.rems_box, "REMS patient monitoring form", "RemsBox")
            rems = QFormLayout(self.rems_box)
            predose = self.summary.rems.field("vitals_ok_predose")
            self._predose_recorded = predose.source.startswith("pre-dose check")
            if self._predose_recorded:
                self.predose_answer.setText(
                    f"Vital signs acceptable before dosing: {predose.value} — {predose.source}."
                )
                rems.addRow(self.predose_answer)  # the whole width: it reads as one line
            else:
                rems.addRow("Vital signs acceptable before dosing", self.vitals_ok_predose)
            rems.addRow("Vital signs acceptable before leaving", self.vitals_ok_leaving)
            rems.addRow("Serious adverse event", self.serious_ae)
            rems.addRow("Ready to leave at", self.ready_at)
            rems.addRow("Healthcare provider completing the form", self.hcp_name)
            rems.addRow("Prescriber (optional)", self.prescriber)
            if any("(serious)" in e.text for e in self.summary.adverse_events):
                self.serious_ae.setCurrentIndex(1)

        # Result and actions
        self.result_label = rich_label()
        named(self.result_label, "Checklist result", "ChecklistResult")
        self.result_label.setWordWrap(True)
        self.warnings_label = plain_label()
        named(self.warnings_label, "Warnings", "DischargeWarnings")
        self.warnings_label.setWordWrap(True)
        self.error_label = plain_label()
        named(self.error_label, "Form message", "FormError")
        self.error_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        named(self.cancel_button, "Cancel", "CancelButton")
        self.end_button = QPushButton("End session")
        named(self.end_button, "End session", "PrimaryButton")
        self.end_button.setDefault(True)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.record_box)
        left.addWidget(self.aldrete_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.bedside_box)
        if self.rems_box is not None:
            right.addWidget(self.rems_box)
        right.addWidget(self.result_label)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.end_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.warnings_label)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)

        for combo in (*self.aldrete.values(), self.vitals_ok_predose, self.vitals_ok_leaving):
            combo.currentIndexChanged.connect(self.update_result)
        self.responsible_adult.toggled.connect(self.update_result)
        self.advice.toggled.connect(self.update_result)
        for field, edit in self._edits().items():
            edit.textChanged.connect(lambda _text, field=field: self._field_edited(field))
        self.cancel_button.clicked.connect(self.reject)
        self.end_button.clicked.connect(self.end_session)
        if not session.is_open:
            self.end_button.setEnabled(False)
            self.error_label.setText("This session has already ended; it is read-only.")
        self.update_result()
        self.resize(980, 640)

    # -- binding ----------------------------------------------------------------
    def checklist_input(self) -> DischargeInput:
        """What the form holds now, as the domain's input record."""
        aldrete = {
            k: c.currentData() for k, c in self.aldrete.items() if c.currentData() is not None
        }
        rems = self.rems_box is not None
        return DischargeInput(
            aldrete=aldrete,
            responsible_adult=self.responsible_adult.isChecked(),
            advice_given=self.advice.isChecked(),
            ended_by=self.ended_by.text().strip().upper(),
            note=self.note.text().strip(),
            vitals_ok_predose=(
                self.vitals_ok_predose.currentData()
                if rems and not self._predose_recorded
                else None
            ),
            vitals_ok_leaving=self.vitals_ok_leaving.currentData() if rems else None,
            ready_to_leave_at=self._ready_at() if rems else None,
            serious_adverse_event=self.serious_ae.currentData() if rems else None,
            hcp_name=self.hcp_name.text().strip() if rems else "",
            prescriber=self.prescriber.text().strip() if rems else "",
        )

    def _ready_at(self) -> datetime:
        """The typed time of day today (local), as UTC; never later than now."""
        local_now = to_local(self._clock.now())
        typed = self.ready_at.time()
        when = local_now.replace(hour=typed.hour(), minute=typed.minute(), second=0, microsecond=0)
        return ensure_utc(min(when, local_now))

    def assessment(self) -> DischargeResult:
        now = self._clock.now()
        return assess(self.checklist_input(), discharge_context_for(self.summary, now))

    def update_result(self) -> None:
        result = self.assessment()
        ctx = result.context
        self.bp_label.setText(f"{RESULT_MARK[ctx.bp.within]} — {ctx.bp.text()}")
        self.moaas_label.setText(
            f"latest MOAA/S {ctx.latest_moaas}" if ctx.latest_moaas is not None else "no MOAA/S"
        )
        if ctx.monitoring_min is not None and ctx.min_monitoring_min:
            self.monitoring_label.setText(
                f"{max(ctx.monitoring_min, 0):.0f} min of the protocol's minimum "
                f"{ctx.min_monitoring_min:.0f} min"
            )
        else:
            self.monitoring_label.setText("the minimum cannot be counted yet (no dose recorded)")
        total = result.aldrete_total
        self.aldrete_total.setText(
            f"{total} / 10"
            if total is not None
            else f"not complete ({len(result.missing_items)} item(s) to score)"
        )
        lines = [escape(f"{RESULT_MARK[c.met]}: {c.label}") for c in result.criteria]
        verdict = "All discharge criteria met." if result.all_met else "Not all criteria met."
        self.result_label.setText(f"<b>{verdict}</b><br>" + "<br>".join(lines))
        if result.warnings:
            self.warnings_label.setText(
                "⚠ " + " ".join(result.warnings) + " You can still end the session."
            )
            self.warnings_label.show()
        else:
            self.warnings_label.hide()
            self.warnings_label.setText("")

    # -- action -------------------------------------------------------------------
    def _edits(self) -> dict[str, QLineEdit]:
        """The typed fields the service checks, by the names it reports errors with."""
        return {
            "ended_by": self.ended_by,
            "note": self.note,
            "hcp_name": self.hcp_name,
            "prescriber": self.prescriber,
        }

    def _show_refusal(self, exc: ValidationError) -> None:
        show_refusal(exc, self._edits(), self.error_label)
        self._refused = [(e.field, e.message) for e in exc.errors]

    def _field_edited(self, field: str) -> None:
        """A refused field typed into: its message and mark go (they would be stale),
        the others' stay until those are fixed or End session is pressed again."""
        if all(f != field for f, _ in self._refused):
            return
        self._refused = [(f, m) for f, m in self._refused if f != field]
        mark_invalid(self._edits()[field], False)
        self.error_label.setText("\n".join(m for _, m in self._refused))

    def end_session(self) -> bool:
        """End the session with the checklist through the service, which checks who ends
        it, the note and the REMS names (every problem shown at once) and assesses the
        record as it is now; True when it was stored."""
        for edit in self._edits().values():
            mark_invalid(edit, False)
        self._refused = []
        rems = self.rems_box is not None
        checklist = replace(
            self.checklist_input(),
            ended_by=self.ended_by.text(),
            note=self.note.text(),
            hcp_name=self.hcp_name.text() if rems else "",
            prescriber=self.prescriber.text() if rems else "",
        )
        ended = run_write(
            lambda: self._service.end_session(self.session_id, checklist),
            self.error_label,
            self._show_refusal,
        )
        if ended is None:
            return False
        self.ended_by.setText(ended.ended_by)
        self.session_ended.emit(self.session_id)
        self.accept()
        return True
