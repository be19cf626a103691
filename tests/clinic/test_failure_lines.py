"""Each clinic fault is one line for the staff strip and the log, against a real server:
what went wrong and where, never a traceback, a password or a value from a record."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest

from session_app.clinic.connection import (
    SchemaTooNew,
    failure_line,
    open_connection,
    require_known_schema,
)
from session_app.clinic.schema import SCHEMA_VERSION
from tests.clinic.conftest import Cluster, LoginRole, _free_port


def _line(exc: BaseException, *secrets: str) -> str:
    line = failure_line(exc)
    assert line and "\n" not in line and "Traceback" not in line, line
    for secret in secrets:
        assert secret not in line, line
    return line


def _refused(conninfo: str, passfile: Path | None = None, *secrets: str) -> str:
    with pytest.raises(psycopg.Error) as caught:
        open_connection(conninfo, passfile=passfile).close()
    return _line(caught.value, *secrets)


def test_a_wrong_password_names_the_role_and_the_server(
    pg_cluster: Cluster, clinic_db: str, login_role: LoginRole, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.pgpass"
    wrong.write_text(f"*:*:*:{login_role.name}:not-the-password\n")
    wrong.chmod(0o600)
    line = _refused(pg_cluster.tcp_conninfo(clinic_db, login_role.name), wrong,
                    "not-the-password", login_role.password)
    assert line.startswith(f"password refused for role {login_role.name} "), line
    assert f"127.0.0.1:{pg_cluster.port}" in line


def test_a_passfile_without_the_role_says_so_and_names_the_file(
    pg_cluster: Cluster, clinic_db: str, login_role: LoginRole, tmp_path: Path
) -> None:
    other = tmp_path / "other.pgpass"
    other.write_text("*:*:*:someone_else:whatever\n")
    other.chmod(0o600)
    line = _refused(pg_cluster.tcp_conninfo(clinic_db, login_role.name), other)
    assert line == (f"no password for role {login_role.name} in {other} "
                    "(the passfile from `clinic add-room`)")


def test_an_unknown_role_is_named(pg_cluster: Cluster, clinic_db: str) -> None:
    """Over the socket (trust) the server says so; over TCP with passwords it answers as
    for a wrong password, on purpose, and the line says it may be either."""
    line = _refused(f"host={pg_cluster.socket_dir} port={pg_cluster.port} dbname={clinic_db} "
                    "user=no_such_room")
    assert line == f"role no_such_room does not exist on the clinic server at " \
                   f"{pg_cluster.socket_dir}:{pg_cluster.port}"


def test_an_unknown_role_over_tcp_says_it_may_be_missing(
    pg_cluster: Cluster, clinic_db: str, login_role: LoginRole
) -> None:
    ghost = login_role.passfile.parent / "ghost.pgpass"
    ghost.write_text("*:*:*:no_such_room:some-password\n")
    ghost.chmod(0o600)
    line = _refused(pg_cluster.tcp_conninfo(clinic_db, "no_such_room"), ghost, "some-password")
    assert "password refused for role no_such_room" in line
    assert "or the role is not on this server" in line


def test_an_unreachable_server_names_its_host_and_port() -> None:
    port = _free_port()
    line = _refused(f"host=127.0.0.1 port={port} dbname=clinic user=room")
    assert line == f"cannot reach the clinic server at 127.0.0.1:{port} (connection refused)"


def test_a_missing_database_is_named(pg_cluster: Cluster, login_role: LoginRole) -> None:
    line = _refused(pg_cluster.tcp_conninfo("no_such_clinic", login_role.name),
                    login_role.passfile)
    assert line == (f"there is no database no_such_clinic on the clinic server at "
                    f"127.0.0.1:{pg_cluster.port}")


def test_a_newer_server_schema_is_refused_and_says_the_room_keeps_saving(
    pg_cluster: Cluster, clinic_db: str
) -> None:
    with psycopg.connect(pg_cluster.admin_conninfo(clinic_db), autocommit=True) as conn:
        conn.execute("CREATE TABLE clinic_schema_version (version INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO clinic_schema_version VALUES (%s)", (SCHEMA_VERSION + 1,))
    with (open_connection(pg_cluster.admin_conninfo(clinic_db)) as conn,
          pytest.raises(SchemaTooNew) as caught):
        require_known_schema(conn)
    line = _line(caught.value)
    assert f"schema {SCHEMA_VERSION + 1}, newer than this app's {SCHEMA_VERSION}" in line
    assert "keeps saving locally" in line


def test_a_known_schema_is_accepted(pg_cluster: Cluster, clinic_db: str) -> None:
    with open_connection(pg_cluster.admin_conninfo(clinic_db)) as conn:
        require_known_schema(conn)  # no clinic schema yet: nothing newer to refuse


def test_a_query_refused_names_the_sqlstate_never_the_value(
    pg_cluster: Cluster, clinic_db: str
) -> None:
    with (open_connection(pg_cluster.admin_conninfo(clinic_db)) as conn,
          pytest.raises(psycopg.Error) as caught):
        conn.execute("SELECT 'PATIENT-4711'::integer")
    line = _line(caught.value, "PATIENT-4711")
    assert "SQLSTATE 22P02" in line, line


def test_a_connection_lost_mid_session_is_one_line(pg_cluster: Cluster, clinic_db: str) -> None:
    conn = open_connection(pg_cluster.admin_conninfo(clinic_db))
    try:
        pid = conn.info.backend_pid
        with psycopg.connect(pg_cluster.admin_conninfo(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError) as caught:
            conn.execute("SELECT 1")
    finally:
        conn.close()
    lost = "lost the connection to the clinic server (it will be tried again)"
    assert _line(caught.value) == lost


@pytest.mark.parametrize("conninfo", [
    "host=db password=abc secretpart",
    "host=db secretpart=abc",
    "postgresql://room:abc@db/clinic?secretpart=1",
])
def test_a_malformed_connection_string_never_echoes_it(conninfo: str) -> None:
    with pytest.raises(psycopg.ProgrammingError) as caught:
        open_connection(conninfo)
    line = _line(caught.value, "secretpart", "abc")
    assert "connection string is not valid" in line


def test_the_connection_string_may_set_its_own_timeout_and_name(
    pg_cluster: Cluster, clinic_db: str
) -> None:
    conninfo = pg_cluster.admin_conninfo(clinic_db) + " application_name=station-7"
    with open_connection(conninfo) as conn:
        assert conn.info.parameter_status("application_name") == "station-7"


def test_a_server_that_never_answers_is_named_with_its_port() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        line = _refused(f"host=127.0.0.1 port={port} dbname=clinic user=room connect_timeout=2")
    assert line == f"cannot reach the clinic server at 127.0.0.1:{port} (no answer in time)"


def test_a_programming_error_on_a_query_is_not_called_a_bad_connection_string(
    pg_cluster: Cluster, clinic_db: str
) -> None:
    with (open_connection(pg_cluster.admin_conninfo(clinic_db)) as conn,
          pytest.raises(psycopg.ProgrammingError) as caught):
        conn.execute("SELECT %s", ())
    line = _line(caught.value)
    assert "connection string" not in line and "ProgrammingError" in line, line
