"""FHIR Observations of a check recorded from the monitor carry the device (a Device in the
Bundle, referenced by Observation.device) and Observation.method (issue 17); a value the
nurse typed into that check, typed checks and the scores are exported as before."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle

from session_app.domain.clock import ManualClock
from session_app.domain.summary import SessionRecord
from session_app.export.fhir import MONITORING_PROCEDURE, SNOMED, bundle
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.export.monitor_seed import GE_DEVICE, seed_monitor_session
from tests.export.service_seed import seed_session


def resources(record: SessionRecord, clock: ManualClock) -> dict[str, dict[str, Any]]:
    """fullUrl -> resource."""
    return {e["fullUrl"]: e["resource"] for e in bundle(record, clock.now())["entry"]}


def of_check(found: dict[str, dict[str, Any]], check_id: int) -> dict[str, dict[str, Any]]:
    """The check's Observations by their key (bp, heart-rate, spo2, moaas...)."""
    prefix = f"-c{check_id}-"
    return {
        r["id"].split(prefix, 1)[1]: r
        for r in found.values()
        if r["resourceType"] == "Observation" and prefix in r["id"]
    }


def test_monitor_observations_reference_a_device_and_say_the_method(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    found = resources(SessionRecord.load(store, seeded.session_id), clock)
    [(device_url, device)] = [(u, r) for u, r in found.items() if r["resourceType"] == "Device"]
    assert device["deviceName"] == [
        {"name": "B40_GE (080019FFFE5E1700)", "type": "user-friendly-name"}
    ]
    assert device["identifier"][0]["value"] == GE_DEVICE
    obs = of_check(found, seeded.monitor_check_id)
    for key in ("bp", "heart-rate"):
        name = device["deviceName"][0]["name"]
        assert obs[key]["device"] == {"reference": device_url, "display": name}
        method = obs[key]["method"]
        code, display = MONITORING_PROCEDURE
        assert method["coding"] == [{"system": SNOMED, "code": code, "display": display}]
        assert method["text"] == "Recorded from the patient monitor (HL7 v2)"
        assert obs[key]["performer"] == [{"display": "CD"}]  # the nurse who confirmed it
    # SpO2 and MOAA/S were typed by the nurse into the proposed check: no device
    for key in ("spo2", "moaas"):
        assert "device" not in obs[key] and "method" not in obs[key]


def test_typed_checks_carry_no_device_or_method(store: SessionStore, clock: ManualClock) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    found = resources(SessionRecord.load(store, seeded.session_id), clock)
    typed = of_check(found, seeded.typed_check_id)
    assert typed and all("device" not in r and "method" not in r for r in typed.values())


def test_a_value_corrected_by_the_nurse_is_no_longer_the_monitors(
    store: SessionStore, clock: ManualClock, service: MonitoringService
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16, end=False)
    corrected = service.correct_check(
        seeded.monitor_check_id,
        {"systolic": "140", "diastolic": "88", "heart_rate": "80", "spo2": "97", "moaas": "5"},
        reason="cuff reading misheard",
        recorded_by="cd",
    ).check
    obs = of_check(resources(SessionRecord.load(store, seeded.session_id), clock), corrected.id)
    assert obs["bp"]["status"] == "amended" and "device" not in obs["bp"]
    assert "device" in obs["heart-rate"]  # still the monitor's 80


def test_a_session_without_a_monitor_exports_no_device(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_session(store, clock)
    found = resources(SessionRecord.load(store, seeded.session_id), clock)
    assert all(r["resourceType"] != "Device" for r in found.values())
    assert all("device" not in r and "method" not in r for r in found.values())


def test_the_bundle_with_a_device_validates(store: SessionStore, clock: ManualClock) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    record = SessionRecord.load(store, seeded.session_id)
    parsed = Bundle.model_validate(bundle(record, clock.now()))
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds.count("Device") == 1
