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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = _pg_bindir()
    root = Path(tempfile.mkdtemp(prefix="clinic-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(root, pg.pw_uid, pg.pw_gid)
        run_as = ["setpriv", f"--reuid={pg.pw_uid}", f"--regid={pg.pw_gid}", "--clear-groups"]
    data, sockets, logfile = root / "data", root / "sock", root / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        result = subprocess.run([*run_as, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = logfile.read_text() if logfile.exists() else ""
            pytest.fail(f"{args[0]} failed: {result.stderr}{result.stdout}\n{log}", pytrace=False)

    run("mkdir", "-m", "0700", str(sockets))
    run(
        str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth-local=trust",
        "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C",
    )  # fmt: skip
    options = f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(logfile), "-w", "-o", options, "start")
    try:
        yield Cluster(port=port, socket_dir=sockets)
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


_numbers = itertools.count(1)


@pytest.fixture
def clinic_db(pg_cluster: Cluster) -> str:
    """A fresh, empty database of its own for one test: its name."""
    name = f"clinic_t{next(_numbers)}"
    with psycopg.connect(pg_cluster.admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name
