"""The room's heartbeat and the server's receive time (issue 16), against a real server:
a room with nothing to send is still heard from while its sender runs, a room whose sender
stopped goes stale, and "last heard" can never be a time a room wrote itself."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from session_app.app import main
from session_app.clinic.board import Board, FeedUpdate, ServerStatus
from session_app.clinic.schema import MIGRATIONS, V4, VERSION_TABLE
from session_app.clinic.sender import ClinicSender
from session_app.clinic.server import station_role
from session_app.clinic.station_feed import StationFeed
from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from tests.clinic.conftest import ClinicServer, Cluster
from tests.clinic.test_sender import SETTLE_S, joined_sender

STALE_AFTER = timedelta(seconds=2)  # the board's rule, shortened so the test takes seconds
BEAT_S = 0.1


def station_login(clinic: ClinicServer) -> str:
    """A login in the station group (as clinic IT makes one), over the socket."""
    login = f"{clinic.db}_nurse"
    with clinic.admin() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
            sql.Identifier(login), sql.Identifier(station_role(clinic.db))))  # fmt: skip
    cluster = clinic.cluster
    return f"host={cluster.socket_dir} port={cluster.port} dbname={clinic.db} user={login}"


@pytest.fixture
def rooms(clinic: ClinicServer, tmp_path: Path) -> Iterator[dict[str, SessionStore]]:
    """Both rooms of the clinic joined, each with its own (empty) store."""
    stores = {}
    for number, name in enumerate(clinic.passfiles, start=1):
        folder = tmp_path / f"pc{number}"
        folder.mkdir(mode=0o700)
        stores[name] = SessionStore.open(folder, clock=ManualClock())
        assert main(clinic.join_argv(name, folder)) == 0
    yield stores
    for store in stores.values():
        store.close()


def test_an_idle_room_that_beats_is_not_stale_and_a_stopped_one_is(
    clinic: ClinicServer, rooms: dict[str, SessionStore]
) -> None:
    senders: dict[str, ClinicSender] = {
        name: joined_sender(store, heartbeat_s=BEAT_S, poll_s=0.05)
        for name, store in rooms.items()
    }
    updates: queue.Queue[FeedUpdate] = queue.Queue()
    statuses: queue.Queue[ServerStatus] = queue.Queue()
    feed = StationFeed(station_login(clinic), updates.put, statuses.put,
                       poll_every=timedelta(seconds=0.2))  # fmt: skip
    board = Board(stale_after=STALE_AFTER)
    try:
        for sender in senders.values():
            assert sender.wait_until_sent(SETTLE_S)
        senders["Room 2"].stop()
        with clinic.admin() as conn:
            stopped_at = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        feed.start()
        # Wait on the feed (never a sleep) for a fetch made well past the stale time.
        while True:
            update = updates.get(timeout=SETTLE_S)
            station_now = datetime.now(UTC)
            board.apply(update, station_now)
            if update.server_now > stopped_at + 2 * STALE_AFTER:
                break
        beating, stopped = board.tile("Room 1", station_now), board.tile("Room 2", station_now)
        assert not beating.stale, beating.heard_text  # no record at all, but heard from
        assert beating.heard_text.startswith("Last heard")
        assert stopped.stale and stopped.heard_text.startswith("STALE")
    finally:
        feed.stop()
        for sender in senders.values():
            sender.stop()


def test_the_heartbeat_sets_last_seen_and_notifies_only_the_room(
    clinic: ClinicServer, rooms: dict[str, SessionStore]
) -> None:
    with psycopg.connect(station_login(clinic), autocommit=True) as listen:
        listen.execute("LISTEN clinic_change")
        sender = joined_sender(rooms["Room 1"], heartbeat_s=BEAT_S, poll_s=0.05)
        try:  # the join's settings version is sent first (a record); then the beat
            beat = next(n for n in listen.notifies(timeout=SETTLE_S)
                        if "table" not in json.loads(n.payload))  # fmt: skip
        finally:
            sender.stop()
    assert json.loads(beat.payload) == {"room": "Room 1"}  # the room only, no PHI
    with clinic.admin() as conn:
        seen = dict(conn.execute("SELECT name, last_seen_at FROM rooms").fetchall())
    assert seen["Room 1"] is not None and seen["Room 2"] is None


def test_a_role_that_is_no_room_cannot_beat(clinic: ClinicServer) -> None:
    with (
        psycopg.connect(station_login(clinic), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT clinic_heartbeat()")


def test_the_migration_names_and_lets_beat_the_rooms_added_before_it(
    pg_cluster: Cluster, clinic_db: str
) -> None:
    role = f"{clinic_db}_room_1"
    with psycopg.connect(pg_cluster.admin_conninfo(clinic_db), autocommit=True) as admin:
        admin.execute(VERSION_TABLE)
        admin.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        for migration in MIGRATIONS[: MIGRATIONS.index(V4)]:
            admin.execute(migration)
        admin.execute("INSERT INTO rooms (name, role_name) VALUES ('Room 1', %s)", (role,))
        admin.execute(V4)
        granted = admin.execute(
            "SELECT has_function_privilege(%s, 'clinic_heartbeat()', 'EXECUTE'),"
            " display_name FROM rooms", (role,)).fetchone()  # fmt: skip
    assert granted == (True, "Room 1")


def test_received_at_is_the_servers_time_whatever_the_room_sends(clinic: ClinicServer) -> None:
    """A room role writing its own received_at (a time far ahead, to look "heard from" for
    ever) gets the server's time instead, in every record table."""
    conninfo = clinic.room_conninfo("Room 1") + f" passfile={clinic.passfiles['Room 1']}"
    with clinic.admin() as conn:
        before = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    with psycopg.connect(conninfo, autocommit=True) as room:
        room.execute(
            "INSERT INTO sessions (room, local_id, patient_id, protocol_name, started_at,"
            " received_at) VALUES ('Room 1', 1, 'RT-7', 'IV ketamine', '2026-12-01T09:00',"
            " '2099-01-01T00:00Z')"
        )
        room.execute(
            "INSERT INTO settings_versions (room, local_id, saved_at, received_at)"
            " VALUES ('Room 1', 1, '2026-12-01T09:00', '2000-01-01T00:00Z')"
        )
    with clinic.admin() as conn:
        after = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        for table in ("sessions", "settings_versions"):
            received = conn.execute(
                sql.SQL("SELECT received_at FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            assert before <= received <= after, table
