"""Withdrawing an event entered by mistake, and the planned infusion, through the service
and the real SQLite store (issue 15, point 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.schedule import PLANNED_END_REACHED
from session_app.domain.session import NewSession
from session_app.domain.summary import load_summary
from session_app.export.csv import events_csv
from session_app.export.document import summary_html
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError

START = {"rate": "25", "rate_unit": "mL/h", "planned_min": "40"}
DOSE = {"drug": "Ketamine", "dose": "0.5", "unit": "mg/kg", "route": "IV infusion"}


def iv_session(service: MonitoringService) -> int:
    return service.start_session(NewSession("JD-104", IV_KETAMINE, "AB", 72.0)).id


def test_a_withdrawn_dose_leaves_the_picture_and_the_schedule(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = iv_session(service)
    dose = service.log_event(session_id, "dose", DOSE, "AB")
    assert service.schedule(session_id).dose_at == dose.occurred_at
    clock.advance(minutes=3)
    void = service.withdraw_event(dose.id, "logged on the wrong session", "cd")
    assert void.corrects_id == dose.id
    assert void.recorded_by == "CD"
    assert void.correction_reason == "logged on the wrong session"
    assert len(store.events(session_id)) == 2  # append-only: the dose row is still there
    assert service.events(session_id) == []
    assert service.schedule(session_id).dose_at is None
    assert [e.id for e in service.event_history(dose.id)] == [dose.id, void.id]


def test_the_withdrawn_event_is_listed_under_corrections_with_its_reason(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    session_id = iv_session(service)
    start = service.log_event(session_id, "infusion_start", START, "AB")
    service.withdraw_event(start.id, "started on the other pump", "AB")
    summary = load_summary(store, session_id, clock.now())
    assert summary.infusion == ()
    assert summary.dose_at is None
    html = summary_html(summary, with_charts=False)
    corrections = html[html.index("Corrections") :]
    assert "started on the other pump" in corrections
    assert "Withdrawn: Infusion started: 25 mL/h, planned 40 min" in corrections
    assert "Withdrawn — started on the other pump: Infusion started" in events_csv(summary.record)


def test_withdrawing_needs_a_reason_and_initials_and_stores_nothing_otherwise(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = iv_session(service)
    dose = service.log_event(session_id, "dose", DOSE, "AB")
    with pytest.raises(ValidationError) as caught:
        service.withdraw_event(dose.id, "  ", "1")
    assert {e.field for e in caught.value.errors} == {"reason", "recorded_by"}
    assert len(store.events(session_id)) == 1


def test_an_event_cannot_be_withdrawn_twice_nor_corrected_once_withdrawn(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = iv_session(service)
    dose = service.log_event(session_id, "dose", DOSE, "AB")
    void = service.withdraw_event(dose.id, "duplicate entry", "AB")
    for event_id in (dose.id, void.id):
        with pytest.raises(ValidationError, match="already withdrawn by AB"):
            service.withdraw_event(event_id, "again", "AB")
        with pytest.raises(ValidationError, match="already withdrawn by AB"):
            service.correct_event(event_id, DOSE, reason="back", recorded_by="AB")
    assert len(store.events(session_id)) == 2


def test_an_ended_session_refuses_a_withdrawal(
    service: MonitoringService, store: SessionStore
) -> None:
    session_id = iv_session(service)
    dose = service.log_event(session_id, "dose", DOSE, "AB")
    store.end_session(session_id, "AB")
    with pytest.raises(StoreWriteError, match="has ended"):
        service.withdraw_event(dose.id, "too late", "AB")
    assert len(store.events(session_id)) == 1


def test_the_schedule_reminds_at_the_expected_end_moved_by_a_pause(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = iv_session(service)
    service.log_event(session_id, "infusion_start", START, "AB")
    started = clock.now()
    clock.advance(minutes=10)
    service.log_event(session_id, "infusion_pause", {}, "AB")
    clock.advance(minutes=5)
    service.log_event(session_id, "infusion_resume", {}, "AB")
    assert service.infusion_plan(session_id).expected_end == started + timedelta(minutes=45)
    clock.advance(minutes=29)  # 44 min after the start
    assert service.schedule_status(session_id).reminder == ""
    clock.advance(minutes=1)
    reminder = service.schedule_status(session_id).reminder
    shown = format_local(started + timedelta(minutes=45), with_date=False)
    assert reminder == f"{PLANNED_END_REACHED} ({shown}): log 'Infusion stopped' when it stops."
    service.log_event(session_id, "infusion_stop", {}, "AB")
    status = service.schedule_status(session_id)
    assert status.reminder == ""
    assert status.label == "At the end of the infusion"


def test_an_iv_dose_without_an_infusion_start_is_planned_a_nasal_dose_is_not(
    service: MonitoringService, clock: ManualClock
) -> None:
    session_id = iv_session(service)
    service.log_event(session_id, "dose", DOSE, "AB")
    plan = service.infusion_plan(session_id)
    assert plan is not None and plan.expected_end == clock.now() + timedelta(minutes=40)
    nasal = service.start_session(NewSession("JD-105", ESKETAMINE_REMS, "AB")).id
    spray = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
    service.log_event(nasal, "dose", spray, "AB")
    assert service.infusion_plan(nasal) is None
    clock.advance(minutes=90)
    assert service.schedule_status(nasal).reminder == ""
