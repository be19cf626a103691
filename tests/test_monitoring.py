"""MonitoringService against the real SQLite store, with the manual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE, Protocol, preset
from session_app.domain.schedule import DueState
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
NORMAL = {
    "systolic": "128",
    "diastolic": "78",
    "heart_rate": "72",
    "spo2": "98",
    "on_oxygen": "no",
    "resp_rate": "14",
    "temperature_c": "36.8",
    "moaas": "5",
    "recorded_by": "ab",
}


def start(service: MonitoringService, protocol: str = ESKETAMINE_REMS) -> int:
    return service.start_session(NewSession("JD-104", protocol, "AB", 72.0)).id


def test_start_session_snapshots_the_preset_with_the_clinic_settings(
    service: MonitoringService, store: SessionStore
) -> None:
    store.save_settings({"rems.post_dose_check_min": 45, "thresholds.hr_high": 120})
    session_id = start(service)
    expected = preset(ESKETAMINE_REMS, {"rems.post_dose_check_min": 45, "thresholds.hr_high": 120})
    assert store.session(session_id).protocol == expected.to_dict()
    assert service.protocol(session_id) == expected
    assert service.protocol(session_id).fixed_checks[0].at_min == 45


def test_unknown_protocol_is_refused(service: MonitoringService, store: SessionStore) -> None:
    with pytest.raises(ValidationError, match="'Magic' is not a protocol"):
        service.start_session(NewSession("JD-104", "Magic", "AB"))
    assert store.sessions() == []


def test_a_settings_change_after_start_does_not_change_a_running_session(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    first = start(service)
    store.save_settings({"thresholds.hr_high": 110, "rems.min_monitoring_min": 180})
    # a fresh service (as after a restart) reads the snapshot, not today's settings
    fresh = MonitoringService(store, clock)
    assert fresh.protocol(first) == preset(ESKETAMINE_REMS)
    assert fresh.record_check(first, {"heart_rate": "120", "recorded_by": "AB"}).alerts == []
    second = start(fresh)
    assert fresh.protocol(second).thresholds.hr_high == 110
    assert fresh.protocol(second).min_monitoring_min == 180
    saved = fresh.record_check(second, {"heart_rate": "120", "recorded_by": "AB"})
    assert [a.rule for a in saved.alerts] == ["hr_high"]


def test_a_session_without_a_snapshot_uses_declared_defaults_not_todays_settings(
    service: MonitoringService, store: SessionStore
) -> None:
    store.save_settings({"thresholds.hr_high": 100})
    old = store.start_session(NewSession("OLD-1", IV_KETAMINE, "AB"))
    assert service.protocol(old.id) == preset(IV_KETAMINE)


def test_a_refused_check_stores_nothing(service: MonitoringService, store: SessionStore) -> None:
    session_id = start(service)
    heard: list[str] = []
    store.subscribe(lambda change: heard.append(change.kind))
    with pytest.raises(ValidationError) as caught:
        service.record_check(session_id, {**NORMAL, "systolic": "400", "heart_rate": "134"})
    assert caught.value.for_field("systolic").message.startswith("Systolic BP: '400'")
    assert store.checks(session_id) == [] and store.alerts(session_id) == []
    assert heard == []


def test_a_check_in_the_future_is_refused(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    with pytest.raises(ValidationError, match="is in the future"):
        service.record_check(session_id, NORMAL, taken_at=clock.now() + timedelta(minutes=5))
    assert store.checks(session_id) == []


def test_a_time_long_before_the_session_is_refused_and_baseline_just_before_accepted(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    clock.advance(minutes=10)
    yesterday = clock.now() - timedelta(hours=23, minutes=55)  # "09:15" typed at 09:10
    with pytest.raises(ValidationError, match="is before this session"):
        service.record_check(session_id, NORMAL, taken_at=yesterday)
    with pytest.raises(ValidationError, match="is before this session"):
        service.log_event(session_id, "note", {"text": "x"}, "AB", occurred_at=yesterday)
    assert store.checks(session_id) == [] and store.events(session_id) == []
    just_before = store.session(session_id).started_at - timedelta(minutes=20)
    assert service.record_check(session_id, NORMAL, taken_at=just_before).check.is_baseline


def test_an_out_of_range_check_stores_the_check_and_its_alerts(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    service.record_check(session_id, NORMAL)
    service.log_event(session_id, "dose", DOSE, "AB")
    clock.advance(minutes=20)
    saved = service.record_check(session_id, {**NORMAL, "heart_rate": "134", "spo2": "90"})
    stored = store.checks(session_id)[-1]
    assert saved.check == stored and not stored.is_baseline
    assert [(a.severity, a.rule, a.value, a.check_id) for a in store.alerts(session_id)] == [
        ("alert", "hr_high", 134, stored.id),
        ("alert", "spo2_low", 90, stored.id),
    ]
    assert saved.alerts == store.alerts(session_id)
    assert saved.alerts[0].message == "Heart rate 134 /min is above 130 /min"
    assert saved.alerts[0].raised_at == clock.now()
    # pulse 134 → 3, SpO2 90 → 3: NEWS2 6, complete
    assert (saved.news2.total, saved.news2.partial) == (6, False)


def test_check_and_alerts_commit_together_or_not_at_all(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    from session_app.domain.vitals import VitalSigns

    with pytest.raises(KeyError):
        store.add_check_with_alerts(
            session_id,
            VitalSigns(heart_rate=134, recorded_by="AB"),
            [{"severity": "alert"}],  # incomplete: fails inside the transaction
            taken_at=clock.now(),
        )
    assert store.checks(session_id) == []


def test_views_hear_the_check_after_its_alerts_are_readable(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = start(service)
    seen: list[tuple[str, int]] = []
    store.subscribe(lambda c: seen.append((c.kind, len(store.alerts(session_id)))))
    service.record_check(session_id, {**NORMAL, "heart_rate": "40", "moaas": "0"})
    assert seen == [("check", 2), ("alert", 2), ("alert", 2)]


def test_before_the_dose_a_check_is_a_baseline_with_the_consider_delaying_advisory(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = start(service)
    assert service.schedule_status(session_id).state is DueState.BASELINE_NEEDED
    saved = service.record_check(session_id, {**NORMAL, "systolic": "150", "diastolic": "85"})
    assert saved.check.is_baseline and saved.check.due_at is None
    assert [(a.severity, a.rule) for a in saved.alerts] == [("advisory", "predose_sys_delay")]
    assert "consider delaying" in saved.alerts[0].message
    assert service.baseline(session_id) == saved.check
    assert service.schedule_status(session_id).state is DueState.WAITING
    extra = service.record_check(session_id, NORMAL, is_baseline=False)
    assert not extra.check.is_baseline
    assert service.baseline(session_id) == saved.check


def test_rise_is_measured_from_the_latest_baseline_before_the_dose(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = start(service)
    service.record_check(session_id, {**NORMAL, "systolic": "150", "diastolic": "95"})
    clock.advance(minutes=10)
    repeat = service.record_check(session_id, {**NORMAL, "systolic": "130", "diastolic": "80"})
    clock.advance(minutes=2)
    service.log_event(session_id, "dose", DOSE, "AB")
    assert service.baseline(session_id) == repeat.check
    clock.advance(minutes=38)
    saved = service.record_check(session_id, {**NORMAL, "systolic": "172", "diastolic": "100"})
    assert [a.rule for a in saved.alerts] == ["sys_rise"]
    assert "above baseline 130 mmHg" in saved.alerts[0].message


def test_late_marking_in_a_rems_session(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    service.record_check(session_id, NORMAL)
    dose = service.log_event(session_id, "dose", DOSE, "AB")
    clock.advance(minutes=46)
    assert service.schedule_status(session_id).state is DueState.OVERDUE_RED
    late = service.record_check(session_id, NORMAL)
    assert (late.check.due_at, late.check.late) == (dose.occurred_at + timedelta(minutes=40), True)
    assert store.check(late.check.id).late
    clock.set(dose.occurred_at + timedelta(minutes=121))
    on_time = service.record_check(session_id, NORMAL)
    assert (on_time.check.due_at, on_time.check.late) == (
        dose.occurred_at + timedelta(minutes=120),
        False,
    )
    assert service.schedule_status(session_id).state is DueState.COMPLETE
    counts = service.counts(session_id)
    assert (counts.due, counts.done, counts.late, counts.missed) == (2, 2, 1, 0)


def test_a_check_typed_in_later_is_classified_by_when_it_was_taken(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = start(service, IV_KETAMINE)
    service.record_check(session_id, NORMAL)
    service.log_event(session_id, "infusion_start", {"rate": "25", "rate_unit": "mL/h"}, "AB")
    clock.advance(minutes=25)
    saved = service.record_check(
        session_id, NORMAL, taken_at=clock.now() - timedelta(minutes=9)
    )  # taken at 16 min, entered at 25
    assert saved.check.late is False
    assert saved.check.entered_at - saved.check.taken_at == timedelta(minutes=9)


def test_iv_schedule_follows_the_infusion_events(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = start(service, IV_KETAMINE)
    service.record_check(session_id, NORMAL)
    started = service.log_event(
        session_id, "infusion_start", {"rate": "25", "rate_unit": "mL/h"}, "AB"
    )
    clock.advance(minutes=40)
    service.log_event(session_id, "infusion_stop", {}, "AB")
    schedule = service.schedule(session_id)
    assert schedule.dose_at == started.occurred_at
    assert schedule.infusion_end_at == clock.now()
    assert service.schedule_status(session_id).label == "At the end of the infusion"
    assert schedule.monitoring_ends_at() == clock.now() + timedelta(minutes=60)


def test_log_event_refuses_every_bad_part_and_stores_nothing(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    with pytest.raises(ValidationError) as caught:
        service.log_event(
            session_id,
            "dose",
            {**DOSE, "dose": "5000"},
            "A",
            occurred_at=clock.now() + timedelta(minutes=10),
        )
    assert {e.field for e in caught.value.errors} == {"dose", "recorded_by", "occurred_at"}
    assert store.events(session_id) == []


def test_an_event_can_be_dated_earlier_and_keeps_its_entry_time(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = start(service)
    earlier = clock.now() - timedelta(minutes=12)
    clock.advance(minutes=1)
    event = service.log_event(session_id, "note", {"text": "calm"}, "cd", occurred_at=earlier)
    assert (event.occurred_at, event.entered_at, event.recorded_by) == (
        earlier,
        clock.now(),
        "CD",
    )
    assert service.events(session_id) == [event]


def test_acknowledge_records_initials_and_time(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(service)
    (alert,) = service.record_check(session_id, {**NORMAL, "spo2": "88"}).alerts
    with pytest.raises(ValidationError, match="Acknowledged by"):
        service.acknowledge(alert.id, "1")
    assert service.open_alerts(session_id) == [alert]
    clock.advance(minutes=1)
    acked = service.acknowledge(alert.id, "cd")
    assert (acked.acked_by, acked.acked_at) == ("CD", clock.now())
    assert service.open_alerts(session_id) == []
    assert store.alerts(session_id) == [acked]


def test_an_ended_session_takes_no_more_checks(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = start(service)
    store.end_session(session_id, "AB")
    with pytest.raises(StoreWriteError):
        service.record_check(session_id, NORMAL)
    assert store.checks(session_id) == []
    status = service.schedule_status(session_id)
    assert (status.state, status.text) == (DueState.COMPLETE, "Session ended")


def test_snapshot_reads_back_as_the_same_protocol(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = start(service, IV_KETAMINE)
    assert Protocol.from_dict(store.session(session_id).protocol) == service.protocol(session_id)
