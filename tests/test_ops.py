"""The one write path (issue 14): every write is a service method that validates once,
commits, then announces a typed change saying who made it; a listener that fails is
logged and never turns a committed save into "not saved"."""

from __future__ import annotations

import logging

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.discharge import DischargeInput
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.pin import SET_IN_PANEL, hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.ops import Problems
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind

NORMAL = {
    "systolic": "128",
    "diastolic": "78",
    "heart_rate": "72",
    "spo2": "98",
    "resp_rate": "14",
    "recorded_by": "ab",
}


@pytest.fixture
def heard(store: SessionStore) -> list[Change]:
    changes: list[Change] = []
    store.subscribe(changes.append)
    return changes


def start(service: MonitoringService) -> int:
    return service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB", 72.0)).id


def test_a_failing_listener_does_not_make_a_committed_save_fail(
    service: MonitoringService, store: SessionStore, caplog: pytest.LogCaptureFixture
) -> None:
    session_id = start(service)

    def broken_view(change: Change) -> None:
        raise RuntimeError("JD-104 systolic 128")  # what a view's error might quote

    store.subscribe(broken_view)
    later: list[Change] = []
    store.subscribe(later.append)
    with caplog.at_level(logging.ERROR, logger="session_app.store"):
        saved = service.record_check(session_id, NORMAL)
    assert [c.id for c in store.checks(session_id)] == [saved.check.id]
    assert [(c.kind, c.row_id) for c in later] == [(ChangeKind.CHECK, saved.check.id)]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert f"check #{saved.check.id}" in record.getMessage()
    text = " ".join(r.getMessage() for r in caplog.records)  # not caplog.text: line numbers
    assert "JD-104" not in text and "128" not in text  # kind and row id only, never PHI


def test_each_change_is_typed_and_says_who_made_it(
    service: MonitoringService, store: SessionStore, heard: list[Change]
) -> None:
    session_id = start(service)
    saved = service.record_check(session_id, {**NORMAL, "heart_rate": "160"})
    service.acknowledge(saved.alerts[0].id, "cd")
    service.log_event(session_id, "note", {"text": "calm"}, "ef")
    service.save_settings({"thresholds.hr_high": "120"}, by=SET_IN_PANEL)
    service.set_pin(hash_pin("2580"), changed_by=SET_IN_PANEL)
    assert all(isinstance(c.kind, ChangeKind) for c in heard)
    assert [(c.kind, c.by) for c in heard] == [
        (ChangeKind.SESSION, "AB"),
        (ChangeKind.CHECK, "AB"),
        (ChangeKind.ALERT, "AB"),
        (ChangeKind.ALERT_ACK, "CD"),
        (ChangeKind.EVENT, "EF"),
        (ChangeKind.SETTINGS, SET_IN_PANEL),
        (ChangeKind.PIN, SET_IN_PANEL),
    ]


def test_a_change_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Change("chek", 1, 1)  # type: ignore[arg-type]


def test_problems_gather_every_field_error_one_way() -> None:
    problems = Problems()

    def refuse(field: str) -> str:
        raise ValidationError([FieldError(field, field, "", f"{field}: required.")])

    assert problems.take(lambda: refuse("a"), "") == ""
    assert problems.take(lambda: "fine", "") == "fine"
    problems.add(FieldError("b", "b", "", "b: required."))
    assert problems.take(lambda: refuse("c"), "") == ""
    with pytest.raises(ValidationError) as refused:
        problems.refuse()
    assert [e.field for e in refused.value.errors] == ["a", "b", "c"]
    Problems().refuse()  # nothing to refuse: returns


def test_ending_a_session_checks_who_and_the_note_in_the_service(
    service: MonitoringService, store: SessionStore, clock: ManualClock, heard: list[Change]
) -> None:
    session_id = start(service)
    checklist = DischargeInput(
        aldrete={}, responsible_adult=True, advice_given=True, ended_by="", note="\x07"
    )
    with pytest.raises(ValidationError) as refused:
        service.end_session(session_id, checklist)
    assert [e.field for e in refused.value.errors] == ["ended_by", "note"]
    assert store.session(session_id).is_open and store.discharge(session_id) == {}

    clock.advance(minutes=130)
    ended = service.end_session(
        session_id,
        DischargeInput(aldrete={}, responsible_adult=True, advice_given=True, ended_by=" ab "),
    )
    assert not ended.is_open and ended.ended_by == "AB" and ended.ended_at == clock.now()
    assert store.discharge(session_id)["responsible_adult"] is True
    assert (heard[-1].kind, heard[-1].by) == (ChangeKind.SESSION_END, "AB")


def test_settings_are_validated_once_in_the_service_and_nothing_is_saved_on_refusal(
    service: MonitoringService, store: SessionStore
) -> None:
    with pytest.raises(ValidationError) as refused:
        service.save_settings({"thresholds.hr_low": "abc", "thresholds.hr_high": "120"}, by="x")
    [error] = refused.value.errors
    assert error.field == "thresholds.hr_low" and "not a number" in error.message
    assert store.load_settings() == {}
    service.save_settings({"thresholds.hr_high": "120"}, by=SET_IN_PANEL)
    assert store.load_settings() == {"thresholds.hr_high": 120}


def test_the_pin_is_set_through_the_service(service: MonitoringService, store: SessionStore):
    service.set_pin(hash_pin("2580"), changed_by=SET_IN_PANEL)
    assert store.current_pin() is not None
    assert [by for _at, by in store.pin_changes()] == [SET_IN_PANEL]
