"""`session-app clinic upgrade` against a real PostgreSQL cluster: a server set up by the
previous release (schema 4, before the device tables) brought to this app's schema in one
step, its rooms and station given their rights on the new tables, its records kept; and
each refusal as one line with exit 2."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from session_app.app import main
from session_app.clinic import server
from session_app.clinic.schema import (
    BOARD_TABLES,
    DEVICE_TABLES,
    MIGRATIONS,
    RECORD_TABLES,
    SCHEMA_VERSION,
)
from session_app.clinic.sender import _schema_problem
from tests.clinic.conftest import Cluster, LoginRole
from tests.clinic.test_server_setup import (
    DEVICE_ROW,
    SESSION_ROW,
    _admin,
    _one_line_refusal,
    _room_conn,
    newer_schema,
)

BEFORE = 4  # the schema the release before the device tables set up


def previous_release_clinic(
    monkeypatch: pytest.MonkeyPatch, cluster: Cluster, db: str, passfile: Path
) -> None:
    """`clinic init` and `clinic add-room "Room 1"` as the previous release ran them (its
    migrations, its tables), and a session the room sent then."""
    with monkeypatch.context() as old:
        old.setattr(server, "MIGRATIONS", MIGRATIONS[:BEFORE])
        old.setattr(server, "SCHEMA_VERSION", BEFORE)
        old.setattr(server, "RECORD_TABLES", BOARD_TABLES)
        server.init_clinic(cluster.admin_conninfo(db))
        server.add_room(cluster.admin_conninfo(db), "Room 1", passfile)
    with _room_conn(cluster, db, passfile) as conn:
        conn.execute(SESSION_ROW, ("Room 1", 1))
        conn.commit()


def _version(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT max(version) FROM clinic_schema_version").fetchone()
    assert row is not None
    return int(row[0])


def _shape(conn: psycopg.Connection) -> tuple[list[tuple[str, ...]], ...]:
    """Columns, triggers and policies of the record tables: what a migration made."""
    columns = conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY 1, 2").fetchall()  # fmt: skip
    triggers = conn.execute(
        "SELECT event_object_table, trigger_name, event_manipulation FROM"
        " information_schema.triggers ORDER BY 1, 2, 3").fetchall()  # fmt: skip
    policies = conn.execute(
        "SELECT tablename, policyname, cmd FROM pg_policies ORDER BY 1, 2").fetchall()
    return columns, triggers, policies


def test_upgrade_brings_a_previous_release_server_to_this_schema_with_every_right(
    monkeypatch: pytest.MonkeyPatch, pg_cluster: Cluster, clinic_db: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    passfile = tmp_path / "r1.pgpass"
    previous_release_clinic(monkeypatch, pg_cluster, clinic_db, passfile)
    admin = pg_cluster.admin_conninfo(clinic_db)
    with _room_conn(pg_cluster, clinic_db, passfile) as conn:  # what the room is told
        assert "`session-app clinic upgrade`" in _schema_problem(conn)
    assert main(["clinic", "add-room", "Room 2", "--server", admin,
                 "--passfile", str(tmp_path / "r2.pgpass")]) == 2  # fmt: skip
    _one_line_refusal(capsys, "schema 4, older", "clinic upgrade")
    assert not (tmp_path / "r2.pgpass").exists()

    assert main(["clinic", "upgrade", "--server", admin]) == 0
    assert capsys.readouterr().out == (
        f"Clinic schema upgraded from {BEFORE} to {SCHEMA_VERSION}; every room and the station "
        "keep their rights.\n"
    )
    with _room_conn(pg_cluster, clinic_db, passfile) as conn:
        assert _schema_problem(conn) == ""
        for insert in DEVICE_ROW.values():  # the room's right on each new table
            conn.execute(insert, ("Room 1", 1))
        conn.commit()
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(DEVICE_ROW["device_observations"], ("Room 2", 1))
    with _admin(pg_cluster, clinic_db) as conn:
        assert _version(conn) == SCHEMA_VERSION
        assert conn.execute("SELECT room, local_id FROM sessions").fetchall() == [("Room 1", 1)]
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(f"{clinic_db}_station")))
        for table in DEVICE_TABLES:  # the station's right to read them
            query = sql.SQL("SELECT room, local_id FROM {}").format(sql.Identifier(table))
            assert conn.execute(query).fetchall() == [("Room 1", 1)]
        conn.execute("RESET ROLE")
        upgraded = _shape(conn)

    # A second run changes nothing; add-room works again and its room may send device rows.
    assert main(["clinic", "upgrade", "--server", admin]) == 0
    assert capsys.readouterr().out == (
        f"The clinic schema is already {SCHEMA_VERSION}; nothing was changed.\n"
    )
    assert main(["clinic", "add-room", "Room 2", "--server", admin,
                 "--passfile", str(tmp_path / "r2.pgpass")]) == 0  # fmt: skip
    with _room_conn(pg_cluster, clinic_db, tmp_path / "r2.pgpass") as conn:
        conn.execute(DEVICE_ROW["device_observations"], ("Room 2", 1))
        conn.commit()

    # An upgraded server is the same shape as one set up by this release.
    fresh = f"{clinic_db}_fresh"
    with _admin(pg_cluster, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh)))
    assert main(["clinic", "init", "--server", pg_cluster.admin_conninfo(fresh)]) == 0
    with _admin(pg_cluster, fresh) as conn:
        assert _shape(conn) == upgraded
    assert set(RECORD_TABLES) == {t for t, *_ in upgraded[0]} - {"rooms", "clinic_schema_version"}


def test_upgrade_as_a_role_that_does_not_own_the_database_is_refused_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, pg_cluster: Cluster, clinic_db: str, tmp_path: Path,
    login_role: LoginRole, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    previous_release_clinic(monkeypatch, pg_cluster, clinic_db, tmp_path / "r1.pgpass")
    conninfo = pg_cluster.tcp_conninfo(clinic_db, login_role.name)
    argv = ["clinic", "upgrade", "--server", f"{conninfo} passfile={login_role.passfile}"]
    assert main(argv) == 2
    _one_line_refusal(capsys, "owner of the clinic database", "nothing was changed")
    with _admin(pg_cluster, clinic_db) as conn:
        assert _version(conn) == BEFORE
        assert conn.execute("SELECT to_regclass('public.device_observations')").fetchone() == (
            None,
        )


@pytest.mark.parametrize(
    ("newer", "words"),
    [(False, ("no clinic schema", "clinic init")), (True, ("newer", "update session_app first"))],
    ids=["no-schema", "newer-schema"],
)
def test_upgrade_of_a_server_without_our_schema_or_with_a_newer_one_is_refused(
    pg_cluster: Cluster, clinic_db: str, capsys: pytest.CaptureFixture[str], newer: bool,
    words: tuple[str, ...],
) -> None:  # fmt: skip
    if newer:
        newer_schema(pg_cluster, clinic_db)
    assert main(["clinic", "upgrade", "--server", pg_cluster.admin_conninfo(clinic_db)]) == 2
    _one_line_refusal(capsys, *words)
