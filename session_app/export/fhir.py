"""FHIR R4 export: a Bundle (type "collection") of the session's Observations, its doses
as MedicationAdministration and its adverse events as AdverseEvent.

Follows the R4 vital-signs profile (DESIGN.md section 3): category `vital-signs`, LOINC
codes, UCUM units, blood pressure as one panel (85354-9) with systolic (8480-6) and
diastolic (8462-4) components, `effectiveDateTime` per check, and the pseudonymous
patient ID as the subject's identifier (no Patient resource: the app holds no name).
Only current values are exported; a corrected check is exported as its correction with
status "amended". Sedation (MOAA/S) and dissociation (CADSS) have no LOINC code named in
DESIGN.md, so they are Observations (category "survey") coded in the app's own code system
(APP_CODES); a clinic can map those codes. A dose is a MedicationAdministration (RxNorm code
for ketamine and esketamine), an adverse event an AdverseEvent (actuality "actual"). Ids are
derived from the session and record ids, so exporting the same session twice gives the
same bundle (apart from its timestamp).

A value recorded from the patient monitor (a proposed check the nurse recorded, issue 17)
says so: its Observation references the monitor, a `Device` entry of the Bundle named as
the device names itself (OBX-18, else MSH-3), in `Observation.device`, and carries
`Observation.method`. A value the nurse typed or changed in that check is exported as
typed, without them; the scores are always typed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from session_app.devices.samples import CLOCK_SKEW_WORDS
from session_app.domain.clock import to_iso
from session_app.domain.corrections import current
from session_app.domain.dose import stored_amount
from session_app.domain.events import ADVERSE_EVENT, DOSE, describe
from session_app.domain.records import SessionEvent
from session_app.domain.summary import DeviceValue, SessionRecord, device_label
from session_app.domain.vitals import VitalsCheck
from session_app.export import write_atomically

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
PATIENT_ID_SYSTEM = "urn:session-app:patient-id"  # a clinic may map this to its own system
PROFILE = "http://hl7.org/fhir/StructureDefinition/"
APP_CODES = "urn:session-app:codes"  # the app's own codes: MOAA/S, CADSS, adverse event types
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# RxNorm (NLM) concept ids. Ketamine: ingredient (TTY IN) 6130, as the CLIF project's
# ELF mapping cites it (MED_INT ketamine -> RxNorm/6130). Esketamine: the app records only
# the nasal spray, "esketamine Nasal Spray" (TTY SCDF) 2201623, per the RxNorm concept page
# https://ndclist.com/rxnorm/rxcui/2201623 (RxNorm release of May 2026).
RXNORM_KETAMINE = "6130"
RXNORM_ESKETAMINE = "2201623"
_DRUG_CODES = {
    "esketamine": (RXNORM_ESKETAMINE, "esketamine Nasal Spray"),
    "ketamine": (RXNORM_KETAMINE, "ketamine"),
}
SNOMED = "http://snomed.info/sct"
# Observation.method of a value from the monitor: SNOMED CT 239516002 "Monitoring procedure
# (regime/therapy)", the code the HL7 Vital Signs IG (STU1, respiratoryRateMeasMethodVS,
# https://hl7.org/fhir/us/vitals/STU1/ValueSet-respiratoryRateMeasMethodVS.html) lists for
# a value measured by a monitor; the text says which feed.
MONITORING_PROCEDURE = ("239516002", "Monitoring procedure (regime/therapy)")
METHOD_TEXT = {
    "hl7": "Recorded from the patient monitor (HL7 v2)",
    "serial": "Recorded from the pulse oximeter (serial line)",
}
DEVICE_ID_SYSTEM = "urn:session-app:device"  # the device's name as it sent it
SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
SCORES: tuple[tuple[str, str], ...] = (
    ("moaas", "Sedation (MOAA/S 0–5)"),
    ("cadss", "Dissociation (CADSS total 0–92)"),
)
_NAMESPACE = uuid.UUID("6f1b8f0e-3f55-4c1e-9d0e-5a7c2b9e4d11")


@dataclass(frozen=True)
class Quantity:
    """A single-valued vital sign: where it comes from and how FHIR names it."""

    measure: str
    codes: tuple[tuple[str, str], ...]  # (LOINC code, display); the first is the main code
    text: str
    unit: str
    ucum: str
    profile: str


QUANTITIES: tuple[Quantity, ...] = (
    Quantity("heart_rate", (("8867-4", "Heart rate"),), "Heart rate", "/min", "/min", "heartrate"),
    Quantity(
        "resp_rate",
        (("9279-1", "Respiratory rate"),),
        "Respiratory rate",
        "/min",
        "/min",
        "resprate",
    ),
    Quantity(
        "spo2",
        (
            ("2708-6", "Oxygen saturation in Arterial blood"),
            ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
        ),
        "SpO2",
        "%",
        "%",
        "oxygensat",
    ),
    Quantity(
        "temperature_c",
        (("8310-5", "Body temperature"),),
        "Body temperature",
        "Cel",
        "Cel",
        "bodytemp",
    ),
    Quantity(
        "pain",
        (("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),),
        "Pain 0–10",
        "{score}",
        "{score}",
        "",
    ),
)
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = ("8480-6", "Systolic blood pressure")
BP_DIASTOLIC = ("8462-4", "Diastolic blood pressure")


def _coding(code: str, display: str) -> dict[str, str]:
    return {"system": LOINC, "code": code, "display": display}


def _quantity(value: float, unit: str, ucum: str) -> dict[str, Any]:
    number: int | float = int(value) if float(value).is_integer() else float(value)
    return {"value": number, "unit": unit, "system": UCUM, "code": ucum}


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(p) for p in parts))}"


def _observation(
    record: SessionRecord,
    check: VitalsCheck,
    key: str,
    codes: tuple[tuple[str, str], ...],
    text: str,
    profile: str,
) -> dict[str, Any]:
    profiles = [PROFILE + "vitalsigns"] + ([PROFILE + profile] if profile else [])
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"s{record.session.id}-c{check.id}-{key.replace('_', '-')}",
        "meta": {"profile": profiles},
        "status": "amended" if check.corrects_id is not None else "final",
        "category": [
            {
                "coding": [
                    {"system": CATEGORY_SYSTEM, "code": "vital-signs", "display": "Vital Signs"}
                ],
                "text": "Vital Signs",
            }
        ],
        "code": {"coding": [_coding(c, d) for c, d in codes], "text": text},
        "subject": {
            "identifier": {"system": PATIENT_ID_SYSTEM, "value": record.session.patient_id}
        },
        "effectiveDateTime": to_iso(check.taken_at),
        "issued": to_iso(check.entered_at),
    }
    if check.signs.recorded_by:
        observation["performer"] = [{"display": check.signs.recorded_by}]
    if check.is_baseline:
        observation["note"] = [{"text": "Baseline (before dosing)"}]
    return observation


def _device_url(record: SessionRecord, device: str) -> str:
    return _urn(record.session.id, "device", device)


def devices(record: SessionRecord) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl, Device) for each device a current check's exported value came from."""
    names: dict[str, None] = {}
    for check in current(record.checks):
        for value in _monitor_values(record, check).values():
            names.setdefault(value.device)
    return [
        (
            _device_url(record, name),
            {
                "resourceType": "Device",
                "id": f"s{record.session.id}-device-{number}",
                "identifier": [{"system": DEVICE_ID_SYSTEM, "value": name}],
                "deviceName": [{"name": device_label(name), "type": "user-friendly-name"}],
            },
        )
        for number, name in enumerate(names, start=1)
    ]


def _from_monitor(
    record: SessionRecord, observation: dict[str, Any], origin: DeviceValue | None
) -> None:
    """Mark an Observation as the monitor's: its device and the method."""
    if origin is None:
        return
    observation["device"] = {
        "reference": _device_url(record, origin.device),
        "display": device_label(origin.device),
    }
    observation["method"] = {
        "coding": [{"system": SNOMED, "code": MONITORING_PROCEDURE[0],
                    "display": MONITORING_PROCEDURE[1]}],
        "text": METHOD_TEXT.get(origin.source, "Recorded from the patient monitor"),
    }  # fmt: skip
    if origin.clock_skew:  # effectiveDateTime is the monitor's time, as sent
        note = f"Monitor clock differed: when the reading came in, {CLOCK_SKEW_WORDS}."
        observation.setdefault("note", []).append({"text": note})


def _monitor_values(record: SessionRecord, check: VitalsCheck) -> dict[str, DeviceValue]:
    """Measure -> the device value the check holds unchanged (a value the nurse typed or
    changed is not the monitor's)."""
    found: dict[str, DeviceValue] = {}
    for value in record.monitor_origin(check):
        typed = getattr(check.signs, value.measure, None)
        if typed is not None and float(typed) == float(value.value):
            found.setdefault(value.measure, value)
    return found


def observations(record: SessionRecord) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl, Observation) for every current measurement of the session."""
    out: list[tuple[str, dict[str, Any]]] = []
    sid = record.session.id
    for check in current(record.checks):
        signs = check.signs
        monitor = _monitor_values(record, check)
        if signs.systolic is not None and signs.diastolic is not None:
            obs = _observation(record, check, "bp", (BP_PANEL,), "Blood pressure", "bp")
            obs["component"] = [
                {
                    "code": {"coding": [_coding(*BP_SYSTOLIC)], "text": "Systolic"},
                    "valueQuantity": _quantity(signs.systolic, "mmHg", "mm[Hg]"),
                },
                {
                    "code": {"coding": [_coding(*BP_DIASTOLIC)], "text": "Diastolic"},
                    "valueQuantity": _quantity(signs.diastolic, "mmHg", "mm[Hg]"),
                },
            ]
            both = "systolic" in monitor and "diastolic" in monitor
            _from_monitor(record, obs, monitor["systolic"] if both else None)
            out.append((_urn(sid, check.id, "bp"), obs))
        for spec in QUANTITIES:
            value = getattr(signs, spec.measure)
            if value is None:
                continue
            obs = _observation(record, check, spec.measure, spec.codes, spec.text, spec.profile)
            obs["valueQuantity"] = _quantity(value, spec.unit, spec.ucum)
            if spec.measure == "spo2" and signs.on_oxygen is not None:
                obs.setdefault("note", []).append(
                    {"text": "On supplemental oxygen" if signs.on_oxygen else "On room air"}
                )
            _from_monitor(record, obs, monitor.get(spec.measure))
            out.append((_urn(sid, check.id, spec.measure), obs))
    return out


def _subject(record: SessionRecord) -> dict[str, Any]:
    return {"identifier": {"system": PATIENT_ID_SYSTEM, "value": record.session.patient_id}}


def scores(record: SessionRecord) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl, Observation) for each current MOAA/S and CADSS value."""
    out: list[tuple[str, dict[str, Any]]] = []
    sid = record.session.id
    for check in current(record.checks):
        for measure, text in SCORES:
            value = getattr(check.signs, measure)
            if value is None:
                continue
            obs: dict[str, Any] = {
                "resourceType": "Observation",
                "id": f"s{sid}-c{check.id}-{measure}",
                "status": "amended" if check.corrects_id is not None else "final",
                "category": [
                    {"coding": [{"system": CATEGORY_SYSTEM, "code": "survey", "display": "Survey"}]}
                ],
                "code": {
                    "coding": [{"system": APP_CODES, "code": measure, "display": text}],
                    "text": text,
                },
                "subject": _subject(record),
                "effectiveDateTime": to_iso(check.taken_at),
                "issued": to_iso(check.entered_at),
                "valueInteger": int(value),
            }
            if check.signs.recorded_by:
                obs["performer"] = [{"display": check.signs.recorded_by}]
            out.append((_urn(sid, check.id, measure), obs))
    return out


def _drug(name: str) -> dict[str, Any]:
    """The drug as typed, with its RxNorm code when it is one the app knows (the field is
    free text: "Esketamine" and "ketamine" are known, anything else is sent as text only)."""
    concept: dict[str, Any] = {"text": name}
    if (known := _DRUG_CODES.get(name.strip().lower())) is not None:
        concept["coding"] = [{"system": RXNORM, "code": known[0], "display": known[1]}]
    return concept


def _administration(record: SessionRecord, event: SessionEvent) -> dict[str, Any]:
    """The dose in mg when it is known (a mg/kg dose with the weight it used), else as
    given; the dosage text says how it was computed (domain.dose)."""
    details = event.details
    amount = stored_amount(details)
    if amount is not None and amount.mg is not None:
        dose = _quantity(amount.mg, "mg", "mg")
    else:
        dose = _quantity(float(details["dose"]), details["unit"], details["unit"])
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": f"s{record.session.id}-e{event.id}-dose",
        "status": "completed",
        "medicationCodeableConcept": _drug(str(details.get("drug", ""))),
        "subject": _subject(record),
        "effectiveDateTime": to_iso(event.occurred_at),
        "performer": [{"actor": {"display": event.recorded_by}}],
        "dosage": {
            "route": {"text": str(details.get("route", ""))},
            "dose": dose,
        },
    }
    if amount is not None:
        resource["dosage"]["text"] = amount.text
    if details.get("lot_number"):
        resource["note"] = [{"text": f"Lot number {details['lot_number']}"}]
    return resource


def _adverse_event(record: SessionRecord, event: SessionEvent) -> dict[str, Any]:
    kind = str(event.details.get("type", "other"))
    serious = bool(event.details.get("serious", False))
    return {
        "resourceType": "AdverseEvent",
        "id": f"s{record.session.id}-e{event.id}-ae",
        "actuality": "actual",
        "event": {
            "coding": [{"system": APP_CODES, "code": kind, "display": kind.capitalize()}],
            "text": describe(event),
        },
        "subject": _subject(record),
        "date": to_iso(event.occurred_at),
        "recordedDate": to_iso(event.entered_at),
        "recorder": {"display": event.recorded_by},
        "seriousness": {
            "coding": [
                {
                    "system": SERIOUSNESS,
                    "code": "serious" if serious else "non-serious",
                    "display": "Serious" if serious else "Non-serious",
                }
            ]
        },
    }


def event_resources(record: SessionRecord) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl, resource) for each dose (MedicationAdministration) and adverse event
    (AdverseEvent) in force (a corrected entry is sent as its correction)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for event in current(record.events):
        if event.kind == DOSE:
            out.append((_urn(record.session.id, "e", event.id), _administration(record, event)))
        elif event.kind == ADVERSE_EVENT:
            out.append((_urn(record.session.id, "e", event.id), _adverse_event(record, event)))
    return out


def bundle(record: SessionRecord, now: Callable[[], datetime] | datetime) -> dict[str, Any]:
    """The Bundle as a JSON-ready dict."""
    when = now() if callable(now) else now
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"session/{record.session.id}")),
        "type": "collection",
        "timestamp": to_iso(when),
        "identifier": {
            "system": "urn:session-app:session",
            "value": f"{record.session.patient_id}/{record.session.id}",
        },
        "entry": [
            {"fullUrl": url, "resource": resource}
            for url, resource in (
                *devices(record),
                *observations(record),
                *scores(record),
                *event_resources(record),
            )
        ],
    }


def bundle_json(record: SessionRecord, now: datetime) -> str:
    return json.dumps(bundle(record, now), indent=2, ensure_ascii=False) + "\n"


def write_fhir(
    record: SessionRecord,
    path: Path | str,
    now: datetime,
    *,
    replace: bool = False,
    protected: Iterable[Path] = (),
) -> Path:
    """Write the Bundle as a new file (see export.write_atomically)."""
    data = bundle_json(record, now).encode("utf-8")
    return write_atomically(path, data, replace=replace, protected=protected)
