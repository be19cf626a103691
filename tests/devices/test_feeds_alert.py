"""The sustained-breach alert write (issue 17): an alert of no check, "from monitor",
announced like any alert so the alerts panel shows it. Real store, real service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from session_app.domain.alerts import Severity
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.sustained import SustainedBreach
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError
from session_app.store.devices import MONITOR
from session_app.store.repository import Change, ChangeKind

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _breach(
    measure: str = "spo2", rule: str = "spo2_low", worst: float = 88, limit: float = 92
) -> SustainedBreach:
    return SustainedBreach(rule, measure, T0, T0 + timedelta(seconds=15), worst, limit, 15)


def test_a_sustained_breach_is_stored_as_an_alert_of_no_check_and_announced(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session = service.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0))
    heard: list[Change] = []
    store.subscribe(heard.append)
    clock.set(T0 + timedelta(seconds=16))
    alert = service.raise_sustained_breach(session.id, _breach())
    assert alert.check_id is None
    assert alert.rule == "monitor_sustained_spo2"
    assert alert.measure == "spo2" and alert.value == 88
    assert alert.message == "From monitor: SpO2 below 92 % for 15 s (lowest 88 %)"
    assert alert.severity is Severity.ALERT
    assert [a.id for a in service.open_alerts(session.id)] == [alert.id]
    assert heard == [Change(ChangeKind.ALERT, session.id, alert.id)]
    assert heard[0].by == MONITOR


def test_a_heart_rate_breach_has_the_hr_rule(
    service: MonitoringService, store: SessionStore
) -> None:
    session = service.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0))
    alert = service.raise_sustained_breach(session.id, _breach("heart_rate", "hr_high", 141, 130))
    assert alert.rule == "monitor_sustained_hr"
    assert alert.message.startswith("From monitor: Heart rate above 130")


def test_no_alert_on_an_ended_session(service: MonitoringService, store: SessionStore) -> None:
    session = service.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0))
    store.end_session(session.id, "AB")
    with pytest.raises(StoreWriteError):
        service.raise_sustained_breach(session.id, _breach())
    assert store.alerts(session.id) == []
