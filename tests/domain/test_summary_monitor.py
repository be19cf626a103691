"""The summary of a session the patient monitor fed (issue 17): which checks came from the
monitor and from which device, and the 1 Hz trace as min/max per 15-min interval.

Built from a real store, fed through the real Inbox and MonitoringService."""

from __future__ import annotations

from datetime import timedelta

from session_app.devices.inbox import Inbox
from session_app.devices.samples import DeviceSample
from session_app.domain.clock import ManualClock
from session_app.domain.summary import device_label, load_summary
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.export.monitor_seed import (
    GE_DEVICE,
    OXIMETER,
    seed_monitor_artefact,
    seed_monitor_session,
)
from tests.export.service_seed import seed_session


def test_a_check_recorded_from_the_monitor_is_marked_with_its_device(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock)
    summary = load_summary(store, seeded.session_id, clock.now())
    lines = {line.check.id: line for line in summary.checks}
    monitor, typed = lines[seeded.monitor_check_id], lines[seeded.typed_check_id]
    assert monitor.from_monitor and monitor.devices == ("B40_GE (080019FFFE5E1700)",)
    assert monitor.check.signs.recorded_by == "CD"  # the nurse who confirmed it
    assert not typed.from_monitor and typed.devices == ()


def test_the_continuous_values_are_summarised_per_15_minutes_with_the_implausible_counted(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=20)
    summary = load_summary(store, seeded.session_id, clock.now())
    trace = summary.monitor
    assert trace is not None
    start = seeded.started_at
    rows = [
        (i.start - start, i.measure, i.low, i.high, i.count, i.implausible)
        for i in trace.intervals
    ]
    first, second = timedelta(0), timedelta(minutes=15)
    assert rows == [
        (first, "heart_rate", 70, 79, 900, 0),
        (first, "spo2", 96, 99, 900, 2),  # the two flagged are counted apart
        # the NIBP message's cuff pulse (80 /min at 15:00) is a spot value: in the proposed
        # check, not in the continuous values (codes.toml [spot])
        (second, "heart_rate", 70, 79, 300, 0),
        (second, "spo2", 96, 99, 300, 0),
    ]
    # the last interval ends with the session, not 15 minutes after its start
    assert trace.intervals[-1].end == summary.session.ended_at
    assert trace.implausible == (("spo2", 2),)
    assert set(trace.devices) == {device_label(OXIMETER), device_label(GE_DEVICE)}


def test_a_session_without_device_data_has_no_monitor_section(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_session(store, clock)
    summary = load_summary(store, seeded.session_id, clock.now())
    assert summary.monitor is None
    assert not any(line.from_monitor for line in summary.checks)


def test_a_correction_of_a_monitor_check_keeps_its_origin(
    store: SessionStore, clock: ManualClock, service: MonitoringService
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16, end=False)
    corrected = service.correct_check(
        seeded.monitor_check_id,
        {"systolic": "140", "diastolic": "88", "heart_rate": "80", "spo2": "97", "moaas": "5"},
        reason="cuff reading misheard",
        recorded_by="cd",
    ).check
    summary = load_summary(store, seeded.session_id, clock.now())
    [line] = [c for c in summary.checks if c.check.id == corrected.id]
    assert line.from_monitor and line.devices == ("B40_GE (080019FFFE5E1700)",)


def test_device_names_read_as_a_person_would_say_them() -> None:
    assert device_label("080019FFFE5E1700^B40_GE") == "B40_GE (080019FFFE5E1700)"
    assert device_label("5E1A00FFFE001700^^5E1A00FFFE001700^EUI-64") == "5E1A00FFFE001700"
    assert device_label("/dev/ttyUSB0:nonin") == "/dev/ttyUSB0:nonin"


def test_an_interval_with_only_implausible_values_is_listed_with_no_range(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16, end=False)
    clock.set(seeded.started_at + timedelta(minutes=40))
    off = DeviceSample("spo2", 12, "%", "NONIN SPO2", OXIMETER, clock.now(), "serial")
    assert Inbox(store).accept_samples([off]) == 1
    trace = load_summary(store, seeded.session_id, clock.now()).monitor
    assert trace is not None
    last = trace.intervals[-1]
    assert (last.start - seeded.started_at, last.measure) == (timedelta(minutes=30), "spo2")
    assert (last.low, last.high, last.count, last.implausible) == (None, None, 0, 1)
    assert trace.implausible == (("spo2", 3),)


def test_an_nibp_set_aside_is_listed_with_its_time_values_device_and_why(
    store: SessionStore, clock: ManualClock
) -> None:
    """The good NIBP (142/88, recorded as a check) is not listed; the cuff error is, with
    the stored systolic and diastolic it was made of."""
    seeded, [at] = seed_monitor_artefact(store, clock)
    summary = load_summary(store, seeded.session_id, clock.now())
    assert summary.monitor is not None
    [aside] = summary.monitor.set_aside
    assert (aside.observed_at, aside.values_text, aside.device, aside.reason) == (
        at,
        "312/15 mmHg",
        "B40_GE (080019FFFE5E1700)",
        "outside the plausibility limits",
    )
    by_id = {o.id: o for o in store.device_observations(seeded.session_id)}
    assert [(by_id[i].measure, by_id[i].value) for i in aside.observation_ids] == [
        ("systolic", 312),
        ("diastolic", 15),
    ]


def test_each_set_aside_nibp_says_why_and_a_good_undecided_one_is_not_listed(
    store: SessionStore, clock: ManualClock
) -> None:
    # 250/30 is within the plausibility limits (SYS 40-300, DIA 20-200): proposed, not set aside
    seeded, times = seed_monitor_artefact(store, clock, sets=((0, 0), (250, 30), (90, 95)))
    summary = load_summary(store, seeded.session_id, clock.now())
    assert summary.monitor is not None
    assert [(a.observed_at, a.values_text, a.reason) for a in summary.monitor.set_aside] == [
        (times[0], "0/0 mmHg", "outside the plausibility limits"),
        (times[2], "90/95 mmHg", "diastolic not below systolic"),
    ]


def test_a_monitor_session_without_an_artefact_sets_nothing_aside(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock)
    summary = load_summary(store, seeded.session_id, clock.now())
    assert summary.monitor is not None and summary.monitor.set_aside == ()
