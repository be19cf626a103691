"""Device messages and observations in the room store (store.devices), a real SQLite file."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore, StoreWriteError
from session_app.store.devices import NewObservation
from session_app.store.repository import Change, ChangeKind
from session_app.store.schema import APPEND_ONLY_TABLES

SENT = datetime(2026, 1, 5, 9, 14, tzinfo=UTC)
DEVICE_TABLES = (
    "device_messages",
    "device_observations",
    "check_observations",
    "device_proposal_outcomes",
)


def start(store: SessionStore, patient: str = "JD") -> int:
    return store.start_session(NewSession(patient, IV_KETAMINE, "AB", 70.0), {}).id


def obs(measure: str = "systolic", value: float = 142, **flags: bool) -> NewObservation:
    return NewObservation(
        measure=measure,
        value=value,
        unit="mmHg",
        code="MDC 150021",
        device="GE^EUI-64",
        observed_at=SENT,
        source="hl7",
        group=1,
        **flags,
    )


def heard(store: SessionStore) -> list[Change]:
    changes: list[Change] = []
    store.subscribe(changes.append)
    return changes


def test_a_message_and_its_observations_are_stored_and_announced_once(
    store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(store)
    changes = heard(store)
    message_id, new = store.add_device_message(
        session_id,
        "GE/GW",
        "GE0001",
        SENT,
        [obs(), obs("diastolic", 88), obs("heart_rate", 80, implausible=True)],
        peer="127.0.0.1",
    )
    assert new
    rows = store.device_observations(session_id)
    assert [(o.measure, o.value, o.message_id, o.group) for o in rows] == [
        ("systolic", 142, message_id, 1),
        ("diastolic", 88, message_id, 1),
        ("heart_rate", 80, message_id, 1),
    ]
    assert [o.implausible for o in rows] == [False, False, True]
    assert rows[0].received_at == clock.now()
    assert rows[0].observed_at == SENT
    assert (rows[0].code, rows[0].device, rows[0].source) == ("MDC 150021", "GE^EUI-64", "hl7")
    assert changes == [Change(ChangeKind.DEVICE_DATA, session_id, message_id)]


def test_a_repeat_of_sender_control_id_and_time_is_stored_once(store: SessionStore) -> None:
    session_id = start(store)
    first, _ = store.add_device_message(session_id, "GE/GW", "GE0001", SENT, [obs()])
    changes = heard(store)
    again, new = store.add_device_message(session_id, "GE/GW", "GE0001", SENT, [obs()])
    assert (again, new) == (first, False)
    assert len(store.device_observations(session_id)) == 1
    assert changes == []
    # the same control id from another monitor is another message
    _, other = store.add_device_message(session_id, "MINDRAY/R3", "GE0001", SENT, [obs()])
    assert other
    assert len(store.device_observations(session_id)) == 2


def test_a_message_fails_whole_nothing_half_stored(store: SessionStore) -> None:
    session_id = start(store)
    with pytest.raises(StoreWriteError):  # NaN is stored as NULL: the NOT NULL refuses it
        store.add_device_message(
            session_id, "GE/GW", "GE0002", SENT, [obs(), obs("diastolic", float("nan"))]
        )
    assert store.device_observations(session_id) == []
    # and the resend is then a new message, not a duplicate of a half one
    _, new = store.add_device_message(session_id, "GE/GW", "GE0002", SENT, [obs()])
    assert new


def test_samples_without_a_message_for_the_oximeter(store: SessionStore) -> None:
    session_id = start(store)
    changes = heard(store)
    ids = store.add_device_samples(session_id, [obs("spo2", 97), obs("heart_rate", 72)])
    rows = store.device_observations(session_id, measures=("spo2",))
    assert [(o.id, o.message_id, o.group, o.value) for o in rows] == [(ids[0], None, 1, 97)]
    assert changes == [Change(ChangeKind.DEVICE_DATA, session_id, ids[-1])]


def test_an_ended_session_takes_no_device_data(store: SessionStore) -> None:
    session_id = start(store)
    store.end_session(session_id, "AB")
    with pytest.raises(StoreWriteError, match="ended"):
        store.add_device_message(session_id, "GE/GW", "GE0003", SENT, [obs()])
    with pytest.raises(StoreWriteError, match="ended"):
        store.add_device_samples(session_id, [obs()])


def test_a_dismissed_proposal_is_kept_with_who_and_when(
    store: SessionStore, clock: ManualClock
) -> None:
    session_id = start(store)
    store.add_device_message(session_id, "GE/GW", "GE0004", SENT, [obs()])
    [systolic] = store.device_observations(session_id)
    changes = heard(store)
    outcome = store.dismiss_proposal(systolic.id, "AB")
    assert (outcome.proposal_id, outcome.outcome, outcome.check_id) == (
        systolic.id,
        "dismissed",
        None,
    )
    assert (outcome.decided_by, outcome.decided_at) == ("AB", clock.now())
    assert store.proposal_outcomes(session_id) == [outcome]
    assert [c.kind for c in changes] == [ChangeKind.PROPOSAL_DECIDED]
    with pytest.raises(StoreWriteError):  # decided once
        store.dismiss_proposal(systolic.id, "CD")
    assert store.device_observations(session_id) == [systolic]  # the values stay


def test_device_tables_are_append_only(store: SessionStore, data_dir: Path) -> None:
    session_id = start(store)
    store.add_device_message(session_id, "GE/GW", "GE0005", SENT, [obs()])
    [row] = store.device_observations(session_id)
    store.dismiss_proposal(row.id, "AB")
    assert set(DEVICE_TABLES) <= set(APPEND_ONLY_TABLES)
    raw = sqlite3.connect(data_dir / "session_app.sqlite3")
    try:
        for table in DEVICE_TABLES:
            if table == "check_observations":
                continue  # empty here; its triggers are checked through the schema below
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(f"UPDATE {table} SET id = id")
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(f"DELETE FROM {table}")
        triggers = {
            r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        for table in DEVICE_TABLES:
            assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers
    finally:
        raw.close()


def test_a_store_for_another_thread_announces_on_the_owners_thread(
    store: SessionStore,
) -> None:
    """The listener's thread writes through its own connection; views hear the change
    where `post` runs it (the UI thread in the app, this test's thread here)."""
    session_id = start(store)
    posted: queue.Queue[Callable[[], None]] = queue.Queue()
    inbox_store = store.for_thread(posted.put)
    heard_on: list[tuple[Change, int]] = []
    store.subscribe(lambda change: heard_on.append((change, threading.get_ident())))
    done: list[int] = []

    def listener_thread() -> None:
        done.append(inbox_store.add_device_message(session_id, "GE/GW", "T1", SENT, [obs()])[0])

    worker = threading.Thread(target=listener_thread)
    worker.start()
    worker.join()
    assert heard_on == []  # nothing touched the views from the listener's thread
    posted.get_nowait()()
    assert heard_on == [
        (Change(ChangeKind.DEVICE_DATA, session_id, done[0]), threading.get_ident())
    ]
    assert len(store.device_observations(session_id)) == 1  # committed, seen by the owner
    inbox_store.close()


def test_values_every_second_do_not_fill_the_log_at_info(
    store: SessionStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The log rotates: a 1 Hz feed logged at INFO would push out what staff need."""
    session_id = start(store)
    caplog.set_level(logging.INFO, logger="session_app.store")
    store.add_device_samples(session_id, [obs("spo2", 97)])
    store.add_device_message(session_id, "GE/GW", "GE0009", SENT, [obs()])
    assert "device_data" not in caplog.text
    store.dismiss_proposal(store.device_observations(session_id)[-1].id, "AB")
    assert "proposal_decided" in caplog.text  # a person's decision is still logged


def test_the_nibp_sets_values_are_read_by_message_not_through_every_numeric(
    store: SessionStore,
) -> None:
    """An 8 h session holds ~100k numerics and ~100 NIBP sets: the read of the sets'
    values must look up each set's message (its index), not scan the session's numerics."""
    from session_app.store.devices import message_values_query

    sql, params = message_values_query([3, 7], ("systolic", "diastolic", "heart_rate"))
    with sqlite3.connect(store.path) as raw:
        plan = " / ".join(str(row[-1]) for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "device_observations_message" in plan, plan


def test_the_newest_plausible_value_of_a_device_per_measure_within_a_window(
    store: SessionStore,
) -> None:
    """What a proposal's numerics are joined from (devices.proposals.with_numerics_before
    decides): per measure, one row — the device's newest plausible value in the window."""
    from dataclasses import replace
    from datetime import timedelta

    session_id = start(store)

    def at(seconds: int, measure: str, value: float, **changes: object) -> NewObservation:
        row = replace(obs(measure, value), observed_at=SENT + timedelta(seconds=seconds))
        return replace(row, **changes)

    store.add_device_samples(
        session_id,
        [
            at(-40, "spo2", 90),  # before the window
            at(-20, "spo2", 96),
            at(-10, "spo2", 97),
            at(-5, "spo2", 20, implausible=True),  # a probe off: not a candidate
            at(-3, "spo2", 99, device="OXIMETER"),  # another device
            at(-8, "resp_rate", 14),
            at(5, "resp_rate", 30),  # after the NIBP
        ],
    )
    found = store.latest_device_values(
        session_id,
        ("spo2", "resp_rate", "heart_rate"),
        device="GE^EUI-64",
        since=SENT - timedelta(seconds=30),
        until=SENT,
    )
    assert sorted((o.measure, o.value) for o in found) == [("resp_rate", 14), ("spo2", 97)]


def test_the_trace_read_gives_what_the_trace_draws_in_the_order_stored(
    store: SessionStore,
) -> None:
    """An 8 h trace is ~85k values: the live chart reads them as light rows (no received
    time, no message), the same values device_observations gives."""
    from dataclasses import replace
    from datetime import timedelta

    session_id = start(store)
    rows = [
        replace(obs("spo2", 97), observed_at=SENT + timedelta(seconds=1)),
        replace(obs("heart_rate", 72), observed_at=SENT),
        replace(obs("systolic", 142), observed_at=SENT),
        replace(obs("spo2", 20, implausible=True), observed_at=SENT + timedelta(seconds=2)),
    ]
    store.add_device_samples(session_id, rows)
    full = store.device_observations(session_id, measures=("heart_rate", "spo2"))
    light = store.trace_values(session_id, ("heart_rate", "spo2"))
    fields = ("id", "measure", "value", "code", "device", "observed_at", "implausible")
    assert [tuple(getattr(v, f) for f in fields) for v in light] == [
        tuple(getattr(o, f) for f in fields) for o in full
    ]
    later = store.trace_values(session_id, ("spo2",), since=SENT + timedelta(seconds=2))
    assert [(v.value, v.implausible) for v in later] == [(20, True)]


def test_the_trace_read_after_a_row_gives_the_sessions_newer_rows_by_the_id_range(
    store: SessionStore,
) -> None:
    """The live trace's read of what came in since it last looked: this session's rows of
    these measures after that row, found by the row id (not by the monitor's clock,
    whose window held ten times the new rows at 10×)."""
    first, other = start(store), start(store, "KL")
    store.add_device_samples(first, [obs("spo2", 96), obs("heart_rate", 70)])
    [seen] = [r.id for r in store.trace_values(first, ("spo2",))]
    store.add_device_samples(other, [obs("spo2", 91)])
    store.add_device_samples(first, [obs("spo2", 97), obs("resp_rate", 14), obs("spo2", 98)])
    newer = store.trace_values(first, ("spo2", "heart_rate"), after_id=seen)
    assert [(r.measure, r.value) for r in newer] == [("heart_rate", 70), ("spo2", 97), ("spo2", 98)]
