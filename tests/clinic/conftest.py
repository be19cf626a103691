"""A real, throwaway PostgreSQL cluster for the clinic tests: one per test session.

initdb refuses to run as root (CI runs as root here), so under root the cluster is made and
run as the `postgres` user through setpriv. The binaries come from Debian's `postgresql`
package (scripts/system-deps.sh installs it); without them the fixture fails, never skips.
Each test gets its own database, so the schema and roles of one test never meet another's.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "postgres"


DEBIAN_INITDB = "/usr/lib/postgresql/*/bin/initdb"


def _pg_bindir(
    pg_config: str | None = shutil.which("pg_config"), pattern: str = DEBIAN_INITDB
) -> Path:
    """Where initdb and pg_ctl are: pg_config's answer, else Debian's versioned folder.
    (Arguments for the fixture's own test: no pg_config, another folder pattern.)"""
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    found = sorted(glob.glob(pattern))
    if found:
        return Path(found[-1]).parent
    pytest.fail(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/system-deps.sh "
        "(it installs Debian's `postgresql`)",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    """A running cluster: TCP on 127.0.0.1:port (passwords), unix socket in socket_dir (trust)."""

    port: int
    socket_dir: Path

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        """The superuser over the unix socket (trust), as clinic IT's `postgres` would be."""
        return f"host={self.socket_dir} port={self.port} dbname={dbname} user={SUPERUSER}"

    def tcp_conninfo(self, dbname: str, user: str) -> str:
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user} connect_timeout=5"


class Postmaster:
    """One throwaway cluster on disk: started, restarted with other settings (the TLS
    tests turn `ssl` on and swap certificates), stopped and removed."""

    def __init__(self, prefix: str = "clinic-pg-") -> None:
        self.bindir = _pg_bindir()
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.root, pg.pw_uid, pg.pw_gid)
            self.run_as = ["setpriv", f"--reuid={pg.pw_uid}", f"--regid={pg.pw_gid}",
                           "--clear-groups"]
        self.data, self.logfile = self.root / "data", self.root / "server.log"
        self.cluster = Cluster(port=_free_port(), socket_dir=self.root / "sock")
        self.run("mkdir", "-m", "0700", str(self.cluster.socket_dir))
        self.run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8",
            "--locale=C",
        )  # fmt: skip

    def run(self, *args: str) -> None:
        """A command as the cluster's owner (`postgres` under root); fails the test if it fails."""
        result = subprocess.run([*self.run_as, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text() if self.logfile.exists() else ""
            pytest.fail(f"{args[0]} failed: {result.stderr}{result.stdout}\n{log}", pytrace=False)

    def pg_ctl(self, action: str, *settings: str) -> None:
        """`start`/`restart` (waiting until it accepts connections) with `-c` settings."""
        port, sockets = self.cluster.port, self.cluster.socket_dir
        options = " ".join([f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off",
                            *(f"-c {setting}" for setting in settings)])
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile),
                 "-w", "-o", options, action)

    def remove(self) -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    server = Postmaster()
    server.pg_ctl("start")
    try:
        yield server.cluster
    finally:
        server.remove()


_numbers = itertools.count(1)


@pytest.fixture
def clinic_db(pg_cluster: Cluster) -> str:
    """A fresh, empty database of its own for one test: its name."""
    name = f"clinic_t{next(_numbers)}"
    with psycopg.connect(pg_cluster.admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


@dataclass(frozen=True)
class LoginRole:
    """A login role with a password, and a 0600 passfile holding it (as a room has)."""

    name: str
    password: str
    passfile: Path


@pytest.fixture
def login_role(pg_cluster: Cluster, clinic_db: str, tmp_path: Path) -> LoginRole:
    """A password login for `clinic_db` over TCP (roles are cluster-wide: named after it)."""
    role = LoginRole(f"{clinic_db}_login", f"pw-{next(_numbers)}-Xy9", tmp_path / "role.pgpass")
    with psycopg.connect(pg_cluster.admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role.name), sql.Literal(role.password)))
    role.passfile.write_text(f"*:*:*:{role.name}:{role.password}\n")
    role.passfile.chmod(0o600)
    return role
