"""The history read (issue 16) against a real PostgreSQL cluster: a room asks the server
for the sessions of one patient ID and gets the other rooms' sessions of exactly that ID,
and nothing broader. Rooms' sessions are seeded as each room role, in the agreed record
format (`details` = the whole local SQLite row, `local_id` = its row id), from real room
stores."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from session_app.app import main
from session_app.clinic.history import (
    NOT_REACHABLE,
    ClinicSession,
    ClinicUnavailable,
    clinic_history,
    patient_id_query,
)
from session_app.clinic.schema import MIGRATIONS, V_HISTORY, VERSION_TABLE
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.clinic.conftest import Cluster, _free_port


@pytest.fixture
def clinic(pg_cluster: Cluster, clinic_db: str, tmp_path: Path) -> dict[str, Path]:
    """`clinic init` and two rooms added with the app's own commands: room name → passfile."""
    admin = pg_cluster.admin_conninfo(clinic_db)
    assert main(["clinic", "init", "--server", admin]) == 0
    passfiles = {}
    for name in ("Room 1", "Room 2"):
        passfile = tmp_path / f"{name.replace(' ', '')}.pgpass"
        argv = ["clinic", "add-room", name, "--server", admin, "--passfile", str(passfile)]
        assert main(argv) == 0
        passfiles[name] = passfile
    return passfiles


def _role(passfile: Path) -> str:
    return passfile.read_text().split(":")[3]


def _room_conninfo(cluster: Cluster, db: str, passfile: Path) -> str:
    return cluster.tcp_conninfo(db, _role(passfile))


def _send_sessions(conninfo: str, passfile: Path, room: str, store: SessionStore) -> None:
    """A test's stand-in for the sender, as the room role: each local `sessions` and
    `session_ends` row goes up whole as `details`, keyed by its row id."""
    local = sqlite3.connect(store.path)
    local.row_factory = sqlite3.Row
    sessions = [dict(r) for r in local.execute("SELECT * FROM sessions ORDER BY id")]
    ends = [dict(r) for r in local.execute("SELECT * FROM session_ends ORDER BY id")]
    local.close()
    with psycopg.connect(conninfo, passfile=str(passfile)) as conn:
        for row in sessions:
            conn.execute(
                "INSERT INTO sessions (room, local_id, patient_id, protocol_name, started_at,"
                " details) VALUES (%s, %s, %s, %s, %s, %s)",
                (room, row["id"], row["patient_id"], row["protocol_name"], row["started_at"],
                 json.dumps(row)),
            )  # fmt: skip
        for row in ends:
            conn.execute(
                "INSERT INTO session_ends (room, local_id, session_local_id, ended_at, ended_by,"
                " details) VALUES (%s, %s, %s, %s, %s, %s)",
                (room, row["id"], row["session_id"], row["ended_at"], row["ended_by"],
                 json.dumps(row)),
            )  # fmt: skip


def _room_store(tmp_path: Path, name: str, clock: ManualClock) -> SessionStore:
    return SessionStore.open(tmp_path / name, clock=clock)


def test_room_1_sees_room_2s_session_of_the_patient_marked_with_its_room_and_no_other(
    pg_cluster: Cluster, clinic_db: str, clinic: dict[str, Path], tmp_path: Path
) -> None:
    clock = ManualClock()
    room1, room2 = (_room_store(tmp_path, n, clock) for n in ("room1", "room2"))
    own = MonitoringService(room1, clock).start_session(NewSession("P-1", IV_KETAMINE, "AB", 70.0))
    room1.end_session(own.id, "AB")
    other = MonitoringService(room2, clock)
    clock.advance(minutes=5)
    seen = other.start_session(NewSession("P-1", ESKETAMINE_REMS, "CD"))
    clock.advance(minutes=120)
    room2.end_session(seen.id, "CD")
    other.start_session(NewSession("P-2", IV_KETAMINE, "CD", 80.0))
    for name, store in (("Room 1", room1), ("Room 2", room2)):
        passfile = clinic[name]
        _send_sessions(_room_conninfo(pg_cluster, clinic_db, passfile), passfile, name, store)

    history = clinic_history(_room_conninfo(pg_cluster, clinic_db, clinic["Room 1"]),
                             clinic["Room 1"])  # fmt: skip
    [found] = history.sessions_of("P-1")

    ended = room2.session(seen.id).ended_at
    assert found == ClinicSession(
        room="Room 2",
        local_id=seen.id,
        patient_id="P-1",
        protocol_name=ESKETAMINE_REMS,
        staff_initials="CD",
        started_at=seen.started_at,
        ended_at=ended,
    )
    [p2] = history.sessions_of("P-2")
    assert (p2.room, p2.patient_id, p2.ended_at) == ("Room 2", "P-2", None)
    assert history.sessions_of("P-3") == []
    room1.close()
    room2.close()


def test_like_characters_match_literally_and_a_partial_id_matches_nothing(
    pg_cluster: Cluster, clinic_db: str, clinic: dict[str, Path], tmp_path: Path
) -> None:
    clock = ManualClock()
    room2 = _room_store(tmp_path, "room2", clock)
    service = MonitoringService(room2, clock)
    for pid in ("P-1", "P-10", "PX1", "P%1"):
        service.start_session(NewSession(pid, IV_KETAMINE, "CD", 70.0))
        room2.end_session(room2.open_session().id, "CD")  # type: ignore[union-attr]
    passfile = clinic["Room 2"]
    _send_sessions(_room_conninfo(pg_cluster, clinic_db, passfile), passfile, "Room 2", room2)
    history = clinic_history(_room_conninfo(pg_cluster, clinic_db, clinic["Room 1"]),
                             clinic["Room 1"])  # fmt: skip

    assert [s.patient_id for s in history.sessions_of("P_1")] == []
    assert [s.patient_id for s in history.sessions_of("P%")] == []
    assert [s.patient_id for s in history.sessions_of("%")] == []
    assert [s.patient_id for s in history.sessions_of("P%1")] == ["P%1"]
    assert [s.patient_id for s in history.sessions_of("P-")] == []
    assert [s.patient_id for s in history.sessions_of("P-1")] == ["P-1"]
    room2.close()


def test_a_room_role_reads_no_table_and_only_rooms_may_call_the_function(
    pg_cluster: Cluster, clinic_db: str, clinic: dict[str, Path]
) -> None:
    passfile = clinic["Room 1"]
    conninfo = _room_conninfo(pg_cluster, clinic_db, passfile)
    with (
        psycopg.connect(conninfo, passfile=str(passfile)) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT * FROM sessions")
    with psycopg.connect(pg_cluster.admin_conninfo(clinic_db), autocommit=True) as admin:
        admin.execute("CREATE ROLE outsider LOGIN PASSWORD 'outsider-pw'")
        admin.execute("GRANT CONNECT ON DATABASE " + clinic_db + " TO outsider")
        allowed = [
            admin.execute(
                "SELECT has_function_privilege(%s, 'clinic_sessions_of_patient(text)', 'EXECUTE')",
                (role,),
            ).fetchone()
            for role in ("outsider", _role(clinic["Room 1"]), _role(clinic["Room 2"]))
        ]
        admin.execute("REVOKE CONNECT ON DATABASE " + clinic_db + " FROM outsider")
        admin.execute("DROP ROLE outsider")
    assert allowed == [(False,), (True,), (True,)]


def test_an_unreachable_server_is_the_one_plain_line(tmp_path: Path) -> None:
    passfile = tmp_path / "room.pgpass"
    passfile.write_text("*:*:clinic:room:pw\n")
    passfile.chmod(0o600)
    history = clinic_history(f"host=127.0.0.1 port={_free_port()} dbname=clinic user=room",
                             passfile)  # fmt: skip
    with pytest.raises(ClinicUnavailable) as raised:
        history.sessions_of("P-1")
    assert str(raised.value) == NOT_REACHABLE == (
        "Clinic sessions not available: server not reachable"
    )


def test_only_a_one_word_search_is_asked_of_the_server() -> None:
    assert patient_id_query("  p-1 ") == "P-1"
    assert patient_id_query("P-1 2026-11-22") is None
    assert patient_id_query("") is None
    assert patient_id_query("X" * 17) is None


def test_the_migration_grants_the_read_to_rooms_added_before_it(
    pg_cluster: Cluster, clinic_db: str
) -> None:
    role = f"{clinic_db}_room_1"
    with psycopg.connect(pg_cluster.admin_conninfo(clinic_db), autocommit=True) as admin:
        admin.execute(VERSION_TABLE)
        admin.execute(MIGRATIONS[0])
        admin.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        admin.execute("INSERT INTO rooms (name, role_name) VALUES ('Room 1', %s)", (role,))
        admin.execute(V_HISTORY)
        granted = admin.execute(
            "SELECT has_function_privilege(%s, 'clinic_sessions_of_patient(text)', 'EXECUTE')",
            (role,),
        ).fetchone()
    assert granted == (True,)


def test_a_refused_password_is_its_own_line_and_never_echoes_the_connection(
    pg_cluster: Cluster, clinic_db: str, clinic: dict[str, Path], tmp_path: Path
) -> None:
    role = _role(clinic["Room 1"])
    wrong = tmp_path / "wrong.pgpass"
    wrong.write_text(f"*:*:{clinic_db}:{role}:not-the-password\n")
    wrong.chmod(0o600)
    history = clinic_history(pg_cluster.tcp_conninfo(clinic_db, role), wrong)
    with pytest.raises(ClinicUnavailable) as raised:
        history.sessions_of("P-1")
    line = str(raised.value)
    assert line == "Clinic sessions not available: the server refused this room's password"
    assert "not-the-password" not in line and str(pg_cluster.port) not in line
