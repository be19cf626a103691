"""`session-app clinic init` and `clinic add-room` against a real PostgreSQL cluster:
the schema, the roles and their rights, and every refusal as one line with exit 2."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from session_app.app import main
from session_app.clinic.schema import NOTIFY_CHANNEL, RECORD_TABLES, SCHEMA_VERSION
from tests.clinic.conftest import Cluster, _free_port

SESSION_ROW = (
    "INSERT INTO sessions (room, local_id, patient_id, protocol_name, started_at)"
    " VALUES (%s, %s, 'P-1', 'IV ketamine', '2026-12-01T09:00:00+00:00')"
)


# One row per device table (schema V5), as a room would send it.
DEVICE_ROW = {
    "device_messages": "INSERT INTO device_messages"
    " (room, local_id, session_local_id, control_id, sent_at, outcome)"
    " VALUES (%s, %s, 1, 'GE0001', '2026-12-01T09:15:00+00:00', 'AA')",
    "device_observations": "INSERT INTO device_observations (room, local_id, session_local_id,"
    " message_local_id, measure, value, unit, code, device, observed_at, implausible)"
    " VALUES (%s, %s, 1, 1, 'spo2', 97, '%%', 'MDC 150456', 'GE', '2026-12-01T09:15:00+00:00', 0)",
    "check_observations": "INSERT INTO check_observations"
    " (room, local_id, check_local_id, observation_local_id) VALUES (%s, %s, 1, 1)",
    "device_proposal_outcomes": "INSERT INTO device_proposal_outcomes (room, local_id,"
    " session_local_id, proposal_local_id, outcome, check_local_id, decided_by, decided_at)"
    " VALUES (%s, %s, 1, 1, 'recorded', 1, 'AB', '2026-12-01T09:16:00+00:00')",
}

# One row per record table (room "Room 1", local id 1), as a room would send it.
ONE_ROW = {
    "sessions": SESSION_ROW,
    "vitals_checks": "INSERT INTO vitals_checks (room, local_id, session_local_id, taken_at)"
    " VALUES (%s, %s, 1, '2026-12-01T09:05:00+00:00')",
    "events": "INSERT INTO events (room, local_id, session_local_id, kind, occurred_at)"
    " VALUES (%s, %s, 1, 'dose', '2026-12-01T09:10:00+00:00')",
    "alerts": "INSERT INTO alerts (room, local_id, session_local_id, severity, rule, raised_at)"
    " VALUES (%s, %s, 1, 'alert', 'spo2_low', '2026-12-01T09:20:00+00:00')",
    "alert_acks": "INSERT INTO alert_acks (room, local_id, alert_local_id, acked_by, acked_at)"
    " VALUES (%s, %s, 1, 'AB', '2026-12-01T09:21:00+00:00')",
    "alert_resolutions": "INSERT INTO alert_resolutions"
    " (room, local_id, alert_local_id, correction_local_id, resolved_at)"
    " VALUES (%s, %s, 1, 2, '2026-12-01T09:22:00+00:00')",
    "session_ends": "INSERT INTO session_ends (room, local_id, session_local_id, ended_at,"
    " ended_by) VALUES (%s, %s, 1, '2026-12-01T11:00:00+00:00', 'AB')",
    "settings_versions": "INSERT INTO settings_versions (room, local_id, saved_at)"
    " VALUES (%s, %s, '2026-12-01T08:00:00+00:00')",
    **DEVICE_ROW,
}


def _init(cluster: Cluster, db: str) -> None:
    assert main(["clinic", "init", "--server", cluster.admin_conninfo(db)]) == 0


def _add_room(cluster: Cluster, db: str, name: str, passfile: Path) -> None:
    argv = ["clinic", "add-room", name, "--server", cluster.admin_conninfo(db)]
    assert main([*argv, "--passfile", str(passfile)]) == 0


def _one_line_refusal(capsys: pytest.CaptureFixture[str], *words: str) -> None:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("session-app: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


def _room_conn(cluster: Cluster, db: str, passfile: Path) -> psycopg.Connection:
    role = passfile.read_text().split(":")[3]
    return psycopg.connect(cluster.tcp_conninfo(db, role) + f" passfile={passfile}")


def _admin(cluster: Cluster, db: str) -> psycopg.Connection:
    return psycopg.connect(cluster.admin_conninfo(db), autocommit=True)


def newer_schema(cluster: Cluster, db: str) -> None:
    """A database whose clinic schema is one newer than this app's (a later release's)."""
    with _admin(cluster, db) as conn:
        conn.execute("CREATE TABLE clinic_schema_version (version INTEGER PRIMARY KEY,"
                     " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")  # fmt: skip
        conn.execute("INSERT INTO clinic_schema_version (version) VALUES (%s)",
                     (SCHEMA_VERSION + 1,))  # fmt: skip


def test_init_creates_the_schema_and_a_read_only_station_role(
    pg_cluster: Cluster, clinic_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(pg_cluster, clinic_db)
    assert f"{clinic_db}_station" in capsys.readouterr().out
    with _admin(pg_cluster, clinic_db) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM clinic_schema_version")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"rooms", *RECORD_TABLES} <= tables
        rights = conn.execute(
            "SELECT DISTINCT privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee = %s", (f"{clinic_db}_station",)).fetchall()
        assert rights == [("SELECT",)]


def test_init_twice_is_refused_in_one_line(
    pg_cluster: Cluster, clinic_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(pg_cluster, clinic_db)
    capsys.readouterr()
    assert main(["clinic", "init", "--server", pg_cluster.admin_conninfo(clinic_db)]) == 2
    _one_line_refusal(capsys, "already there", "nothing was changed")


def test_init_against_a_newer_schema_is_refused_and_changes_nothing(
    pg_cluster: Cluster, clinic_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    newer_schema(pg_cluster, clinic_db)
    assert main(["clinic", "init", "--server", pg_cluster.admin_conninfo(clinic_db)]) == 2
    _one_line_refusal(capsys, "newer", str(SCHEMA_VERSION + 1))
    with _admin(pg_cluster, clinic_db) as conn:
        assert conn.execute("SELECT to_regclass('public.rooms')").fetchone() == (None,)


def test_init_without_owner_or_createrole_rights_is_refused(
    pg_cluster: Cluster, clinic_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A login that may connect but neither owns the database nor may create roles."""
    plain, owner_only = f"{clinic_db}_plain", f"{clinic_db}_owner"
    with _admin(pg_cluster, clinic_db) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(plain)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(owner_only)))
        conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(
            sql.Identifier(owner_only)))
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
            sql.Identifier(clinic_db), sql.Identifier(owner_only)))
    socket = f"host={pg_cluster.socket_dir} port={pg_cluster.port} dbname={clinic_db}"
    assert main(["clinic", "init", "--server", f"{socket} user={plain}"]) == 2
    _one_line_refusal(capsys, "owner")
    assert main(["clinic", "init", "--server", f"{socket} user={owner_only}"]) == 2
    _one_line_refusal(capsys, "CREATEROLE")


def test_an_unreachable_server_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    conninfo = f"host=127.0.0.1 port={_free_port()} dbname=clinic connect_timeout=3"
    assert main(["clinic", "init", "--server", conninfo]) == 2
    _one_line_refusal(capsys, "cannot reach the clinic server")
    assert main(["clinic", "add-room", "Room 1", "--server", conninfo]) == 2
    _one_line_refusal(capsys, "cannot reach the clinic server")


def test_the_command_line_refusal_has_no_traceback(tmp_path: Path) -> None:
    """The installed entry point, as clinic IT runs it: one stderr line, exit 2."""
    conninfo = f"host=127.0.0.1 port={_free_port()} dbname=clinic connect_timeout=3"
    result = subprocess.run(
        [sys.executable, "-m", "session_app", "clinic", "init", "--server", conninfo],
        capture_output=True, text=True, check=False, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_add_room_writes_a_0600_passfile_that_psycopg_connects_with(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(pg_cluster, clinic_db)
    passfile = tmp_path / "room2.pgpass"
    _add_room(pg_cluster, clinic_db, "Room 2", passfile)
    out = capsys.readouterr().out
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    password = passfile.read_text().rstrip("\n").split(":")[4]
    assert len(password) >= 32 and password not in out
    with _room_conn(pg_cluster, clinic_db, passfile) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (f"{clinic_db}_room_1",)


def test_add_room_twice_is_refused_and_the_passfile_is_never_replaced(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(pg_cluster, clinic_db)
    _add_room(pg_cluster, clinic_db, "Room 2", tmp_path / "a.pgpass")
    capsys.readouterr()
    server = pg_cluster.admin_conninfo(clinic_db)
    other = tmp_path / "b.pgpass"
    assert main(["clinic", "add-room", "room 2", "--server", server,
                 "--passfile", str(other)]) == 2
    _one_line_refusal(capsys, "already exists")
    assert not other.exists()
    existing = tmp_path / "not-ours.txt"
    existing.write_text("keep me\n")
    assert main(["clinic", "add-room", "Room 3", "--server", server,
                 "--passfile", str(existing)]) == 2
    _one_line_refusal(capsys, "already exists")
    assert existing.read_text() == "keep me\n"
    with _admin(pg_cluster, clinic_db) as conn:  # the refused room left no role behind
        assert [r[0] for r in conn.execute("SELECT name FROM rooms")] == ["Room 2"]
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                            (f"{clinic_db}_room_2",)).fetchone() is None


def test_add_room_before_init_is_refused(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clinic", "add-room", "Room 1", "--server", pg_cluster.admin_conninfo(clinic_db),
                 "--passfile", str(tmp_path / "r.pgpass")]) == 2
    _one_line_refusal(capsys, "clinic init")
    assert not (tmp_path / "r.pgpass").exists()


def test_a_room_inserts_its_own_rows_only(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path
) -> None:
    _init(pg_cluster, clinic_db)
    _add_room(pg_cluster, clinic_db, "Room 1", tmp_path / "r1.pgpass")
    _add_room(pg_cluster, clinic_db, "Room 2", tmp_path / "r2.pgpass")
    with _room_conn(pg_cluster, clinic_db, tmp_path / "r1.pgpass") as conn:
        conn.execute(SESSION_ROW, ("Room 1", 1))
        conn.commit()
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(SESSION_ROW, ("Room 2", 1))
        conn.rollback()
        with pytest.raises(errors.InsufficientPrivilege):  # reading is the station's
            conn.execute("SELECT * FROM sessions")
    with _admin(pg_cluster, clinic_db) as conn:
        assert conn.execute("SELECT room, local_id FROM sessions").fetchall() == [("Room 1", 1)]


def test_no_role_can_update_or_delete_a_record(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path
) -> None:
    """The room (grants), the station (grants) and even the owner (triggers) are refused,
    on every record table, with a row there to change."""
    assert set(ONE_ROW) == set(RECORD_TABLES)
    _init(pg_cluster, clinic_db)
    _add_room(pg_cluster, clinic_db, "Room 1", tmp_path / "r1.pgpass")
    with _room_conn(pg_cluster, clinic_db, tmp_path / "r1.pgpass") as conn:
        for insert in ONE_ROW.values():
            conn.execute(insert, ("Room 1", 1))
        conn.commit()
        for table in RECORD_TABLES:
            for statement in ("UPDATE {} SET local_id = 2", "DELETE FROM {}", "TRUNCATE {}"):
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute(sql.SQL(statement).format(sql.Identifier(table)))
                conn.rollback()
    with _admin(pg_cluster, clinic_db) as conn:
        for role in (None, f"{clinic_db}_station"):
            if role:
                conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
            for table in RECORD_TABLES:
                for statement in ("UPDATE {} SET local_id = 2", "DELETE FROM {}", "TRUNCATE {}"):
                    query = sql.SQL(statement).format(sql.Identifier(table))
                    refusal = "append-only" if role is None else "permission denied"
                    with pytest.raises(errors.InsufficientPrivilege, match=refusal):
                        conn.execute(query)
            conn.execute("RESET ROLE")
        for table in RECORD_TABLES:
            query = sql.SQL("SELECT room, local_id FROM {}").format(sql.Identifier(table))
            assert conn.execute(query).fetchall() == [("Room 1", 1)]


def test_the_station_reads_and_cannot_write(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path
) -> None:
    _init(pg_cluster, clinic_db)
    _add_room(pg_cluster, clinic_db, "Room 1", tmp_path / "r1.pgpass")
    with _room_conn(pg_cluster, clinic_db, tmp_path / "r1.pgpass") as conn:
        conn.execute(SESSION_ROW, ("Room 1", 1))
        conn.commit()
    with _admin(pg_cluster, clinic_db) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(f"{clinic_db}_station")))
        assert conn.execute("SELECT room, local_id FROM sessions").fetchall() == [("Room 1", 1)]
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(SESSION_ROW, ("Room 1", 2))
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("INSERT INTO rooms (name, role_name) VALUES ('Room 9', 'x')")


def test_an_insert_notifies_room_table_and_local_id_without_phi(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path
) -> None:
    _init(pg_cluster, clinic_db)
    _add_room(pg_cluster, clinic_db, "Room 1", tmp_path / "r1.pgpass")
    with _admin(pg_cluster, clinic_db) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
        with _room_conn(pg_cluster, clinic_db, tmp_path / "r1.pgpass") as conn:
            for insert in DEVICE_ROW.values():  # device rows wake no station
                conn.execute(insert, ("Room 1", 7))
                conn.commit()
            conn.execute(SESSION_ROW, ("Room 1", 7))
            conn.commit()
        received = next(listener.notifies(timeout=10, stop_after=1))
    assert received.channel == NOTIFY_CHANNEL
    assert json.loads(received.payload) == {"room": "Room 1", "table": "sessions", "local_id": 7}
    assert "P-1" not in received.payload


def test_a_malformed_connection_string_is_named_as_such(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["clinic", "init", "--server", "nonsense"]) == 2
    _one_line_refusal(capsys, "not a valid connection string")


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "Room\n2"])
def test_a_bad_room_name_is_refused_before_any_connection(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    unreachable = f"host=127.0.0.1 port={_free_port()} connect_timeout=3"
    assert main(["clinic", "add-room", name, "--server", unreachable]) == 2
    _one_line_refusal(capsys, "room name")


def test_add_room_against_a_newer_schema_is_refused(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(pg_cluster, clinic_db)
    with _admin(pg_cluster, clinic_db) as conn:
        conn.execute("INSERT INTO clinic_schema_version (version) VALUES (%s)",
                     (SCHEMA_VERSION + 1,))
    passfile = tmp_path / "r.pgpass"
    assert main(["clinic", "add-room", "Room 1", "--server", pg_cluster.admin_conninfo(clinic_db),
                 "--passfile", str(passfile)]) == 2
    _one_line_refusal(capsys, "newer")
    assert not passfile.exists()


def test_add_room_without_passfile_writes_role_pgpass_in_the_current_folder(
    pg_cluster: Cluster, clinic_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _init(pg_cluster, clinic_db)
    monkeypatch.chdir(tmp_path)
    assert main(["clinic", "add-room", "Room 1", "--server",
                 pg_cluster.admin_conninfo(clinic_db)]) == 0
    passfile = tmp_path / f"{clinic_db}_room_1.pgpass"
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    with _room_conn(pg_cluster, clinic_db, passfile) as conn:
        conn.execute(SESSION_ROW, ("Room 1", 1))


def test_a_database_name_too_long_for_role_names_is_refused(
    pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    """PostgreSQL would cut `<db>_station` at 63 bytes without a word; the app says so."""
    long_db = "clinic_" + "x" * 50
    with _admin(pg_cluster, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(long_db)))
    assert main(["clinic", "init", "--server", pg_cluster.admin_conninfo(long_db)]) == 2
    _one_line_refusal(capsys, "database name", "too long")
