"""A session fed by a patient monitor, written the real way (issue 17's export tests).

The NIBP arrives as a GE-profile HL7 message (devices.profiles) through the real Inbox,
becomes a proposed check and is recorded by the nurse (MonitoringService.record_proposed);
the 1 Hz HR and SpO2 come from a pulse oximeter (Inbox.accept_samples, the serial path);
one typed check stays typed. Real SQLite file, no mock of our own code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from session_app.devices.inbox import Inbox
from session_app.devices.oru import parse_message
from session_app.devices.profiles import GE, MessageContext, build_oru, control_id
from session_app.devices.samples import DeviceSample
from session_app.devices.simulator import ARTEFACT_DIASTOLIC, ARTEFACT_SYSTOLIC, NibpReading
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

TYPED = {"systolic": "128", "diastolic": "78", "heart_rate": "72", "spo2": "98",
         "resp_rate": "14", "moaas": "5", "recorded_by": "ab"}  # fmt: skip
OXIMETER = "/dev/ttyUSB0:nonin"
MINUTE = timedelta(minutes=1)
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
GE_DEVICE = GE.device  # OBX-18 of the GE profile: "080019FFFE5E1700^B40_GE"


@dataclass(frozen=True)
class MonitorSeed:
    session_id: int
    started_at: datetime
    typed_check_id: int
    monitor_check_id: int


def oximeter_values(start: datetime, seconds: int, *, every_s: int = 1) -> list[DeviceSample]:
    """HR and SpO2 once a second (or every `every_s`): SpO2 96-99, HR 70-79."""
    out: list[DeviceSample] = []
    for s in range(0, seconds, every_s):
        at = start + timedelta(seconds=s)
        out.append(DeviceSample("spo2", 96 + s % 4, "%", "NONIN SPO2", OXIMETER, at, "serial"))
        hr = 70 + s % 10
        out.append(DeviceSample("heart_rate", hr, "/min", "NONIN HR", OXIMETER, at, "serial"))
    return out


def seed_monitor_session(
    store: SessionStore,
    clock: ManualClock,
    *,
    trace_minutes: int = 20,
    every_s: int = 1,
    end: bool = True,
    monitor_behind: timedelta = timedelta(0),
) -> MonitorSeed:
    """A session (ended unless `end` is False; trace_minutes >= 16): a typed baseline at
    1 min, the dose at 5, an NIBP from the GE monitor at 15 (its clock `monitor_behind`
    the room's) recorded by CD at 16, and `trace_minutes` of oximeter values (two of them
    implausible)."""
    service = MonitoringService(store, clock)
    inbox = Inbox(store)
    started = clock.now()
    sid = service.start_session(NewSession("JD", ESKETAMINE_REMS, "AB", 72.0)).id
    values = oximeter_values(started, trace_minutes * 60, every_s=every_s)
    values += [  # a probe pulled off twice: stored, flagged implausible
        DeviceSample("spo2", v, "%", "NONIN SPO2", OXIMETER, started + timedelta(seconds=s),
                     "serial")
        for s, v in ((30, 20), (31, 30))
    ]  # fmt: skip
    typed_id = monitor_id = 0
    for minute in range(1, trace_minutes + 1):
        clock.set(started + timedelta(minutes=minute))
        # the oximeter's values of the minute past, as the serial reader hands them in
        batch = [v for v in values if (v.observed_at - started) // MINUTE == minute - 1]
        assert inbox.accept_samples(batch) == len(batch)
        if minute == 1:
            typed_id = service.record_check(sid, TYPED).check.id
        elif minute == 5:
            service.log_event(sid, "dose", DOSE, "AB")
        elif minute == 15:
            nibp = NibpReading(at_s=900, systolic=142, diastolic=88, mean=106, pulse_rate=80)
            ctx = MessageContext("JD", clock.now() - monitor_behind, control_id(started, 1))
            ack = inbox.handle(build_oru("ge", nibp, ctx), "127.0.0.1")
            assert parse_message(ack)["MSA.F1"] == "AA"
        elif minute == 16:
            [proposal] = service.proposed_checks(sid)
            # the monitor's NIBP set has no SpO2: the nurse adds it, with the MOAA/S
            extra = {"moaas": "5", "spo2": "97"}
            monitor_id = service.record_proposed(proposal.id, extra, "cd").check.id
    clock.advance(minutes=1)
    if end:
        store.end_session(sid, "AB")
    return MonitorSeed(sid, started, typed_id, monitor_id)


def send_nibp(
    store: SessionStore,
    clock: ManualClock,
    systolic: int,
    diastolic: int,
    *,
    number: int,
    device: str = GE_DEVICE,
) -> None:
    """One NIBP (with its pulse) from the GE monitor at the clock's time, sent through the
    real Inbox as the GE profile's ORU^R01 (OBX-18 `device`); the ACK must be AA."""
    nibp = NibpReading(at_s=0, systolic=systolic, diastolic=diastolic, mean=100, pulse_rate=80)
    ctx = MessageContext("JD", clock.now(), control_id(clock.now(), number))
    if device == GE_DEVICE:
        message = build_oru("ge", nibp, ctx)
    else:  # the GE profile's message, another device name in OBX-18
        message = replace(GE, device=device).oru(nibp, ctx)
    ack = Inbox(store).handle(message, "127.0.0.1")
    assert parse_message(ack)["MSA.F1"] == "AA"


def seed_monitor_artefact(
    store: SessionStore,
    clock: ManualClock,
    *,
    sets: tuple[tuple[int, int], ...] = ((ARTEFACT_SYSTOLIC, ARTEFACT_DIASTOLIC),),
    device: str = GE_DEVICE,
) -> tuple[MonitorSeed, list[datetime]]:
    """seed_monitor_session (its good NIBP of minute 15 recorded as a check), then each
    of `sets` (systolic, diastolic) from the monitor a minute apart from minute 17 (by
    default the simulator's motion artefact, 312/15: outside SYS 40-300 and DIA 20-200;
    250/30 is within them, so it is proposed), then the session ends; the seed and each
    set's time."""
    seeded = seed_monitor_session(store, clock, trace_minutes=16, end=False)
    times = []
    for number, (systolic, diastolic) in enumerate(sets, start=100):
        times.append(clock.now())
        send_nibp(store, clock, systolic, diastolic, number=number, device=device)
        clock.advance(minutes=1)
    store.end_session(seeded.session_id, "AB")
    return seeded, times
