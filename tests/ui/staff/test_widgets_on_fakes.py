"""The flowsheet, the countdown and the alerts panel on small fakes of their seams
(session_app/seams.py), not the whole panel: a second backend (the clinic server) only has
to satisfy the same Protocols. The fakes hold records in lists and announce changes as the
store does; nothing of our store, service or panel is used."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from session_app.domain.alerts import Severity
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.records import AlertRecord, SessionEvent
from session_app.domain.schedule import DueState, ScheduleStatus
from session_app.domain.session import TreatmentSession
from session_app.domain.vitals import VitalsCheck, VitalSigns
from session_app.seams import AlertService, AlertSource, RecordReader, ScheduleSource
from session_app.store.repository import Change
from session_app.ui.staff.alerts_panel import AlertsPanel
from session_app.ui.staff.countdown import DueCountdown
from session_app.ui.staff.flowsheet import FlowsheetTable

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeRecords:
    """Records of one session in memory, with the store's announcements."""

    checks_: list[VitalsCheck] = field(default_factory=list)
    alerts_: list[AlertRecord] = field(default_factory=list)
    listeners: list[Callable[[Change], None]] = field(default_factory=list)

    def session(self, session_id: int) -> TreatmentSession:
        return TreatmentSession(session_id, "FK-1", "IV ketamine", "AB", START)

    def checks(self, session_id: int) -> list[VitalsCheck]:
        return [c for c in self.checks_ if c.session_id == session_id]

    def check(self, check_id: int) -> VitalsCheck:
        return next(c for c in self.checks_ if c.id == check_id)

    def events(self, session_id: int) -> list[SessionEvent]:
        return []

    def alerts(self, session_id: int, *, unacknowledged_only: bool = False) -> list[AlertRecord]:
        return [a for a in self.alerts_ if not (unacknowledged_only and a.acknowledged)]

    def discharge(self, session_id: int) -> dict[str, Any]:
        return {}

    def alert_resolutions(self, session_id: int) -> list[Any]:
        return []

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def announce(self, kind: str, row_id: int) -> None:
        for listener in list(self.listeners):
            listener(Change(kind, 1, row_id))

    def add_check(self, minutes: float, **values: Any) -> VitalsCheck:
        when = START + timedelta(minutes=minutes)
        check = VitalsCheck(
            len(self.checks_) + 1, 1, when, when, VitalSigns(recorded_by="AB", **values)
        )
        self.checks_.append(check)
        self.announce("check", check.id)
        return check


@dataclass
class FakeAcknowledger:
    records: FakeRecords
    calls: list[tuple[int, str]] = field(default_factory=list)

    def open_alerts(self, session_id: int) -> list[AlertRecord]:
        return [a for a in self.records.alerts(session_id) if not a.acknowledged]

    def acknowledge_all(
        self, alert_ids: Sequence[int], initials: str, response: str = ""
    ) -> list[AlertRecord]:
        self.calls.extend((alert_id, initials) for alert_id in alert_ids)
        if not initials:
            raise ValidationError([FieldError("initials", "Initials", "", "Initials: required.")])
        acked = []
        for alert_id in alert_ids:
            index, alert = next(
                (i, a) for i, a in enumerate(self.records.alerts_) if a.id == alert_id
            )
            done = replace(alert, acked_by=initials, acked_at=START + timedelta(minutes=30))
            self.records.alerts_[index] = done
            acked.append(done)
        for alert_id in alert_ids:
            self.records.announce("alert_ack", alert_id)
        return acked


@dataclass
class FakeSchedule:
    status: ScheduleStatus
    asked: int = 0

    def schedule_status(self, session_id: int) -> ScheduleStatus:
        self.asked += 1
        return self.status


def test_the_flowsheet_shows_the_fakes_checks_and_inserts_an_announced_one(qtbot) -> None:
    records = FakeRecords()
    records.add_check(0, systolic=128, diastolic=80, heart_rate=74)
    reader: RecordReader = records  # what a type checker holds the fake to
    table = FlowsheetTable(reader)
    qtbot.addWidget(table)
    table.set_session(1)
    assert table.rowCount() == 1
    assert table.row_texts(0)["bp"] == "128/80" and table.row_texts(0)["heart_rate"] == "74"
    records.add_check(15, systolic=150, diastolic=92, heart_rate=123, note="zebra")
    assert table.refresh_pending
    first = table.row_texts(0)  # applies the pending change, newest first
    assert first["heart_rate"] == "123" and first["note"] == "zebra"
    assert table.rowCount() == 2 and table.refills == 1  # inserted, not refilled


def test_the_countdown_shows_what_its_schedule_source_says(qtbot) -> None:
    due = START + timedelta(minutes=15)
    schedule = FakeSchedule(
        ScheduleStatus(DueState.OVERDUE_RED, due, -600.0, "Check overdue by 10 min")
    )
    source: ScheduleSource = schedule
    countdown = DueCountdown(source)
    qtbot.addWidget(countdown)
    with qtbot.waitSignal(countdown.state_changed) as changed:
        countdown.set_session(1)
    assert changed.args == [DueState.OVERDUE_RED]
    assert countdown.text.text() == "Check overdue by 10 min"
    schedule.status = ScheduleStatus(DueState.WAITING, None, None, "Next check in 04:12")
    countdown.tick()
    assert countdown.state is DueState.WAITING and countdown.text.text() == "Next check in 04:12"
    countdown.set_session(None)
    assert countdown.text.text() == "No session in progress" and countdown.state is None


def alert(alert_id: int, severity: Severity, minutes: float, message: str) -> AlertRecord:
    when = START + timedelta(minutes=minutes)
    return AlertRecord(alert_id, 1, alert_id, severity, "rule", "systolic", 0.0, message, when)


def test_the_alerts_panel_orders_acknowledges_and_refuses_through_its_seams(qtbot) -> None:
    records = FakeRecords(
        alerts_=[
            alert(1, Severity.ALERT, 10, "Systolic BP rose by 45 mmHg"),
            alert(2, Severity.URGENT, 20, "MOAA/S 0"),
        ]
    )
    service = FakeAcknowledger(records)
    alerts: AlertSource = records
    alert_service: AlertService = service
    panel = AlertsPanel(alerts, alert_service)
    qtbot.addWidget(panel)
    panel.set_session(1)
    assert [card.alert.id for card in panel.cards] == [2, 1]  # most severe first
    assert panel.summary.text() == "2 to acknowledge"

    assert panel.acknowledge(2) is None  # no initials: refused in place, nothing changes
    assert "Initials: required." in panel.message.text()
    assert [card.alert.id for card in panel.cards] == [2, 1]

    panel.initials.setText("AB")
    assert panel.acknowledge(2) is not None
    assert service.calls == [(2, ""), (2, "AB")]
    assert [card.alert.id for card in panel.cards] == [1]  # the announcement refreshed it
    assert "latest by AB at" in panel.history.text()
