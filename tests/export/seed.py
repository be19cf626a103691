"""Realistic sessions written through the real store API (also used by the screenshot scene).

`seed_rems_session` is a complete esketamine (REMS) session: baseline, dose 84 mg with lot,
concomitant medicines, BP at ~40 min with an acknowledged rise alert, an adverse event, an
intervention, a note, a corrected check, and the end with a discharge checklist.
"""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.clock import ManualClock
from session_app.domain.discharge import DischargeInput, assess
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE, preset
from session_app.domain.session import NewSession
from session_app.domain.summary import SessionRecord, build_summary, discharge_context_for
from session_app.domain.vitals import VitalSigns
from session_app.store import SessionStore


def _signs(bp: tuple[int, int] | None, hr: int, spo2: int, rr: int, moaas: int, **more: object):
    sys_, dia = bp if bp else (None, None)
    return VitalSigns(
        systolic=sys_,
        diastolic=dia,
        heart_rate=hr,
        spo2=spo2,
        on_oxygen=False,
        resp_rate=rr,
        moaas=moaas,
        recorded_by=str(more.pop("by", "AB")),
        **more,  # type: ignore[arg-type]
    )


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

    session = store.start_session(
        NewSession(patient_id, ESKETAMINE_REMS, "AB", 72.0),
        protocol=preset(ESKETAMINE_REMS).to_dict(),
        started_at=start,
    )
    sid = session.id
    clock.set(at(2))
    if complete:
        store.add_event(
            sid,
            "concomitant_meds",
            "AB",
            {
                "benzodiazepines": False,
                "sedative_hypnotics": False,
                "psychostimulants": True,
                "maois": False,
            },
        )
    clock.set(at(5))
    store.add_check(
        sid,
        _signs(
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
        is_baseline=True,
    )
    clock.set(at(10))
    dose = {"drug": "Esketamine", "dose": 84.0, "unit": "mg", "route": "Intranasal"}
    if complete:
        dose["lot_number"] = "LOT-2217A"
    store.add_event(sid, "dose", "AB", dose)
    dose_at = at(10)

    def check(minutes: float, signs: VitalSigns, **kw: object):
        clock.set(dose_at + timedelta(minutes=minutes))
        return store.add_check(sid, signs, **kw)  # type: ignore[arg-type]

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
        alert = store.add_alert(
            sid,
            check_id=peak.id,
            severity="alert",
            rule="sys_rise",
            measure="systolic",
            value=176,
            message="Systolic BP 176 mmHg is 48 mmHg above baseline 128 (alert at +40)",
        )
        clock.advance(minutes=2)
        store.acknowledge_alert(alert.id, "AB")
    clock.set(dose_at + timedelta(minutes=45))
    store.add_event(
        sid,
        "adverse_event",
        "AB",
        {"type": "nausea", "text": "mild, no vomiting", "serious": False},
    )
    clock.advance(minutes=1)
    store.add_event(sid, "intervention", "AB", {"medication": "Ondansetron", "dose": "4 mg"})
    check(60, _signs((158, 96), 82, 97, 13, 5, dissociation=False, nausea=1))
    typo = check(90, _signs((140, 88), 76, 79, 14, 5, dissociation=False))
    low = store.add_alert(
        sid,
        check_id=typo.id,
        severity="alert",
        rule="spo2_low",
        measure="spo2",
        value=79,
        message="SpO2 79 % is below 92 %",
    )
    clock.advance(minutes=1)
    store.acknowledge_alert(low.id, "AB")
    clock.advance(minutes=1)
    store.add_check(
        sid,
        _signs((140, 88), 76, 97, 14, 5, dissociation=False),
        taken_at=typo.taken_at,
        corrects_id=typo.id,
        correction_reason="typing error: SpO2 97, not 79",
    )
    clock.set(dose_at + timedelta(minutes=95))
    store.add_event(sid, "note", "AB", {"text": "Resting, music on, talking calmly"})
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
    start = clock.now()
    session = store.start_session(
        NewSession(patient_id, IV_KETAMINE, "CD", 80.0),
        protocol=preset(IV_KETAMINE).to_dict(),
        started_at=start,
    )
    sid = session.id
    clock.advance(minutes=3)
    store.add_check(sid, _signs((122, 78), 70, 99, 14, 5), is_baseline=True)
    clock.advance(minutes=5)
    store.add_event(
        sid,
        "dose",
        "CD",
        {"drug": "Ketamine", "dose": 0.5, "unit": "mg/kg", "route": "IV infusion"},
    )
    store.add_event(sid, "infusion_start", "CD", {"rate": 100.0, "rate_unit": "mL/h"})
    clock.advance(minutes=15)
    store.add_check(sid, _signs((138, 86), 78, 98, 13, 4, dissociation=True))
    return sid
