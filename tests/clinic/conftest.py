"""A real, throwaway PostgreSQL cluster for the clinic tests: one per test session, and
one of its own for a test that kills its server (`own_cluster`, the fault test).

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
import signal
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

    def run(self, *args: str, check: bool = True) -> bool:
        """A command as the cluster's owner (`postgres` under root); with `check`, fails
        the test if it fails. Returns whether it succeeded."""
        result = subprocess.run([*self.run_as, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0 and check:
            log = self.logfile.read_text() if self.logfile.exists() else ""
            pytest.fail(f"{args[0]} failed: {result.stderr}{result.stdout}\n{log}", pytrace=False)
        return result.returncode == 0

    def pg_ctl(self, action: str, *settings: str) -> None:
        """`start`/`restart` (waiting until it accepts connections) with `-c` settings."""
        port, sockets = self.cluster.port, self.cluster.socket_dir
        options = " ".join([f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off",
                            *(f"-c {setting}" for setting in settings)])
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile),
                 "-w", "-o", options, action)

    def start(self, *, attempts: int = 1) -> None:
        """pg_ctl start; after a SIGKILL the old backends may still hold shared memory for
        a moment, so the fault test allows a few attempts (pg_ctl -w waits for each)."""
        c = self.cluster
        options = f"-h 127.0.0.1 -p {c.port} -k {c.socket_dir} -c fsync=off"
        pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile)]
        for attempt in range(1, attempts + 1):
            if self.run(*pg_ctl, "-w", "-o", options, "start", check=attempt == attempts):
                return

    def kill(self) -> None:
        """SIGKILL the postmaster (no shutdown at all), as a crash or an OOM kill would."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)

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


@pytest.fixture
def own_cluster() -> Iterator[Postmaster]:
    """A cluster for one test alone, which it may kill: the shared one serves the others."""
    server = Postmaster()
    server.start()
    try:
        yield server
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


@dataclass(frozen=True)
class ClinicServer:
    """A clinic database set up as clinic IT would (`init`, `add-room`), and its rooms'
    passfiles: what a room PC is given."""

    cluster: Cluster
    db: str
    passfiles: dict[str, Path]

    def room_conninfo(self, room: str) -> str:
        """What the room's nurse or IT types as --server (no password: that is in the file)."""
        role = self.passfiles[room].read_text().split(":")[3]
        return self.cluster.tcp_conninfo(self.db, role)

    def join_argv(self, room: str, data_dir: Path) -> list[str]:
        return [
            "--data-dir", str(data_dir), "clinic", "join", "--room", room,
            "--server", self.room_conninfo(room), "--passfile", str(self.passfiles[room]),
        ]  # fmt: skip

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.cluster.admin_conninfo(self.db), autocommit=True)

    def keys(self, table: str) -> list[tuple[str, int]]:
        """Every (room, local_id) of a table, duplicates kept (the PK forbids them anyway)."""
        with self.admin() as conn:
            query = sql.SQL("SELECT room, local_id FROM {} ORDER BY room, local_id")
            return [(r, int(i)) for r, i in conn.execute(query.format(sql.Identifier(table)))]


def make_clinic(cluster: Cluster, db: str, folder: Path, *rooms: str) -> ClinicServer:
    from session_app.clinic.server import add_room, init_clinic

    init_clinic(cluster.admin_conninfo(db))
    passfiles = {}
    for number, room in enumerate(rooms, start=1):
        passfiles[room] = folder / f"room{number}.pgpass"
        add_room(cluster.admin_conninfo(db), room, passfiles[room])
    return ClinicServer(cluster, db, passfiles)


@pytest.fixture
def clinic(pg_cluster: Cluster, clinic_db: str, tmp_path: Path) -> ClinicServer:
    """A clinic server with two rooms on the shared cluster."""
    return make_clinic(pg_cluster, clinic_db, tmp_path, "Room 1", "Room 2")
