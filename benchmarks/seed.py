"""Sessions for the scenarios, written through the app's own service and store.

`clinical_session` is what a nurse produces: checks typed every few minutes through
MonitoringService (validation, alerts, schedule), a dose, notes. `monitor_session` is
the stress case of issue 7: 8 hours of one-second data for 6 series "as if a monitor fed
it"; 28,800 checks written one transaction each (synchronous=FULL) would take minutes,
so those rows go in one bulk transaction on a second connection to the same file, in
the store's own columns.
"""

from __future__ import annotations

import math
import random
import sqlite3
from datetime import timedelta
from typing import Any

from session_app.domain.clock import ManualClock, to_iso
from session_app.domain.discharge import DischargeInput, assess
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE, preset
from session_app.domain.session import NewSession
from session_app.domain.summary import SessionRecord, build_summary, discharge_context_for
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore


def vitals_at(rng: random.Random, minute: float) -> dict[str, str]:
    """Plausible values with a post-dose BP bump (peaks around 40 min), as typed text."""
    bump = 44 * math.exp(-(((minute - 40) / 35) ** 2)) if minute > 0 else 0
    return {
        "systolic": str(int(126 + bump + rng.gauss(0, 4))),
        "diastolic": str(int(80 + bump * 0.5 + rng.gauss(0, 3))),
        "heart_rate": str(int(74 + bump * 0.3 + rng.gauss(0, 3))),
        "spo2": str(min(100, int(97 + rng.gauss(0, 1)))),
        "on_oxygen": "no",
        "resp_rate": str(int(14 + rng.gauss(0, 1))),
        "moaas": "4" if 0 < minute < 60 else "5",
        "dissociation": "yes" if 0 < minute < 50 else "no",
        "anxiety": "2",
        "note": "",
        "recorded_by": "AB",
    }


def clinical_session(
    store: SessionStore,
    service: MonitoringService,
    clock: ManualClock,
    *,
    hours: float = 8.0,
    every_min: float = 5.0,
    end: bool = True,
    patient_id: str = "BM-801",
) -> int:
    """A whole session typed by a nurse: baseline, dose, a check every `every_min`."""
    rng = random.Random(801)
    session = service.start_session(NewSession(patient_id, IV_KETAMINE, "AB", 70.0))
    sid = session.id
    clock.advance(minutes=5)
    service.record_check(sid, vitals_at(rng, -10) | {"temperature_c": "36.7"})
    clock.advance(minutes=5)
    service.log_event(
        sid, "dose", {"drug": "Ketamine", "dose": "35", "unit": "mg", "route": "IV bolus"}, "AB"
    )
    minute = 0.0
    while minute + every_min <= hours * 60:
        clock.advance(minutes=every_min)
        minute += every_min
        raw = vitals_at(rng, minute)
        if int(minute) % 60 == 0:
            raw["note"] = f"Hour {int(minute) // 60}: resting, music on"
        saved = service.record_check(sid, raw)
        for alert in saved.alerts:
            service.acknowledge(alert.id, "AB")
        if int(minute) % 120 == 0:
            service.log_event(sid, "note", {"text": "Comfortable, talking calmly"}, "AB")
    if end:
        clock.advance(minutes=2)
        end_with_checklist(store, sid, clock)
    return sid


def end_with_checklist(store: SessionStore, sid: int, clock: ManualClock) -> None:
    """End a session the way the discharge dialog does: assess, then store.end_session."""
    summary = build_summary(SessionRecord.load(store, sid), clock.now())
    given = DischargeInput(
        aldrete={"activity": 2, "breathing": 2, "circulation": 2, "consciousness": 2, "spo2": 2},
        responsible_adult=True,
        advice_given=True,
        ended_by="AB",
    )
    result = assess(given, discharge_context_for(summary, clock.now()))
    store.end_session(sid, "AB", result.to_dict(), ended_at=clock.now())


def history(store: SessionStore, service: MonitoringService, clock: ManualClock, n: int) -> None:
    """`n` ended two-hour sessions, as a clinic's store holds after some weeks."""
    for index in range(n):
        clinical_session(store, service, clock, hours=2, every_min=15, patient_id=f"HX-{index:03d}")
        clock.advance(timedelta(days=1))


def _esketamine_session(store: SessionStore, clock: ManualClock, patient: str) -> Any:
    """An open esketamine session started now, written straight to the store."""
    return store.start_session(
        NewSession(patient, ESKETAMINE_REMS, "AB", 70.0),
        protocol=preset(ESKETAMINE_REMS).to_dict(),
        started_at=clock.now(),
    )


def monitor_session(store: SessionStore, clock: ManualClock, *, hours: float = 8.0) -> int:
    """An open session with one check per second for `hours` (6 series), plus a dose."""
    rng = random.Random(28800)
    session = _esketamine_session(store, clock, "BM-1HZ")
    start = clock.now()
    store.add_event(
        session.id,
        "dose",
        "AB",
        {"drug": "Esketamine", "dose": 84.0, "unit": "mg", "route": "Intranasal"},
        occurred_at=start + timedelta(minutes=5),
    )
    rows = []
    for second in range(int(hours * 3600)):
        minute = second / 60 - 5
        when = to_iso(start + timedelta(seconds=second))
        v = vitals_at(rng, minute)
        rows.append(
            (
                session.id,
                when,
                when,
                int(second == 0),
                int(v["systolic"]),
                int(v["diastolic"]),
                int(v["heart_rate"]),
                int(v["spo2"]),
                int(v["resp_rate"]),
                round(36.6 + rng.gauss(0, 0.1), 1),
                "MON",
            )
        )
    conn = sqlite3.connect(store.path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO vitals_checks (session_id, taken_at, entered_at, is_baseline, systolic,"
            " diastolic, heart_rate, spo2, resp_rate, temperature_c, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    clock.set(start + timedelta(hours=hours))
    return session.id


# One numerics message a second, as a GE monitor sends it (tests/devices/messages.py):
# ECG heart rate, pulse rate, SpO2 and RR, each one device observation.
NUMERICS_ROWS = (
    ("heart_rate", "/min", "MDC 147842"),
    ("heart_rate", "/min", "MDC 149530"),
    ("spo2", "%", "MDC 150456"),
    ("resp_rate", "/min", "MDC 151562"),
)


def device_backlog(store: SessionStore, clock: ManualClock, *, seconds: int) -> int:
    """`seconds` of 1 Hz monitor numerics in an open session, written as the inbox stores
    them (a device_messages row and four device_observations per second) in one bulk
    transaction on a second connection; the number of rows written."""
    rng = random.Random(3600)
    session = _esketamine_session(store, clock, "BM-DEV")
    start = clock.now()
    device = "00A0D9FFFE123456^GE^00A0D9FFFE123456^EUI-64"
    conn = sqlite3.connect(store.path, isolation_level=None)
    written = 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        for second in range(seconds):
            when = to_iso(start + timedelta(seconds=second))
            message = conn.execute(
                "INSERT INTO device_messages (session_id, sender, control_id, sent_at,"
                " received_at, peer, outcome) VALUES (?, 'GE_CARESCAPE', ?, ?, ?, '127.0.0.1',"
                " 'AA')",
                (session.id, f"GE{second:07d}", when, when),
            ).lastrowid
            v = vitals_at(rng, second / 60 - 5)
            conn.executemany(
                "INSERT INTO device_observations (session_id, message_id, measure, value, unit,"
                " code, device, source, observed_at, received_at) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, 'hl7', ?, ?)",
                [
                    (session.id, message, name, float(v[name]), unit, code, device, when, when)
                    for name, unit, code in NUMERICS_ROWS
                ],
            )
            written += 1 + len(NUMERICS_ROWS)
        conn.execute("COMMIT")
    finally:
        conn.close()
    clock.set(start + timedelta(seconds=seconds))
    return written
