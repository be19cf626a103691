"""The store against a real SQLite file in a tmp dir."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.vitals import VitalSigns
from session_app.store import (
    NewerSchemaError,
    NotADatabaseError,
    SessionStore,
    StoreError,
    StoreWriteError,
)
from session_app.store.db import write_transaction
from session_app.store.repository import DB_FILENAME, Change
from session_app.store.schema import SCHEMA_VERSION

SIGNS = VitalSigns(
    systolic=128,
    diastolic=82,
    heart_rate=74,
    spo2=98,
    on_oxygen=False,
    resp_rate=14,
    temperature_c=36.7,
    moaas=5,
    dissociation=False,
    cadss=3,
    anxiety=2,
    nausea=0,
    pain=1,
    note="calm",
    recorded_by="AB",
)


HR_HIGH = {  # what domain.alerts raises for a heart rate of 135
    "severity": "alert",
    "rule": "hr_high",
    "measure": "heart_rate",
    "value": 135,
    "message": "Heart rate 135 /min is above 130 /min",
}


def start(store: SessionStore, patient: str = "JD") -> int:
    return store.start_session(
        NewSession(patient, IV_KETAMINE, "AB", 70.0), {"name": IV_KETAMINE}
    ).id


def test_session_and_checks_round_trip(store: SessionStore, clock: ManualClock) -> None:
    session = store.start_session(NewSession("JD-1", ESKETAMINE_REMS, "AB", 81.5), {"k": 1})
    assert session.started_at == clock.now()
    assert session.protocol == {"k": 1}
    baseline, _ = store.add_check_with_alerts(
        session.id, SIGNS, [], taken_at=clock.now(), is_baseline=True
    )
    clock.advance(minutes=40)
    later, _ = store.add_check_with_alerts(
        session.id,
        VitalSigns(systolic=150, diastolic=95, recorded_by="CD"),
        [],
        taken_at=clock.now(),
        due_at=clock.now() - timedelta(minutes=5),
        late=True,
    )
    checks = store.checks(session.id)
    assert [c.id for c in checks] == [baseline.id, later.id]
    assert checks[0].signs == SIGNS
    assert checks[0].is_baseline
    assert checks[1].late and checks[1].due_at == clock.now() - timedelta(minutes=5)
    assert checks[1].signs.heart_rate is None


def test_earlier_time_typed_in_keeps_the_time_of_entry(
    store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(store)
    taken = clock.now() - timedelta(minutes=10)
    check, _ = store.add_check_with_alerts(session_id, SIGNS, [], taken_at=taken)
    assert check.taken_at == taken
    assert check.entered_at == clock.now()


def test_everything_survives_close_and_reopen(data_dir: Path, clock: ManualClock) -> None:
    store = SessionStore.open(data_dir, clock=clock)
    session_id = start(store)
    _, [alert] = store.add_check_with_alerts(
        session_id,
        replace(SIGNS, heart_rate=135),
        [HR_HIGH],
        taken_at=clock.now(),
    )
    event = store.add_event(session_id, "dose", "AB", {"drug": "ketamine", "dose_mg": 35})
    store.acknowledge_alert(alert.id, "CD")
    store.close()

    reopened = SessionStore.open(data_dir / DB_FILENAME, clock=clock)
    assert reopened.session(session_id).patient_id == "JD"
    assert reopened.checks(session_id)[0].signs == replace(SIGNS, heart_rate=135)
    assert reopened.events(session_id) == [event]
    [stored_alert] = reopened.alerts(session_id)
    assert stored_alert.acked_by == "CD" and stored_alert.acknowledged
    assert reopened.alerts(session_id, unacknowledged_only=True) == []
    reopened.close()


def test_open_session_is_resumed_and_ended_session_is_read_only(store: SessionStore) -> None:
    first = start(store, "AA")
    store.end_session(first, "AB", {"aldrete": 10})
    second = start(store, "BB")
    assert store.open_session().id == second
    assert store.discharge(first) == {"aldrete": 10}
    with pytest.raises(StoreWriteError, match="read-only"):
        store.add_check_with_alerts(first, SIGNS, [], taken_at=store.clock.now())
    with pytest.raises(StoreWriteError, match="already ended"):
        store.end_session(first, "AB")


def test_sessions_are_listed_newest_first_and_searchable(
    store: SessionStore, clock: ManualClock
) -> None:
    start(store, "AA-1")
    clock.advance(minutes=1)
    start(store, "BB-2")
    assert [s.patient_id for s in store.sessions()] == ["BB-2", "AA-1"]
    assert [s.patient_id for s in store.sessions("aa")] == ["AA-1"]


def test_writes_are_announced_after_commit(store: SessionStore) -> None:
    seen: list[tuple[Change, int]] = []

    def listener(change: Change) -> None:
        # The row must already be readable (committed) when listeners hear of it.
        seen.append((change, len(store.sessions())))

    unsubscribe = store.subscribe(listener)
    session_id = start(store)
    unsubscribe()
    start(store, "XX")
    assert seen == [(Change("session", None, session_id), 1)]


def test_appended_records_are_never_rewritten(store: SessionStore, data_dir: Path) -> None:
    session_id = start(store)
    check, _ = store.add_check_with_alerts(session_id, SIGNS, [], taken_at=store.clock.now())
    raw = sqlite3.connect(data_dir / DB_FILENAME)
    for sql in (
        "UPDATE vitals_checks SET heart_rate = 99",
        "DELETE FROM vitals_checks",
        "UPDATE sessions SET patient_id = 'ZZ'",
        "DELETE FROM sessions",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
    raw.close()
    correction, _ = store.add_check_with_alerts(
        session_id,
        VitalSigns(heart_rate=80, recorded_by="AB"),
        [],
        taken_at=check.taken_at,
        corrects_id=check.id,
        correction_reason="typo",
    )
    assert store.check(check.id).signs == SIGNS
    assert correction.corrects_id == check.id


def test_foreign_keys_are_enforced(store: SessionStore) -> None:
    with pytest.raises(KeyError):
        store.add_check_with_alerts(999, SIGNS, [], taken_at=store.clock.now())
    # Alerts are only written with their check, for a session that exists; the schema
    # still refuses an alert of no session, on the store's own connection.
    with pytest.raises(StoreWriteError), write_transaction(store._conn) as conn:
        conn.execute(
            "INSERT INTO alerts (session_id, check_id, severity, rule, measure, value, message,"
            " raised_at) VALUES (999, NULL, 'alert', 'r', 'm', 1, 'm', '2026-01-05T09:00:00+00:00')"
        )


def test_new_file_is_private_and_in_wal_mode(store: SessionStore, data_dir: Path) -> None:
    path = data_dir / DB_FILENAME
    assert path.stat().st_mode & 0o777 == 0o600
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_newer_schema_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE future (x)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError, match="newer version"):
        SessionStore.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_FILENAME]


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, this is not a database\n" * 10, b"SQLite format 3\x00" + b"\x00" * 20],
    ids=["empty", "text", "truncated"],
)
def test_file_that_is_not_a_database_is_refused_and_left_unchanged(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(content)
    with pytest.raises(NotADatabaseError, match="left as it is"):
        SessionStore.open(path)
    assert path.read_bytes() == content


def test_settings_versions_are_appended_and_the_newest_wins(store: SessionStore) -> None:
    assert store.load_settings() == {}
    store.save_settings({"temperature_unit": "°C"})
    store.save_settings({"temperature_unit": "°F"})
    assert store.load_settings() == {"temperature_unit": "°F"}


def test_checks_read_again_are_the_stored_ones_past_the_parsed_row_limit(
    store: SessionStore, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed rows are kept to save work on each read (issue 7); a read still returns
    exactly what is stored, in time order, when there are more rows than are kept."""
    monkeypatch.setattr("session_app.store.repository.PARSED_CHECKS_KEPT", 3)
    session_id = start(store)
    for heart_rate in (70, 71, 72, 73, 74):
        clock.advance(minutes=5)
        store.add_check_with_alerts(
            session_id, replace(SIGNS, heart_rate=heart_rate), [], taken_at=clock.now()
        )
        assert store.checks(session_id)[-1].signs.heart_rate == heart_rate
    store.add_check_with_alerts(
        session_id, replace(SIGNS, heart_rate=99), [], taken_at=clock.now() - timedelta(minutes=12)
    )
    first = store.checks(session_id)
    assert [c.signs.heart_rate for c in first] == [70, 71, 99, 72, 73, 74]  # 99 at 13 min
    assert store.checks(session_id) == first
    assert len(store._parsed_checks) <= 3


def test_a_read_that_fails_is_a_store_error(store: SessionStore) -> None:
    """Views catch the store's own error, never sqlite3's (issue 14: no widget imports it)."""
    session_id = start(store)
    store.close()
    for read in (
        lambda: store.session(session_id),
        lambda: store.checks(session_id),
        lambda: store.events(session_id),
        lambda: store.alerts(session_id),
        store.sessions,
        store.load_settings,
        store.pin_attempts,
    ):
        with pytest.raises(StoreError, match=r"cannot be read.*closed"):
            read()
