"""One severity ranking (issue 14 point 2): typed on the record, `worst` picks the top."""

from __future__ import annotations

from session_app.domain.alerts import Severity, worst
from session_app.domain.clock import ManualClock
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.domain.test_baseline import repro


def test_worst_ranks_by_severity_not_by_order_or_spelling() -> None:
    assert worst([Severity.HIGH, Severity.ALERT]) is Severity.HIGH
    assert worst([Severity.ALERT, Severity.HIGH]) is Severity.HIGH
    assert worst([Severity.ADVISORY, Severity.URGENT, Severity.ALERT]) is Severity.URGENT
    assert worst([]) is None


def test_alerts_read_from_the_store_carry_a_typed_severity(
    store: SessionStore, clock: ManualClock
) -> None:
    sid, rules = repro(MonitoringService(store, clock), clock)
    assert set(rules) >= {"sys_high", "sys_rise"}  # 185/85: "high" and "alert" on one value
    last = store.checks(sid)[-1].id  # the 185/85 check
    on_systolic = [a for a in store.alerts(sid) if a.measure == "systolic" and a.check_id == last]
    assert all(isinstance(a.severity, Severity) for a in store.alerts(sid))
    assert {a.severity for a in on_systolic} == {Severity.HIGH, Severity.ALERT}
    assert worst(a.severity for a in on_systolic) is Severity.HIGH
