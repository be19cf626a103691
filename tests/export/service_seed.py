"""A short esketamine session written through MonitoringService over a real store, for the
issue 15 export tests (alerts file, FHIR resources): every kind of record they export.

Baseline, dose, a check whose systolic rise raises an alert (acknowledged), a SpO2 typo
whose alert a correction resolves, an adverse event, MOAA/S and CADSS at each check.
"""

from __future__ import annotations

from dataclasses import dataclass

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

VITALS = {
    "systolic": "128",
    "diastolic": "80",
    "heart_rate": "72",
    "spo2": "98",
    "resp_rate": "14",
    "moaas": "5",
    "cadss": "0",
    "recorded_by": "ab",
}


@dataclass(frozen=True)
class Seeded:
    session_id: int
    rise_alert_id: int
    spo2_alert_id: int
    correction_id: int


def seed_session(store: SessionStore, clock: ManualClock, *, drug: str = "Esketamine") -> Seeded:
    """The session described above; `drug` "Ketamine" gives an IV ketamine session."""
    service = MonitoringService(store, clock)
    preset = ESKETAMINE_REMS if drug == "Esketamine" else IV_KETAMINE
    sid = service.start_session(NewSession("MK-221", preset, "AB", 72.0)).id
    clock.advance(minutes=5)
    service.record_check(sid, VITALS)  # baseline
    clock.advance(minutes=5)
    route = "Intranasal" if drug == "Esketamine" else "IV infusion"
    amount = "84" if drug == "Esketamine" else "35"
    service.log_event(
        sid, "dose", {"drug": drug, "dose": amount, "unit": "mg", "route": route}, "AB"
    )
    clock.advance(minutes=40)
    rise = service.record_check(
        sid, {**VITALS, "systolic": "176", "diastolic": "96", "moaas": "3", "cadss": "21"}
    )
    [rise_alert] = [a for a in rise.alerts if a.measure == "systolic"]
    clock.advance(minutes=2)
    service.acknowledge(rise_alert.id, "cd")
    clock.advance(minutes=3)
    service.log_event(
        sid, "adverse_event", {"type": "nausea", "text": "mild", "serious": "no"}, "AB"
    )
    clock.advance(minutes=10)
    typo = service.record_check(sid, {**VITALS, "spo2": "79", "moaas": "4", "cadss": "8"})
    [spo2_alert] = typo.alerts
    clock.advance(minutes=2)
    fixed = service.correct_check(
        typo.check.id,
        {**VITALS, "moaas": "4", "cadss": "8"},
        reason="typed 79 for 98",
        recorded_by="cd",
    )
    return Seeded(sid, rise_alert.id, spo2_alert.id, fixed.check.id)
