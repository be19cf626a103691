"""Issue 15: the REMS patient monitoring form as updated on 12/31/2024.

Sessions are run through MonitoringService over a real SQLite store (own seeds: the
shared export seed is being rewritten), ended the way the discharge dialog ends them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from session_app.domain.catalogue import CATALOGUE
from session_app.domain.clock import ManualClock, format_local
from session_app.domain.discharge import DischargeInput, assess, from_stored, validate_name
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.rems import RemsForm, monitoring_minutes
from session_app.domain.session import NewSession
from session_app.domain.settings import resolve_settings, validate_settings
from session_app.domain.summary import (
    SessionRecord,
    build_summary,
    discharge_context_for,
    load_summary,
)
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

NO_MEDS = {
    "benzodiazepines": "no",
    "sedative_hypnotics": "no",
    "psychostimulants": "no",
    "maois": "no",
    "opioids": "yes",
}
CLINIC = {
    "rems.setting_name": "Lakeside Treatment Centre",
    "rems.setting_id": "HS-0042917",
    "rems.prescriber": "Dr J. Okafor",
}


def vitals(sys_: int | None, dia: int | None, spo2: int, rr: int = 14, moaas: int = 5):
    return {
        "systolic": "" if sys_ is None else str(sys_),
        "diastolic": "" if dia is None else str(dia),
        "heart_rate": "76",
        "spo2": str(spo2),
        "resp_rate": str(rr),
        "moaas": str(moaas),
        "dissociation": "no",
        "recorded_by": "AB",
    }


def end(store: SessionStore, clock: ManualClock, sid: int, **given: object) -> None:
    """End as the discharge dialog does: assess the checklist, store its dict."""
    summary = build_summary(SessionRecord.load(store, sid), clock.now())
    values: dict = {
        "aldrete": dict.fromkeys(
            ("activity", "breathing", "circulation", "consciousness", "spo2"), 2
        ),
        "responsible_adult": True,
        "advice_given": True,
        "ended_by": "AB",
        "vitals_ok_leaving": True,
        "ready_to_leave_at": clock.now() - timedelta(minutes=5),
        "serious_adverse_event": False,
        "hcp_name": "Alex Brown, RN",
        **given,
    }
    result = assess(DischargeInput(**values), discharge_context_for(summary, clock.now()))
    store.end_session(sid, "AB", result.to_dict(), ended_at=clock.now())


def run_session(
    store: SessionStore,
    clock: ManualClock,
    patient: str = "MK-301",
    *,
    pre_dose_check: dict[str, str] | None = None,
    pre_dose_check_after_dose: bool = False,
    finish: bool = True,
    **discharge: object,
) -> int:
    """Pre-dose BP 10 min after start, attestation, dose at 16 min, checks, end at 139."""
    service = MonitoringService(store, clock)
    start = clock.now()
    sid = service.start_session(NewSession(patient, ESKETAMINE_REMS, "AB", 70.0)).id
    clock.set(start + timedelta(minutes=2))
    service.log_event(sid, "concomitant_meds", NO_MEDS, "AB")
    clock.set(start + timedelta(minutes=10))
    service.record_check(sid, vitals(128, 82, 98))
    clock.set(start + timedelta(minutes=12))
    if pre_dose_check is not None and not pre_dose_check_after_dose:
        service.log_event(sid, "pre_dose_check", pre_dose_check, "AB")
    clock.set(start + timedelta(minutes=16))
    service.log_event(
        sid,
        "dose",
        {
            "drug": "Esketamine",
            "dose": "56",
            "unit": "mg",
            "route": "Intranasal",
            "lot_number": "EK2291",
        },
        "AB",
    )
    if pre_dose_check is not None and pre_dose_check_after_dose:
        clock.set(start + timedelta(minutes=20))
        service.log_event(sid, "pre_dose_check", pre_dose_check, "AB")
    for minutes, signs in (
        (56, vitals(168, 98, 96, rr=12, moaas=4)),
        (76, vitals(None, None, 97, rr=13)),
        (136, vitals(134, 84, 98)),
    ):
        clock.set(start + timedelta(minutes=minutes))
        service.record_check(sid, signs)
    if finish:
        clock.set(start + timedelta(minutes=139))
        end(store, clock, sid, **discharge)
    return sid


def form(store: SessionStore, clock: ManualClock, sid: int) -> RemsForm:
    rems = load_summary(store, sid, clock.now()).rems
    assert rems is not None
    return rems


@pytest.fixture
def clinic(store: SessionStore) -> SessionStore:
    store.save_settings(CLINIC)
    return store


def test_the_clinic_settings_of_the_form_are_declared_empty_in_the_rems_group() -> None:
    declared = {s.key: s for s in CATALOGUE}
    for key in CLINIC:
        assert declared[key].group == "Esketamine (REMS)"
        assert declared[key].type is str and declared[key].default == ""
    assert resolve_settings(CLINIC)["rems.setting_id"] == "HS-0042917"


def test_a_complete_session_fills_every_field_of_the_updated_form(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes"})
    rems = form(clinic, clock, sid)
    assert rems.missing == ()
    session = clinic.session(sid)
    dose_at = session.started_at + timedelta(minutes=16)
    assert rems.field("dose_time").value == format_local(dose_at, with_date=False)
    assert rems.field("concomitant_opioids").value == "Yes"
    assert rems.field("first_treatment").value == "Yes"
    assert "no earlier esketamine session" in rems.field("first_treatment").source
    assert rems.field("pulse_oximetry").value == "SpO2 96–98 % at 3 checks after dosing"
    assert rems.field("setting_name").value == "Lakeside Treatment Centre"
    assert rems.field("setting_id").value == "HS-0042917"
    assert rems.field("prescriber").value == "Dr J. Okafor"
    assert rems.field("hcp_name").value == "Alex Brown, RN"
    assert rems.field("vitals_ok_predose").value == "Yes"
    attested, bp = (
        format_local(session.started_at + timedelta(minutes=m), with_date=False) for m in (12, 10)
    )
    assert rems.field("vitals_ok_predose").source == (
        f"pre-dose check {attested} by AB, after the pre-dose BP of {bp}"
    )
    # total monitoring: from administration to the end of monitoring, 139 - 16 = 123
    assert rems.field("monitoring_min").value == "123 min"
    assert rems.field("ready_to_leave").value.endswith("(118 min after administration)")


def test_the_clinic_fields_are_missing_until_the_clinic_sets_them(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(store, clock, pre_dose_check={"vitals_ok": "yes"}, hcp_name="")
    assert set(form(store, clock, sid).missing) == {
        "Healthcare setting name",
        "Healthcare setting REMS ID",
        "Prescriber",
        "Healthcare provider completing the form",
    }


def test_the_prescriber_of_the_session_overrides_the_clinic_default(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes"}, prescriber="Dr A. Ng")
    assert form(clinic, clock, sid).field("prescriber").value == "Dr A. Ng"
    assert from_stored(clinic.discharge(sid)).raw["prescriber"] == "Dr A. Ng"


def test_first_treatment_is_no_after_an_earlier_esketamine_session_of_the_same_patient(
    clinic: SessionStore, clock: ManualClock
) -> None:
    run_session(clinic, clock, "MK-301", pre_dose_check={"vitals_ok": "yes"})
    run_session(clinic, clock, "MK-3011", pre_dose_check={"vitals_ok": "yes"})  # another one
    clock.advance(minutes=60)
    iv = MonitoringService(clinic, clock).start_session(
        NewSession("MK-302", IV_KETAMINE, "AB", 70.0)
    )
    clock.advance(timedelta(days=7))
    again = run_session(clinic, clock, "MK-301", pre_dose_check={"vitals_ok": "yes"})
    field = form(clinic, clock, again).field("first_treatment")
    assert field.value == "No"
    assert "1 earlier esketamine session" in field.source
    other = run_session(clinic, clock, "MK-302", pre_dose_check={"vitals_ok": "yes"})
    assert form(clinic, clock, other).field("first_treatment").value == "Yes"  # IV only before
    assert clinic.session(iv.id).protocol_name == IV_KETAMINE


def test_the_nurse_confirms_or_corrects_first_treatment_before_the_dose(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes", "first_treatment": "no"})
    field = form(clinic, clock, sid).field("first_treatment")
    assert field.value == "No"  # treated elsewhere before: the nurse's answer stands
    assert "pre-dose check" in field.source and "no earlier esketamine session" in field.source


def test_vital_signs_before_dosing_are_asked_before_the_dose(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "no"}, vitals_ok_predose=True)
    field = form(clinic, clock, sid).field("vitals_ok_predose")
    assert field.value == "No"  # the answer before the dose, not the one at discharge
    assert field.source.startswith("pre-dose check")


def test_an_attestation_after_the_dose_is_not_a_pre_dose_one(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(
        clinic, clock, pre_dose_check={"vitals_ok": "yes"}, pre_dose_check_after_dose=True
    )
    field = form(clinic, clock, sid).field("vitals_ok_predose")
    assert field.missing
    assert "after the dose" in field.source
    older = run_session(clinic, clock, "MK-400", vitals_ok_predose=True)
    field = form(clinic, clock, older).field("vitals_ok_predose")
    assert field.value == "Yes" and field.source == "discharge checklist (asked after the dose)"


def test_pulse_oximetry_is_missing_without_an_spo2_after_dosing(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes"}, finish=False)
    assert not form(clinic, clock, sid).field("pulse_oximetry").missing
    service = MonitoringService(clinic, clock)
    bare = service.start_session(NewSession("MK-500", ESKETAMINE_REMS, "AB")).id
    service.log_event(
        bare,
        "dose",
        {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"},
        "AB",
    )
    assert form(clinic, clock, bare).field("pulse_oximetry").missing


def test_adverse_events_of_breathing_and_sedation_answer_the_form(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes"}, finish=False)
    service = MonitoringService(clinic, clock)
    assert form(clinic, clock, sid).field("resp_depression").value == "No"
    service.log_event(
        sid, "adverse_event", {"type": "breathing difficulty / respiratory depression"}, "AB"
    )
    field = form(clinic, clock, sid).field("resp_depression")
    assert field.value == "Yes" and field.source.startswith("adverse event")
    service.log_event(sid, "adverse_event", {"type": "dissociation beyond what is expected"}, "AB")
    assert form(clinic, clock, sid).field("dissociation").value == "Yes"


def test_total_monitoring_is_defined_once_from_administration() -> None:
    dose = datetime(2026, 3, 2, 9, 16)
    assert monitoring_minutes(dose, dose + timedelta(minutes=123)) == pytest.approx(123)
    assert monitoring_minutes(None, dose) is None
    assert monitoring_minutes(dose, None) is None


def test_names_on_the_form_are_checked_like_every_staff_text() -> None:
    problems = validate_settings({"rems.setting_name": "Lake\x1b[2Jside"})
    assert "control character" in problems["rems.setting_name"]
    assert validate_settings({"rems.prescriber": "  Dr J. Okafor "}) == {}
    assert validate_name("  Alex Brown ", "hcp_name", "Completed by") == "Alex Brown"
    with pytest.raises(ValidationError, match=r"Completed by: 'x+…' is 121 characters long"):
        validate_name("x" * 121, "hcp_name", "Completed by")


def test_the_pre_dose_check_is_listed_with_what_was_asked_before_dosing(
    clinic: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes"})
    summary = load_summary(clinic, sid, clock.now())
    assert [line.kind for line in summary.concomitant] == ["concomitant_meds", "pre_dose_check"]
    assert summary.concomitant[1].text == (
        "Pre-dose check: vital signs acceptable before dosing yes"
    )
    assert summary.other_events == ()


def test_excessive_sedation_reported_as_an_adverse_event_answers_sedation(
    clinic: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(clinic, clock)
    sid = service.start_session(NewSession("MK-600", ESKETAMINE_REMS, "AB")).id
    service.record_check(sid, vitals(128, 82, 98))
    service.log_event(
        sid,
        "dose",
        {"drug": "Esketamine", "dose": "84", "unit": "mg", "route": "Intranasal"},
        "AB",
    )
    clock.advance(minutes=40)
    service.record_check(sid, vitals(150, 90, 97))  # MOAA/S 5 at the check
    assert form(clinic, clock, sid).field("sedation").value == "No"
    clock.advance(minutes=5)
    words = {"type": "nausea", "text": "no sedation, no breathing difficulty"}
    service.log_event(sid, "adverse_event", words, "AB")
    assert form(clinic, clock, sid).field("sedation").value == "No"  # the coded type counts
    assert form(clinic, clock, sid).field("resp_depression").value == "No"
    service.log_event(sid, "adverse_event", {"type": "excessive sedation"}, "AB")
    field = form(clinic, clock, sid).field("sedation")
    assert field.value == "Yes" and field.source.startswith("adverse event")


def test_the_clinic_identity_is_written_into_the_form_at_discharge(
    clinic: SessionStore, clock: ManualClock
) -> None:
    ended = run_session(clinic, clock, "MK-700", pre_dose_check={"vitals_ok": "yes"})
    still_open = run_session(clinic, clock, "MK-701", finish=False)
    clinic.save_settings({"rems.setting_name": "New Name Clinic", "rems.prescriber": "Dr Z"})
    frozen = form(clinic, clock, ended)
    assert frozen.field("setting_name").value == "Lakeside Treatment Centre"
    assert frozen.field("setting_id").value == "HS-0042917"
    assert frozen.field("prescriber").value == "Dr J. Okafor"
    assert frozen.field("setting_name").source == "clinic settings at discharge"
    draft = form(clinic, clock, still_open)  # not completed yet: today's settings
    assert draft.field("setting_name").value == "New Name Clinic"
    assert draft.field("setting_id").missing
    assert draft.field("prescriber").value == "Dr Z"


@pytest.fixture
def los_angeles(machine_zone: Callable[[str], None]) -> None:
    """The clinic's machine is on Pacific time for the test (TZ, libc and tzlocal alike)."""
    machine_zone("America/Los_Angeles")


def test_the_date_of_an_evening_session_is_the_clinics_date_not_utcs(
    clinic: SessionStore, clock: ManualClock, los_angeles: None
) -> None:
    clock.set(datetime(2026, 12, 2, 3, 30, tzinfo=UTC))  # 19:30 on 1 December in California
    sid = run_session(clinic, clock, pre_dose_check={"vitals_ok": "yes"})
    assert form(clinic, clock, sid).field("date").value == "2026-12-01"
