"""FHIR R4 bundle: validates with fhir.resources; BP is one panel with two components."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from session_app.domain.clock import ManualClock, from_iso
from session_app.domain.summary import SessionRecord
from session_app.export.fhir import bundle, write_fhir
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session


def _codes(resource) -> set[str]:
    return {c.code for c in resource.code.coding}


def test_bundle_validates_and_carries_the_vital_signs(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    path = write_fhir(SessionRecord.load(store, sid), tmp_path / "s.json", clock.now())
    parsed = Bundle.model_validate(json.loads(path.read_text(encoding="utf-8")))
    assert parsed.type == "collection"
    observations = [e.resource for e in parsed.entry]
    assert all(o.__resource_type__ == "Observation" for o in observations)
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
    assert {from_iso(e["resource"]["effectiveDateTime"]) for e in data["entry"]} == taken
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(urls) == len(set(urls))
