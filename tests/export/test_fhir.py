"""FHIR R4 bundle: validates with fhir.resources; BP is one panel with two components."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from session_app.domain.clock import ManualClock, from_iso
from session_app.domain.summary import SessionRecord
from session_app.export.fhir import (
    APP_CODES,
    RXNORM_ESKETAMINE,
    RXNORM_KETAMINE,
    bundle,
    write_fhir,
)
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session
from tests.export.service_seed import seed_session


def _codes(resource) -> set[str]:
    return {c.code for c in resource.code.coding}


def test_bundle_validates_and_carries_the_vital_signs(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    path = write_fhir(SessionRecord.load(store, sid), tmp_path / "s.json", clock.now())
    parsed = Bundle.model_validate(json.loads(path.read_text(encoding="utf-8")))
    assert parsed.type == "collection"
    observations = [
        e.resource
        for e in parsed.entry
        if e.resource.__resource_type__ == "Observation"
        and e.resource.category[0].coding[0].code == "vital-signs"
    ]
    for obs in observations:
        assert obs.category[0].coding[0].code == "vital-signs"
        assert obs.subject.identifier.value == "MK-221"
        assert obs.effectiveDateTime is not None
    panels = [o for o in observations if "85354-9" in _codes(o)]
    assert len(panels) == 6  # one per current check with a BP (the correction replaces one)
    for panel in panels:
        assert panel.valueQuantity is None
        components = {c.code.coding[0].code: c.valueQuantity for c in panel.component}
        assert set(components) == {"8480-6", "8462-4"}
        assert {q.code for q in components.values()} == {"mm[Hg]"}
        assert {q.system for q in components.values()} == {"http://unitsofmeasure.org"}
    first = min(panels, key=lambda p: p.effectiveDateTime)
    values = {c.code.coding[0].code: c.valueQuantity.value for c in first.component}
    assert values == {"8480-6": 128, "8462-4": 82}
    heart = [o for o in observations if _codes(o) == {"8867-4"}]
    assert len(heart) == 6 and {o.valueQuantity.code for o in heart} == {"/min"}
    spo2 = [o for o in observations if "2708-6" in _codes(o)]
    assert all("59408-5" in _codes(o) for o in spo2) and {o.valueQuantity.code for o in spo2} == {
        "%"
    }
    assert 79 not in [o.valueQuantity.value for o in spo2]  # the corrected typo is not exported
    amended = [o for o in spo2 if o.status == "amended"]
    assert [o.valueQuantity.value for o in amended] == [97]
    temps = [o for o in observations if _codes(o) == {"8310-5"}]
    assert {o.valueQuantity.code for o in temps} == {"Cel"}


def test_effective_times_match_the_checks(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_rems_session(store, clock)
    data = bundle(SessionRecord.load(store, sid), clock.now())
    taken = {c.taken_at for c in store.checks(sid)}
    observed = [
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    assert {from_iso(r["effectiveDateTime"]) for r in observed} == taken
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(urls) == len(set(urls))


def _resources(data: dict) -> list:
    parsed = Bundle.model_validate(data)
    return [e.resource for e in parsed.entry]


def _of_type(resources: list, kind: str) -> list:
    return [r for r in resources if r.__resource_type__ == kind]


def test_moaas_and_cadss_are_observations_under_the_apps_code_system(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_session(store, clock).session_id
    resources = _resources(bundle(SessionRecord.load(store, sid), clock.now()))
    scores = {
        (o.code.coding[0].code, o.valueInteger)
        for o in _of_type(resources, "Observation")
        if o.code.coding[0].system == APP_CODES
    }
    # three current checks (the typo is replaced by its correction); MOAA/S 5, 3, 4
    assert scores == {
        ("moaas", 5),
        ("moaas", 3),
        ("moaas", 4),
        ("cadss", 0),
        ("cadss", 21),
        ("cadss", 8),
    }
    moaas = [o for o in _of_type(resources, "Observation") if _codes(o) == {"moaas"}]
    assert len(moaas) == 3
    assert {o.category[0].coding[0].code for o in moaas} == {"survey"}
    assert all(o.subject.identifier.value == "MK-221" for o in moaas)


@pytest.mark.parametrize(
    ("drug", "rxcui", "route"),
    [("Esketamine", RXNORM_ESKETAMINE, "Intranasal"), ("Ketamine", RXNORM_KETAMINE, "IV infusion")],
)
def test_the_dose_is_a_medication_administration_with_its_rxnorm_code(
    store: SessionStore, clock: ManualClock, drug: str, rxcui: str, route: str
) -> None:
    sid = seed_session(store, clock, drug=drug).session_id
    record = SessionRecord.load(store, sid)
    [dose_event] = [e for e in record.events if e.kind == "dose"]
    [given] = _of_type(_resources(bundle(record, clock.now())), "MedicationAdministration")
    assert given.status == "completed"
    [coding] = given.medicationCodeableConcept.coding
    assert (coding.system, coding.code) == ("http://www.nlm.nih.gov/research/umls/rxnorm", rxcui)
    assert given.medicationCodeableConcept.text == drug
    assert given.effectiveDateTime == dose_event.occurred_at
    assert given.subject.identifier.value == "MK-221"
    assert given.dosage.dose.value == dose_event.details["dose"]
    assert (given.dosage.dose.code, given.dosage.route.text) == ("mg", route)


def test_a_drug_without_a_known_code_is_named_in_text_only(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_session(store, clock, drug="Ketamine").session_id
    MonitoringService(store, clock).log_event(
        sid, "dose", {"drug": "Midazolam", "dose": "2", "unit": "mg", "route": "IV bolus"}, "AB"
    )
    resources = _resources(bundle(SessionRecord.load(store, sid), clock.now()))
    given = _of_type(resources, "MedicationAdministration")
    other = next(g for g in given if g.medicationCodeableConcept.text == "Midazolam")
    assert other.medicationCodeableConcept.coding is None


def test_an_adverse_event_is_an_adverse_event_resource(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_session(store, clock).session_id
    record = SessionRecord.load(store, sid)
    [stored] = [e for e in record.events if e.kind == "adverse_event"]
    [event] = _of_type(_resources(bundle(record, clock.now())), "AdverseEvent")
    assert event.actuality == "actual"
    assert event.event.coding[0].code == "nausea"
    assert event.event.coding[0].system == APP_CODES
    assert event.date == stored.occurred_at
    assert event.subject.identifier.value == "MK-221"
    assert event.seriousness.coding[0].code == "non-serious"
