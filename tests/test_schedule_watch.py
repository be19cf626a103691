"""The countdown's schedule status (monitoring.ScheduleWatch): what the service says, read
from the store only after the store announced a change to the session. The staff panel
asks every second; at a monitor's 10× feed those reads waited behind the listener's
thread and were the longest part of many UI stalls."""

from __future__ import annotations

from typing import Any

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.schedule import DueState
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService, ScheduleWatch
from session_app.store import SessionStore
from tests.test_monitoring import NORMAL

DOSE = {"drug": "Ketamine", "dose": "35", "unit": "mg", "route": "IV bolus"}


@pytest.fixture
def reads(store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the real store was asked for a session's checks and events."""
    counts = {"checks": 0, "events": 0}
    for name in counts:
        real = getattr(store, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            counts[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(store, name, counted)
    return counts


def started(service: MonitoringService, clock: ManualClock) -> int:
    session_id = service.start_session(NewSession("JD-104", IV_KETAMINE, "AB", 72.0)).id
    service.record_check(session_id, NORMAL)
    clock.advance(minutes=2)
    service.log_event(session_id, "dose", DOSE, "AB")
    return session_id


def test_ticks_with_no_change_read_the_record_once_and_follow_the_clock(
    service: MonitoringService, clock: ManualClock, reads: dict[str, int]
) -> None:
    session_id = started(service, clock)
    watch = ScheduleWatch(service)
    before = dict(reads)
    texts = []
    for _ in range(5):
        assert watch.schedule_status(session_id) == service.schedule_status(session_id)
        texts.append(watch.schedule_status(session_id).text)
        clock.advance(seconds=61)
    # The service read the record each time it was asked (5), the watch once.
    assert reads["checks"] - before["checks"] == 5 + 1
    assert len(set(texts)) == 5  # the countdown still moves with the clock


def test_a_check_or_an_event_saved_is_in_the_next_status(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = started(service, clock)
    watch = ScheduleWatch(service)
    clock.advance(minutes=15)
    assert watch.schedule_status(session_id).state is DueState.DUE
    service.record_check(session_id, NORMAL)
    assert watch.schedule_status(session_id) == service.schedule_status(session_id)
    assert watch.schedule_status(session_id).state is DueState.WAITING
    clock.advance(minutes=1)
    service.log_event(session_id, "dose", DOSE, "AB")  # a second dose restarts the checks
    assert watch.schedule_status(session_id) == service.schedule_status(session_id)


def test_a_change_saved_through_another_threads_store_is_seen_once_announced(
    store: SessionStore, service: MonitoringService, clock: ManualClock
) -> None:
    session_id = started(service, clock)
    watch = ScheduleWatch(service)
    clock.advance(minutes=15)
    assert watch.schedule_status(session_id).state is DueState.DUE
    queued: list[Any] = []
    other = store.for_thread(queued.append)
    try:
        MonitoringService(other, clock).record_check(session_id, NORMAL)
    finally:
        other.close()
    for call in queued:  # what the UI thread's event loop runs, in the app
        call()
    assert watch.schedule_status(session_id).state is DueState.WAITING


def test_the_monitors_values_are_no_reason_to_read_again(
    store: SessionStore, service: MonitoringService, clock: ManualClock, reads: dict[str, int]
) -> None:
    from session_app.store.repository import Change, ChangeKind

    session_id = started(service, clock)
    watch = ScheduleWatch(service)
    watch.schedule_status(session_id)
    before = reads["checks"]
    store._deliver(Change(ChangeKind.DEVICE_DATA, session_id, 1))
    watch.schedule_status(session_id)
    assert reads["checks"] == before
    store._deliver(Change(ChangeKind.CHECK, session_id, 99))
    watch.schedule_status(session_id)
    assert reads["checks"] == before + 1
