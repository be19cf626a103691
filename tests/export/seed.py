"""Realistic sessions written through the real service (also used by the screenshot scene).

`seed_rems_session` is a complete esketamine (REMS) session: baseline, dose 84 mg with lot,
concomitant medicines, BP at ~40 min with an acknowledged rise alert, an adverse event, an
intervention, a note, a corrected check, and the end with a discharge checklist.

Checks go through MonitoringService (tests/seeding.py), so their alerts, due times and
lateness are the ones the rules give, as in the app.
"""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.clock import ManualClock
from session_app.domain.discharge import DischargeInput, assess
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.summary import SessionRecord, build_summary, discharge_context_for
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.seeding import record, typed


def _signs(bp: tuple[int, int] | None, hr: int, spo2: int, rr: int, moaas: int, **more: object):
    """A check's values by name, as tests/seeding.record takes them."""
    sys_, dia = bp if bp else (None, None)
    return {
        "systolic": sys_,
        "diastolic": dia,
        "heart_rate": hr,
        "spo2": spo2,
        "on_oxygen": False,
        "resp_rate": rr,
        "moaas": moaas,
        "recorded_by": more.pop("by", "AB"),
        **more,
    }


def seed_rems_session(
    store: SessionStore,
    clock: ManualClock,
    *,
    patient_id: str = "MK-221",
    complete: bool = True,
    end: bool = True,
) -> int:
    """A whole REMS session; `complete=False` leaves out the lot, the concomitant medicines,
    the ~40 min BP and the discharge attestations (what the REMS form will then miss)."""
    start = clock.now()

    def at(minutes: float):
        return start + timedelta(minutes=minutes)

    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession(patient_id, ESKETAMINE_REMS, "AB", 72.0)).id
    clock.set(at(2))
    if complete:
        service.log_event(
            sid,
            "concomitant_meds",
            typed(
                benzodiazepines=False,
                sedative_hypnotics=False,
                psychostimulants=True,
                maois=False,
                opioids=False,
            ),
            "AB",
        )
    clock.set(at(5))
    record(
        service,
        sid,
        **_signs(
            (128, 82),
            74,
            98,
            14,
            5,
            temperature_c=36.7,
            dissociation=False,
            anxiety=4,
            nausea=0,
            pain=1,
        ),
    )
    clock.set(at(10))
    dose = {"drug": "Esketamine", "dose": 84.0, "unit": "mg", "route": "Intranasal"}
    if complete:
        dose["lot_number"] = "LOT-2217A"
    service.log_event(sid, "dose", typed(**dose), "AB")
    dose_at = at(10)

    def check(minutes: float, values: dict[str, object]):
        clock.set(dose_at + timedelta(minutes=minutes))
        return record(service, sid, **values)

    check(15, _signs((142, 88), 80, 97, 14, 4, dissociation=True, anxiety=2))
    if complete:
        peak = check(
            40,
            _signs(
                (176, 104),
                88,
                96,
                12,
                4,
                dissociation=True,
                nausea=3,
                note="Feels floaty, eyes closed",
            ),
        )
        [alert] = peak.alerts  # the systolic rise over the baseline
        clock.advance(minutes=2)
        service.acknowledge(alert.id, "AB")
    clock.set(dose_at + timedelta(minutes=45))
    service.log_event(
        sid, "adverse_event", typed(type="nausea", text="mild, no vomiting", serious=False), "AB"
    )
    clock.advance(minutes=1)
    service.log_event(sid, "intervention", {"medication": "Ondansetron", "dose": "4 mg"}, "AB")
    check(60, _signs((158, 96), 82, 97, 13, 5, dissociation=False, nausea=1))
    typo_values = _signs((140, 88), 76, 79, 14, 5, dissociation=False)
    typo = check(90, typo_values)
    [low] = typo.alerts  # SpO2 below the threshold
    clock.advance(minutes=1)
    service.acknowledge(low.id, "AB")
    clock.advance(minutes=1)
    service.correct_check(
        typo.check.id,
        typed(**{**typo_values, "spo2": 97}),
        reason="typing error: SpO2 97, not 79",
        recorded_by="AB",
    )
    clock.set(dose_at + timedelta(minutes=95))
    service.log_event(sid, "note", {"text": "Resting, music on, talking calmly"}, "AB")
    check(
        118,
        _signs(
            (134, 84),
            72,
            98,
            14,
            5,
            temperature_c=36.8,
            dissociation=False,
            anxiety=1,
            nausea=0,
            pain=0,
        ),
    )
    if end:
        clock.set(dose_at + timedelta(minutes=125))
        end_with_checklist(store, sid, clock, attest=complete)
    return sid


def end_with_checklist(
    store: SessionStore, sid: int, clock: ManualClock, *, attest: bool = True
) -> None:
    """End a session the way the discharge dialog does: assess, then store.end_session."""
    summary = build_summary(SessionRecord.load(store, sid), clock.now())
    context = discharge_context_for(summary, clock.now())
    given = DischargeInput(
        aldrete={"activity": 2, "breathing": 2, "circulation": 2, "consciousness": 2, "spo2": 2},
        responsible_adult=True,
        advice_given=True,
        ended_by="AB",
        vitals_ok_predose=True if attest else None,
        vitals_ok_leaving=True if attest else None,
        ready_to_leave_at=clock.now() if attest else None,
        serious_adverse_event=False if attest else None,
    )
    result = assess(given, context)
    store.end_session(sid, "AB", result.to_dict(), ended_at=clock.now())


def seed_iv_session(store: SessionStore, clock: ManualClock, patient_id: str = "JD-104") -> int:
    """A short IV ketamine session with an infusion, left open."""
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession(patient_id, IV_KETAMINE, "CD", 80.0)).id
    clock.advance(minutes=3)
    record(service, sid, **_signs((122, 78), 70, 99, 14, 5))
    clock.advance(minutes=5)
    service.log_event(
        sid, "dose", typed(drug="Ketamine", dose=0.5, unit="mg/kg", route="IV infusion"), "CD"
    )
    service.log_event(sid, "infusion_start", typed(rate=100.0, rate_unit="mL/h"), "CD")
    clock.advance(minutes=15)
    record(service, sid, **_signs((138, 86), 78, 98, 13, 4, dissociation=True))
    return sid
