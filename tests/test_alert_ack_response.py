"""Issue 15 points 5 and 6: the alerts of one check acknowledged together, in one
transaction, with an optional action/response kept beside the initials (schema 4).
Real service, store and SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError
from session_app.store.repository import Change, ChangeKind
from session_app.store.schema import SCHEMA_VERSION

BASELINE = {"systolic": "128", "diastolic": "80", "heart_rate": "74", "spo2": "98",
            "resp_rate": "14", "recorded_by": "AB"}  # fmt: skip
# Over both absolute BP limits and both rises over baseline: four alerts from one check.
HIGH_BP = {**BASELINE, "systolic": "200", "diastolic": "115"}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
RESPONSE = "repeated BP after 5 min rest; ondansetron 4 mg IV"


@pytest.fixture
def session_id(service: MonitoringService, clock: ManualClock) -> int:
    sid = service.start_session(NewSession("RT-7", ESKETAMINE_REMS, "AB", 70.0)).id
    service.record_check(sid, BASELINE)
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    return sid


def test_one_acknowledgement_with_a_response_covers_every_alert_of_the_check(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    saved = service.record_check(session_id, HIGH_BP)
    assert len(saved.alerts) == 4
    heard: list[Change] = []
    store.subscribe(heard.append)
    clock.advance(minutes=2)
    acked = service.acknowledge_all([a.id for a in saved.alerts], "cd", f"  {RESPONSE} ")
    assert {a.id for a in acked} == {a.id for a in saved.alerts}
    assert {(a.acked_by, a.acked_at, a.ack_response) for a in acked} == {
        ("CD", clock.now(), RESPONSE)
    }
    assert service.open_alerts(session_id) == []
    assert [c.kind for c in heard] == [ChangeKind.ALERT_ACK] * 4
    # the response is in the file: it survives a restart
    path = store.path
    store.close()
    reopened = SessionStore.open(path, clock=clock)
    try:
        assert {a.ack_response for a in reopened.alerts(session_id)} == {RESPONSE}
    finally:
        reopened.close()


def test_acknowledge_of_one_alert_still_works_and_keeps_no_response(
    service: MonitoringService, session_id: int
) -> None:
    [alert] = service.record_check(session_id, {**BASELINE, "spo2": "88"}).alerts
    acked = service.acknowledge(alert.id, "cd")
    assert (acked.acked_by, acked.ack_response) == ("CD", "")


@pytest.mark.parametrize(
    ("response", "problem"),
    [("x" * 501, "is 501 characters long"), ("ok\x1b[2J", "control character (U+001B)")],
    ids=["too-long", "control-character"],
)
def test_a_refused_response_acknowledges_nothing_and_names_every_problem(
    service: MonitoringService, session_id: int, response: str, problem: str
) -> None:
    saved = service.record_check(session_id, HIGH_BP)
    with pytest.raises(ValidationError) as refused:
        service.acknowledge_all([a.id for a in saved.alerts], "1", response)
    assert [e.field for e in refused.value.errors] == ["acked_by", "response"]
    assert problem in refused.value.errors[1].message
    assert "Response" in refused.value.errors[1].message
    assert len(service.open_alerts(session_id)) == 4


def test_the_acknowledgements_are_one_transaction_all_or_none(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    saved = service.record_check(session_id, HIGH_BP)
    ids = [a.id for a in saved.alerts]
    with sqlite3.connect(store.path) as raw:  # a real fault on the third row's insert
        raw.execute(
            "CREATE TRIGGER fail_third BEFORE INSERT ON alert_acks"
            f" WHEN NEW.alert_id = {ids[2]} BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
        )
    with pytest.raises(StoreWriteError, match="Not saved"):
        service.acknowledge_all(ids, "CD", RESPONSE)
    assert len(service.open_alerts(session_id)) == 4  # the first two were rolled back
    with pytest.raises(KeyError):  # an alert that does not exist: nothing acknowledged
        service.acknowledge_all([ids[0], 9999], "CD")
    assert len(service.open_alerts(session_id)) == 4


def test_an_alert_already_acknowledged_keeps_its_first_acknowledgement(
    service: MonitoringService, clock: ManualClock, session_id: int
) -> None:
    saved = service.record_check(session_id, HIGH_BP)
    first = service.acknowledge(saved.alerts[0].id, "ab")
    clock.advance(minutes=1)
    acked = service.acknowledge_all([a.id for a in saved.alerts], "cd", RESPONSE)
    by_id = {a.id: a for a in acked}
    assert by_id[first.id] == first  # not acknowledged twice, not overwritten
    assert {by_id[a.id].acked_by for a in saved.alerts[1:]} == {"CD"}


def test_a_schema_3_file_gains_the_response_and_keeps_its_acknowledgements(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    [alert] = service.record_check(session_id, {**BASELINE, "spo2": "88"}).alerts
    service.acknowledge(alert.id, "cd")
    path = store.path
    store.close()
    with sqlite3.connect(path) as raw:  # back to what schema 3 left
        raw.execute("ALTER TABLE alert_acks DROP COLUMN response")
        for table in ("check_observations", "device_proposal_outcomes"):  # the monitor's
            raw.execute(f"DROP TABLE {table}")
        raw.execute("DROP TABLE device_observations")
        raw.execute("DROP TABLE device_messages")
        raw.executescript("DROP TABLE clinic_marks; DROP TABLE clinic_install")  # issue 16's
        raw.execute("PRAGMA user_version = 3")
    reopened = SessionStore.open(path, clock=clock)
    try:
        [kept] = reopened.alerts(session_id)
        assert (kept.acked_by, kept.ack_response) == ("CD", "")
    finally:
        reopened.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE alert_acks SET response = 'changed later'")
