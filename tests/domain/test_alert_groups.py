"""Issue 15 point 6: the alerts of one check are one group (one card), most severe first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from session_app.domain.alert_groups import group_alerts
from session_app.domain.alerts import Severity
from session_app.domain.records import AlertRecord

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def alert(alert_id: int, check_id: int | None, severity: Severity, minutes: int) -> AlertRecord:
    when = START + timedelta(minutes=minutes)
    return AlertRecord(
        alert_id, 1, check_id, severity, f"rule{alert_id}", "systolic", 1.0, f"m{alert_id}", when
    )


def test_alerts_of_one_check_form_one_group_with_its_highest_severity() -> None:
    alerts = [
        alert(1, 10, Severity.ALERT, 5),  # rise over baseline
        alert(2, 10, Severity.HIGH, 5),  # absolute limit
        alert(3, 10, Severity.ALERT, 5),
        alert(4, 11, Severity.URGENT, 20),
    ]
    groups = group_alerts(alerts)
    assert [g.ids for g in groups] == [(4,), (2, 1, 3)]  # most severe group first
    first, second = groups
    assert first.severity is Severity.URGENT and second.severity is Severity.HIGH
    assert second.check_id == 10 and second.raised_at == START + timedelta(minutes=5)
    assert [a.severity for a in second.alerts] == [Severity.HIGH, Severity.ALERT, Severity.ALERT]
    assert second.messages == ("m2", "m1", "m3")


def test_alerts_without_a_check_stay_single_and_equal_groups_keep_time_order() -> None:
    alerts = [
        alert(1, None, Severity.ALERT, 1),
        alert(2, None, Severity.ALERT, 2),
        alert(3, 12, Severity.ALERT, 0),
    ]
    assert [g.ids for g in group_alerts(alerts)] == [(3,), (1,), (2,)]
    assert group_alerts([]) == []
