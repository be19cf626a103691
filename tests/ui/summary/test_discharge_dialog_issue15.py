"""The discharge dialog, issue 15: no stale "Ended by: required", the REMS form's names
(completing HCP, prescriber pre-filled from the clinic setting) checked by the service,
and "Vital signs acceptable before dosing" not asked again when a pre-dose check holds it.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.ui.summary.discharge_dialog import DischargeDialog
from tests.seeding import record

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
SIGNS = dict(systolic=126, diastolic=80, heart_rate=72, spo2=98, resp_rate=14, moaas=5)


def rems_session(service: MonitoringService, clock: ManualClock, *, pre_dose_check: bool) -> int:
    """A REMS session 125 min after the dose, ready to end (through the service)."""
    sid = service.start_session(NewSession("RT-9", ESKETAMINE_REMS, "AB", 70.0)).id
    record(service, sid, **SIGNS)
    clock.advance(minutes=3)
    if pre_dose_check:
        service.log_event(sid, "pre_dose_check", {"vitals_ok": "yes"}, "AB")
    clock.advance(minutes=2)
    service.log_event(sid, "dose", DOSE, "AB")
    for _ in range(2):  # about 40 and 80 min after the dose
        clock.advance(minutes=40)
        record(service, sid, **SIGNS)
    clock.advance(minutes=45)
    record(service, sid, **SIGNS)
    return sid


def dialog_for(qtbot, service: MonitoringService, sid: int) -> DischargeDialog:
    dialog = DischargeDialog(service.store, sid, service.clock, service=service)
    qtbot.addWidget(dialog)
    return dialog


def test_the_ended_by_message_goes_when_the_initials_are_typed(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    sid = rems_session(service, clock, pre_dose_check=True)
    dialog = dialog_for(qtbot, service, sid)
    dialog.note.setText("x" * 501)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert "Ended by: required" in dialog.error_label.text()
    assert "Discharge note:" in dialog.error_label.text()
    assert dialog.ended_by.property("invalid") is True

    qtbot.keyClicks(dialog.ended_by, "cd")
    assert "Ended by" not in dialog.error_label.text()  # no longer stale
    assert dialog.ended_by.property("invalid") is False
    assert "Discharge note:" in dialog.error_label.text()  # still true: it stays
    assert dialog.note.property("invalid") is True
    dialog.note.selectAll()
    qtbot.keyClicks(dialog.note, "home with partner")
    assert dialog.error_label.text() == ""
    assert dialog.end_session() is True
    assert service.store.session(sid).ended_by == "CD"


def test_rems_names_are_stored_and_the_prescriber_comes_from_the_clinic_setting(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    service.save_settings({"rems.prescriber": "Dr J. Okafor"})
    sid = rems_session(service, clock, pre_dose_check=True)
    dialog = dialog_for(qtbot, service, sid)
    assert dialog.prescriber.text() == "Dr J. Okafor"
    assert dialog.hcp_name.accessibleName() == "Healthcare provider completing the form"
    assert dialog.prescriber.accessibleName() == "Prescriber"
    qtbot.keyClicks(dialog.hcp_name, "  Ana Ruiz, RN ")
    dialog.prescriber.setText("Dr K. Lee")
    qtbot.keyClicks(dialog.ended_by, "AR")
    assert dialog.end_session() is True
    stored = service.store.discharge(sid)
    assert stored["hcp_name"] == "Ana Ruiz, RN" and stored["prescriber"] == "Dr K. Lee"


def test_a_name_the_domain_refuses_is_shown_in_place_and_nothing_is_stored(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    sid = rems_session(service, clock, pre_dose_check=True)
    dialog = dialog_for(qtbot, service, sid)
    dialog.hcp_name.setText("A" * 121)
    dialog.prescriber.setText("Dr \x07Lee")
    dialog.ended_by.setText("AR")
    assert dialog.end_session() is False
    text = dialog.error_label.text()
    assert "Healthcare provider completing the form: " in text and "120 characters" in text
    assert "Prescriber: " in text and "control character" in text
    assert dialog.hcp_name.property("invalid") is True
    assert dialog.prescriber.property("invalid") is True
    assert service.store.session(sid).is_open and service.store.discharge(sid) == {}


def test_an_iv_session_has_no_rems_names(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    sid = service.start_session(NewSession("IV-2", IV_KETAMINE, "AB", 70.0)).id
    record(service, sid, **SIGNS)
    dialog = dialog_for(qtbot, service, sid)
    assert dialog.rems_box is None
    assert dialog.checklist_input().hcp_name == "" and dialog.checklist_input().prescriber == ""


def test_a_pre_dose_check_answers_vitals_before_dosing_and_the_question_is_not_asked(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    sid = rems_session(service, clock, pre_dose_check=True)
    dialog = dialog_for(qtbot, service, sid)
    dialog.show()
    assert not dialog.vitals_ok_predose.isVisible()
    assert dialog.predose_answer.isVisible()
    assert dialog.predose_answer.text().startswith(
        "Vital signs acceptable before dosing: Yes — pre-dose check"
    )
    dialog.vitals_ok_predose.setCurrentIndex(2)  # even if set somehow, it is not sent
    assert dialog.checklist_input().vitals_ok_predose is None
    dialog.ended_by.setText("AB")
    assert dialog.end_session() is True
    assert service.store.discharge(sid)["vitals_ok_predose"] is None


def test_without_a_pre_dose_check_the_question_is_asked_at_discharge(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    sid = rems_session(service, clock, pre_dose_check=False)
    dialog = dialog_for(qtbot, service, sid)
    dialog.show()
    assert dialog.vitals_ok_predose.isVisible() and not dialog.predose_answer.isVisible()
    dialog.vitals_ok_predose.setCurrentIndex(1)
    assert dialog.checklist_input().vitals_ok_predose is True


def test_the_dialog_needs_the_panels_service(
    qtbot, service: MonitoringService, clock: ManualClock
) -> None:
    """No default that builds a second MonitoringService on the store (issue 14)."""
    sid = rems_session(service, clock, pre_dose_check=False)
    with pytest.raises(TypeError, match="service"):
        DischargeDialog(service.store, sid, clock)  # type: ignore[call-arg]
