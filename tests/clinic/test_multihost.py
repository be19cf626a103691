"""High availability is PostgreSQL's: a libpq multi-host string reaches whichever host is up
and accepts writes; when none is, one line names every host tried."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest

from session_app.clinic.connection import failure_line, open_connection
from tests.clinic.conftest import Cluster, LoginRole, _free_port


def _multi(ports: str, dbname: str, user: str) -> str:
    return (f"host=127.0.0.1,127.0.0.1 port={ports} dbname={dbname} user={user} "
            "target_session_attrs=read-write")


def test_the_second_host_is_used_when_the_first_is_down(
    pg_cluster: Cluster, clinic_db: str, login_role: LoginRole
) -> None:
    dead = _free_port()
    conninfo = _multi(f"{dead},{pg_cluster.port}", clinic_db, login_role.name)
    with open_connection(conninfo, passfile=login_role.passfile) as conn:
        assert conn.info.port == pg_cluster.port
        assert conn.execute("SELECT current_user").fetchone() == (login_role.name,)


def test_every_host_down_is_one_line_naming_both() -> None:
    first, second = _free_port(), _free_port()
    with pytest.raises(psycopg.Error) as caught:
        open_connection(_multi(f"{first},{second}", "clinic", "room"))
    assert failure_line(caught.value) == (
        f"cannot reach the clinic server at 127.0.0.1:{first} or 127.0.0.1:{second} "
        "(connection refused)"
    )


def test_a_host_that_answers_and_refuses_says_why_not_that_others_are_down(
    pg_cluster: Cluster, clinic_db: str, login_role: LoginRole, tmp_path: Path
) -> None:
    """The live host refused the password: that is what clinic IT must fix."""
    wrong = tmp_path / "wrong.pgpass"
    wrong.write_text(f"*:*:*:{login_role.name}:nope\n")
    wrong.chmod(0o600)
    conninfo = _multi(f"{_free_port()},{pg_cluster.port}", clinic_db, login_role.name)
    with pytest.raises(psycopg.Error) as caught:
        open_connection(conninfo, passfile=wrong)
    line = failure_line(caught.value)
    assert line.startswith(f"password refused for role {login_role.name} at "
                           f"127.0.0.1:{pg_cluster.port}"), line


def test_a_host_that_never_answers_and_a_dead_one_are_both_named() -> None:
    """A listener that accepts and then says nothing (a hung server): libpq's timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        hung, dead = silent.getsockname()[1], _free_port()
        with pytest.raises(psycopg.Error) as caught:
            open_connection(_multi(f"{dead},{hung}", "clinic", "room"), connect_timeout_s=2)
    assert failure_line(caught.value) == (
        f"cannot reach the clinic server at 127.0.0.1:{dead} or 127.0.0.1:{hung} "
        "(connection refused / no answer in time)"
    )
