"""The REMS patient monitoring form (esketamine nasal spray), filled from the record.

Every field of the form (DESIGN.md section 3) gets a value taken from what was recorded
during the session, with the source it came from, or is listed as missing, so the nurse
sees before the patient leaves what the form still needs. The app does not judge: where
the form asks whether something occurred, the answer is read from recorded values
(e.g. a MOAA/S below 5 after the dose) and the source says which one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from session_app.domain.baseline import baseline_check
from session_app.domain.clock import format_local, from_iso, to_local
from session_app.domain.events import CONCOMITANT_CLASSES, PRE_DOSE_CHECK
from session_app.domain.records import SessionEvent
from session_app.domain.session import TreatmentSession
from session_app.domain.vitals import VitalsCheck

BP_40_TARGET_MIN = 40
BP_40_WINDOW_MIN = (30, 55)  # a BP in this window after dosing counts as "about 40 min"
STANDARD_DOSES_MG = (56, 84)

# Concomitant medicines the form asks about: (event detail key, label), from domain.events.
CONCOMITANT = CONCOMITANT_CLASSES


@dataclass(frozen=True)
class RemsField:
    """One form field: its value as it would be written on the form, or None if missing."""

    key: str
    label: str
    value: str | None
    source: str = ""  # where in the record the value came from

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class RemsForm:
    fields: tuple[RemsField, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Labels of the fields the record does not yet fill."""
        return tuple(f.label for f in self.fields if f.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

    def field(self, key: str) -> RemsField:
        return next(f for f in self.fields if f.key == key)


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _bp_text(check: VitalsCheck) -> str:
    return f"{check.signs.systolic}/{check.signs.diastolic} mmHg"


def _at(when: datetime) -> str:
    return format_local(when, with_date=False)


def _detail(details: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        if key in details and details[key] not in (None, ""):
            return details[key]
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("yes", "y", "true", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("no", "n", "false", "0"):
        return False
    return None


def monitoring_minutes(dose_at: datetime | None, end: datetime | None) -> float | None:
    """Total monitoring time as the REMS form defines it: from administration to the end
    of monitoring (not from the session's start). None while either is unknown."""
    if dose_at is None or end is None:
        return None
    return (end - dose_at).total_seconds() / 60


def rems_identity(clinic: Mapping[str, Any]) -> dict[str, str]:
    """The clinic's REMS identity from resolved settings, as the discharge stores it."""
    return {
        "setting_name": str(clinic.get("rems.setting_name") or ""),
        "setting_id": str(clinic.get("rems.setting_id") or ""),
        "prescriber": str(clinic.get("rems.prescriber") or ""),
    }


def _text_field(key: str, label: str, value: object, source: str) -> RemsField:
    text = str(value).strip() if value is not None else ""
    return RemsField(key, label, text or None, source if text else "")


def build_rems(
    session: TreatmentSession,
    checks: Sequence[VitalsCheck],
    events: Sequence[SessionEvent],
    discharge: Mapping[str, Any],
    protocol: Any = None,
    *,
    earlier_sessions: Sequence[TreatmentSession] | None = None,
    clinic: Mapping[str, Any] | None = None,
) -> RemsForm:
    """Fill the form from current (corrected) checks and events and the stored discharge.

    `earlier_sessions` are the patient's earlier esketamine sessions in this store (None
    when the source cannot tell); `clinic` the resolved clinic settings (setting name,
    REMS ID, default prescriber).
    """
    clinic = clinic or {}
    doses = [e for e in events if e.kind == "dose"]
    dose = doses[0] if doses else None
    dose_at = dose.occurred_at if dose else None
    thresholds = getattr(protocol, "thresholds", None)
    rr_low = getattr(thresholds, "rr_low", 10)
    spo2_low = getattr(thresholds, "spo2_low", 92)
    pre_dose = _pre_dose_check(events)
    # Written into the discharge when the form is completed; until then, today's settings.
    signed = "rems_setting_name" in discharge
    identity = (
        {k: discharge.get(f"rems_{k}") for k in ("setting_name", "setting_id")}
        if signed
        else rems_identity(clinic)
    )
    where = "clinic settings at discharge" if signed else "clinic settings"
    fields: list[RemsField] = [
        _text_field("setting_name", "Healthcare setting name", identity["setting_name"], where),
        _text_field("setting_id", "Healthcare setting REMS ID", identity["setting_id"], where),
        RemsField(
            "date", "Date of treatment session", to_local(session.started_at).date().isoformat()
        ),
        RemsField("patient_id", "Patient ID", session.patient_id),
        _prescriber(discharge, clinic),
        _first_treatment(session, earlier_sessions, pre_dose),
    ]

    # Dose, lot and time of administration
    if dose is None:
        fields += [
            RemsField("dose", "Dose", None),
            RemsField("lot", "Lot number", None),
            RemsField("dose_time", "Time of administration", None),
        ]
    else:
        amount = _detail(dose.details, ("dose", "amount"))
        unit = str(dose.details.get("unit", "mg"))
        value: str | None = None
        if amount is not None:
            number = float(amount)
            shown = f"{number:g} {unit}"
            standard = unit == "mg" and number in STANDARD_DOSES_MG
            value = shown if standard else f"Other: {shown}"
        lot = _detail(dose.details, ("lot", "lot_number"))
        src = f"dose logged {_at(dose.occurred_at)} by {dose.recorded_by}"
        fields += [
            RemsField("dose", "Dose", value, src),
            RemsField("lot", "Lot number", str(lot) if lot is not None else None, src),
            RemsField("dose_time", "Time of administration", _at(dose.occurred_at), src),
        ]

    # Concomitant medicines, asked at the start of the session
    meds = [e for e in events if e.kind == "concomitant_meds"]
    med_event = meds[-1] if meds else None
    for key, label in CONCOMITANT:
        answer = _as_bool(med_event.details.get(key)) if med_event else None
        fields.append(
            RemsField(
                f"concomitant_{key}",
                f"Concomitant medicines: {label}",
                None if answer is None else _yes_no(answer),
                f"asked {_at(med_event.occurred_at)}" if med_event else "",
            )
        )

    # Blood pressure at the three points
    with_bp = [c for c in checks if c.signs.systolic is not None and c.signs.diastolic is not None]
    pre_check = baseline_check(checks, dose_at)  # the one the alerts compared with
    if pre_check is not None and dose_at is not None and pre_check.taken_at > dose_at:
        pre_check = None  # marked baseline after the dose: not a BP "before dosing"
    fields.append(
        RemsField(
            "bp_predose",
            "BP before dosing",
            _bp_text(pre_check) if pre_check else None,
            f"check {_at(pre_check.taken_at)}" if pre_check else "",
        )
    )
    fields.append(_vitals_ok_predose(pre_dose, pre_check, discharge, dose_at))
    at40: VitalsCheck | None = None
    if dose_at is not None:
        low, high = (dose_at + timedelta(minutes=m) for m in BP_40_WINDOW_MIN)
        window = [c for c in with_bp if low <= c.taken_at <= high]
        target = dose_at + timedelta(minutes=BP_40_TARGET_MIN)
        at40 = min(window, key=lambda c: abs(c.taken_at - target), default=None)
    fields.append(
        RemsField(
            "bp_40min",
            "BP about 40 min after dosing",
            _bp_text(at40) if at40 else None,
            f"check {_at(at40.taken_at)} ({(at40.taken_at - dose_at).total_seconds() / 60:.0f}"
            " min after dosing)"
            if at40 and dose_at
            else "",
        )
    )
    after = [c for c in with_bp if at40 is not None and c.taken_at > at40.taken_at]
    leaving = after[-1] if after else None
    fields.append(
        RemsField(
            "bp_before_leaving",
            "BP before leaving",
            _bp_text(leaving) if leaving else None,
            f"last check {_at(leaving.taken_at)}" if leaving else "",
        )
    )

    post = [c for c in checks if dose_at is not None and c.taken_at > dose_at]
    fields += [
        _pulse_oximetry(post),
        _occurred_sedation(post, _reported(events, dose_at, "excessive sedation")),
        _occurred_dissociation(post, events, dose_at),
        _occurred_resp_depression(
            post,
            rr_low,
            spo2_low,
            _reported(events, dose_at, "breathing difficulty / respiratory depression"),
        ),
    ]
    leaving_ok = discharge.get("vitals_ok_leaving")
    fields.append(
        RemsField(
            "vitals_ok_leaving",
            "Vital signs acceptable before leaving",
            None if leaving_ok is None else _yes_no(bool(leaving_ok)),
            "discharge checklist" if leaving_ok is not None else "",
        )
    )

    # Total monitoring time: from administration to the end of monitoring (session end)
    ended = session.ended_at
    minutes = monitoring_minutes(dose_at, ended)
    fields.append(
        RemsField(
            "monitoring_min",
            "Total monitoring time",
            f"{minutes:.0f} min" if minutes is not None else None,
            f"administration {_at(dose_at)} to end of monitoring {_at(ended)}"
            if dose_at and ended
            else "",
        )
    )
    ready = discharge.get("ready_to_leave_at")
    ready_at = from_iso(ready) if ready else None
    after = monitoring_minutes(dose_at, ready_at)
    fields.append(
        RemsField(
            "ready_to_leave",
            "Patient ready to leave at",
            (
                format_local(ready_at)
                + (f" ({after:.0f} min after administration)" if after is not None else "")
            )
            if ready_at
            else None,
            "discharge checklist" if ready_at else "",
        )
    )
    fields.append(_serious_adverse_events(events, discharge))
    fields.append(
        _text_field(
            "hcp_name",
            "Healthcare provider completing the form",
            discharge.get("hcp_name"),
            "discharge checklist",
        )
    )
    return RemsForm(tuple(fields))


def _pre_dose_check(events: Sequence[SessionEvent]) -> SessionEvent | None:
    """The latest pre-dose check (the nurse's attestation); whether it came before the
    dose is for the reader to judge (_vitals_ok_predose)."""
    checks = [e for e in events if e.kind == PRE_DOSE_CHECK]
    return max(checks, key=lambda e: (e.occurred_at, e.id), default=None)


def _prescriber(discharge: Mapping[str, Any], clinic: Mapping[str, Any]) -> RemsField:
    named = str(discharge.get("prescriber") or "").strip()
    if named:
        return RemsField("prescriber", "Prescriber", named, "recorded at discharge")
    return _text_field(
        "prescriber", "Prescriber", clinic.get("rems.prescriber"), "clinic settings (default)"
    )


def _first_treatment(
    session: TreatmentSession,
    earlier: Sequence[TreatmentSession] | None,
    pre_dose: SessionEvent | None,
) -> RemsField:
    """Derived from this store's earlier esketamine sessions of the patient; the nurse's
    answer at the pre-dose check stands over it (a patient treated elsewhere before)."""
    label = "First treatment"
    derived: bool | None = None
    found = ""
    if earlier is not None:
        derived = not earlier
        if earlier:
            plural = "s" if len(earlier) > 1 else ""
            latest = to_local(earlier[-1].started_at).date().isoformat()
            found = f"{len(earlier)} earlier esketamine session{plural} in this store ({latest})"
        else:
            found = f"no earlier esketamine session of {session.patient_id} in this store"
    answer = _as_bool(pre_dose.details.get("first_treatment")) if pre_dose else None
    if answer is not None and pre_dose is not None:
        by = f"pre-dose check {_at(pre_dose.occurred_at)} by {pre_dose.recorded_by}"
        return RemsField(
            "first_treatment", label, _yes_no(answer), f"{by}; {found}" if found else by
        )
    if derived is None:
        return RemsField("first_treatment", label, None)
    return RemsField("first_treatment", label, _yes_no(derived), found)


def _vitals_ok_predose(
    pre_dose: SessionEvent | None,
    pre_check: VitalsCheck | None,
    discharge: Mapping[str, Any],
    dose_at: datetime | None,
) -> RemsField:
    """Asked before the dose, with the pre-dose BP; the discharge checklist's answer (asked
    after the dose, as before issue 15) counts only when there is no pre-dose one."""
    key, label = "vitals_ok_predose", "Vital signs acceptable before dosing"
    late = ""
    if pre_dose is not None:
        answer = _as_bool(pre_dose.details.get("vitals_ok"))
        before = dose_at is None or pre_dose.occurred_at <= dose_at
        if answer is not None and before:
            src = f"pre-dose check {_at(pre_dose.occurred_at)} by {pre_dose.recorded_by}"
            if pre_check is not None and pre_check.taken_at <= pre_dose.occurred_at:
                src += f", after the pre-dose BP of {_at(pre_check.taken_at)}"
            else:
                src += ", before any pre-dose BP"
            return RemsField(key, label, _yes_no(answer), src)
        if not before:
            late = f"pre-dose check {_at(pre_dose.occurred_at)} was after the dose"
    attested = discharge.get(key)
    if attested is not None:
        return RemsField(
            key, label, _yes_no(bool(attested)), "discharge checklist (asked after the dose)"
        )
    return RemsField(key, label, None, late)


def _pulse_oximetry(post: Sequence[VitalsCheck]) -> RemsField:
    """Respiratory status with pulse oximetry, required at every session: the SpO2
    readings after dosing (and the respiratory rate where recorded)."""
    label = "Respiratory status (pulse oximetry)"
    spo2 = [c for c in post if c.signs.spo2 is not None]
    if not spo2:
        return RemsField("pulse_oximetry", label, None)
    values = [c.signs.spo2 for c in spo2 if c.signs.spo2 is not None]
    low, high = min(values), max(values)
    span = f"{low:g}" if low == high else f"{low:g}–{high:g}"
    plural = "s" if len(spo2) > 1 else ""
    value = f"SpO2 {span} % at {len(spo2)} check{plural} after dosing"
    rates = [c.signs.resp_rate for c in post if c.signs.resp_rate is not None]
    source = f"checks {_at(spo2[0].taken_at)}–{_at(spo2[-1].taken_at)}"
    if rates:
        lo, hi = min(rates), max(rates)
        source += f"; RR {lo:g}–{hi:g} /min" if lo != hi else f"; RR {lo:g} /min"
    return RemsField("pulse_oximetry", label, value, source)


def _reported(
    events: Sequence[SessionEvent], dose_at: datetime | None, coded: str, *, or_text: str = ""
) -> list[SessionEvent]:
    """Adverse events after the dose of the coded type (events.ADVERSE_TYPES), or, with
    `or_text`, whose type or description names it (how dissociation was read before the
    coded choice existed)."""
    return [
        e
        for e in events
        if e.kind == "adverse_event"
        and (
            e.details.get("type") == coded
            or (
                bool(or_text)
                and or_text in f"{e.details.get('type', '')} {e.details.get('text', '')}".lower()
            )
        )
        and (dose_at is None or e.occurred_at >= dose_at)
    ]


def _occurred_sedation(
    post: Sequence[VitalsCheck], reported: Sequence[SessionEvent] = ()
) -> RemsField:
    label = "Sedation occurred"
    rated = [c for c in post if c.signs.moaas is not None]
    if reported and not any(c.signs.moaas is not None and c.signs.moaas < 5 for c in rated):
        return RemsField("sedation", label, "Yes", f"adverse event {_at(reported[0].occurred_at)}")
    if not rated:
        return RemsField("sedation", label, None)
    low = min(rated, key=lambda c: (c.signs.moaas, c.taken_at))
    if low.signs.moaas is not None and low.signs.moaas < 5:
        return RemsField(
            "sedation", label, "Yes", f"MOAA/S {low.signs.moaas} at {_at(low.taken_at)}"
        )
    return RemsField("sedation", label, "No", f"MOAA/S 5 at all {len(rated)} checks after dosing")


def _occurred_dissociation(
    post: Sequence[VitalsCheck], events: Sequence[SessionEvent], dose_at: datetime | None
) -> RemsField:
    label = "Dissociation occurred"
    rated = [c for c in post if c.signs.dissociation is not None or c.signs.cadss is not None]
    yes = [c for c in rated if c.signs.dissociation or (c.signs.cadss or 0) > 0]
    reported = _reported(
        events, dose_at, "dissociation beyond what is expected", or_text="dissociat"
    )
    if yes:
        first = yes[0]
        what = "observed" if first.signs.dissociation else f"CADSS {first.signs.cadss}"
        return RemsField("dissociation", label, "Yes", f"{what} at {_at(first.taken_at)}")
    if reported:
        return RemsField(
            "dissociation", label, "Yes", f"adverse event {_at(reported[0].occurred_at)}"
        )
    if not rated:
        return RemsField("dissociation", label, None)
    return RemsField("dissociation", label, "No", f"not observed at {len(rated)} checks")


def _occurred_resp_depression(
    post: Sequence[VitalsCheck],
    rr_low: float,
    spo2_low: float,
    reported: Sequence[SessionEvent] = (),
) -> RemsField:
    label = "Respiratory depression occurred"
    if reported:
        return RemsField(
            "resp_depression", label, "Yes", f"adverse event {_at(reported[0].occurred_at)}"
        )
    rated = [c for c in post if c.signs.resp_rate is not None or c.signs.spo2 is not None]
    if not rated:
        return RemsField("resp_depression", label, None)
    for c in rated:
        if c.signs.resp_rate is not None and c.signs.resp_rate < rr_low:
            return RemsField(
                "resp_depression",
                label,
                "Yes",
                f"RR {c.signs.resp_rate} /min at {_at(c.taken_at)} (below {rr_low:g})",
            )
        if c.signs.spo2 is not None and c.signs.spo2 < spo2_low:
            return RemsField(
                "resp_depression",
                label,
                "Yes",
                f"SpO2 {c.signs.spo2} % at {_at(c.taken_at)} (below {spo2_low:g})",
            )
    return RemsField(
        "resp_depression",
        label,
        "No",
        f"RR ≥ {rr_low:g} /min and SpO2 ≥ {spo2_low:g} % at {len(rated)} checks",
    )


def _serious_adverse_events(
    events: Sequence[SessionEvent], discharge: Mapping[str, Any]
) -> RemsField:
    label = "Serious adverse events"
    serious = [
        e
        for e in events
        if e.kind == "adverse_event" and _as_bool(e.details.get("serious")) is True
    ]
    if serious:
        text = "; ".join(
            str(e.details.get("text") or e.details.get("type") or "adverse event") for e in serious
        )
        return RemsField("serious_ae", label, f"Yes: {text}", "adverse events logged")
    attested = discharge.get("serious_adverse_event")
    if attested is None:
        return RemsField("serious_ae", label, None)
    return RemsField("serious_ae", label, _yes_no(bool(attested)), "discharge checklist")
