"""Setting up the clinic server: `clinic init` (schema + station role), `clinic add-room`,
`clinic upgrade` (the migrations a server lacks), `rename-room` and `add-station`.

Each step checks what it needs before it changes anything and refuses with a ClinicError
(one line for clinic IT) when run twice, without the rights it needs, or against a schema
newer than this app knows. Roles are cluster-wide in PostgreSQL, so their names carry the
database's name: two clinic databases on one server never share a role.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from session_app.clinic.connection import failure_line, open_connection, schema_version
from session_app.clinic.schema import (
    MIGRATIONS,
    NOTIFY_CHANNEL,
    RECORD_TABLES,
    ROOM_FUNCTIONS,
    SCHEMA_VERSION,
    VERSION_TABLE,
)

MAX_ROOM_NAME = 60
NO_SCHEMA = "no clinic schema on this server: run `session-app clinic init` first"


class ClinicError(Exception):
    """A refusal or failure clinic IT can act on; its text is one line, with no secret."""


def _one_line(exc: BaseException) -> str:
    """libpq's messages run over several lines (a hint, a DETAIL): keep the first."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def connect(conninfo: str) -> psycopg.Connection:
    """A connection to the clinic server, or a ClinicError that says why not (one line,
    from connection.failure_line: a password refused, a certificate expired, …)."""
    try:
        conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise ClinicError(f"--server is not a valid connection string: {_one_line(exc)}") from None
    try:
        return open_connection(conninfo, connect_timeout_s=10)
    except psycopg.Error as exc:
        raise ClinicError(failure_line(exc)) from None


MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1; a longer name is cut silently


def _role_name(dbname: str, suffix: str) -> str:
    """`<database>_<suffix>`, refused where PostgreSQL would cut it: a cut name would not
    match the one kept in `rooms`, and the room could not insert its own rows."""
    role = f"{dbname}_{suffix}"
    if len(role.encode()) > MAX_IDENTIFIER_BYTES:
        raise ClinicError(
            f"the database name {dbname!r} is too long for the clinic's role names "
            f"({role!r} is over {MAX_IDENTIFIER_BYTES} bytes); use a shorter database name"
        )
    return role


def station_role(dbname: str) -> str:
    return _role_name(dbname, "station")


def _refuse_newer(version: int | None) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise ClinicError(
            f"the clinic server has schema {version}, newer than this app's {SCHEMA_VERSION}: "
            "update session_app first; nothing was changed"
        )


def _require_schema(conn: psycopg.Connection) -> None:
    """Refuse a server with no clinic schema, or another one than this app's."""
    version = schema_version(conn)
    _refuse_newer(version)
    if version is None:
        raise ClinicError(NO_SCHEMA)
    if version < SCHEMA_VERSION:
        raise ClinicError(
            f"the clinic server has schema {version}, older than this app's {SCHEMA_VERSION}: "
            "run `session-app clinic upgrade` first; nothing was changed"
        )


def _require_owner_and_createrole(
    conn: psycopg.Connection, what: str, *, createrole: bool = True
) -> None:
    row = conn.execute(
        "SELECT r.rolsuper, r.rolcreaterole, pg_get_userbyid(d.datdba) = current_user"
        " FROM pg_roles r, pg_database d"
        " WHERE r.rolname = current_user AND d.datname = current_database()"
    ).fetchone()
    superuser, can_create, owner = row if row else (False, False, False)
    if not (superuser or owner):
        raise ClinicError(f"{what} must be run as the owner of the clinic database; "
                          "nothing was changed")
    if createrole and not (superuser or can_create):
        raise ClinicError(f"{what} needs a role that may create roles (CREATEROLE); "
                          "nothing was changed")


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def init_clinic(conninfo: str) -> str:
    """Create the schema (every migration, in order) and the read-only station role, in one
    transaction: a refusal or a failure leaves the database as it was. Returns the role."""
    with connect(conninfo) as conn:
        try:
            version = schema_version(conn)
            _refuse_newer(version)
            if version is not None:
                raise ClinicError("the clinic schema is already there (clinic init ran before); "
                                  "nothing was changed")
            _require_owner_and_createrole(conn, "clinic init")
            dbname = conn.info.dbname
            role = station_role(dbname)
            if _role_exists(conn, role):
                raise ClinicError(f"a role named {role} already exists on this server; "
                                  "nothing was changed")
            conn.execute(VERSION_TABLE)
            _migrate(conn, after=0)
            # NOLOGIN: the station's login roles are made members of it (a later step).
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            _grant(conn, "SELECT", ("rooms", "clinic_schema_version", *RECORD_TABLES), role)
        except psycopg.Error as exc:
            raise ClinicError(f"clinic init failed: {_one_line(exc)}") from None
    return role


def _migrate(conn: psycopg.Connection, *, after: int) -> None:
    """Apply the migrations numbered above `after`, in order, each recorded as applied."""
    for number in range(after + 1, SCHEMA_VERSION + 1):
        conn.execute(MIGRATIONS[number - 1])
        conn.execute("INSERT INTO clinic_schema_version (version) VALUES (%s)", (number,))


def upgrade_clinic(conninfo: str) -> tuple[int, int]:
    """Apply the migrations the server lacks, in one transaction (a failure leaves it as it
    was), and give the rooms and the station their rights on the tables they add: INSERT
    for each room's role, SELECT for the station role. Returns (schema before, after);
    the same number twice when there was nothing to do."""
    with connect(conninfo) as conn:
        try:
            version = schema_version(conn)
            _refuse_newer(version)
            if version is None:
                raise ClinicError(NO_SCHEMA)
            if version == SCHEMA_VERSION:
                return version, version
            _require_owner_and_createrole(conn, "clinic upgrade", createrole=False)
            _migrate(conn, after=version)
            station = station_role(conn.info.dbname)
            if _role_exists(conn, station):
                _grant(conn, "SELECT", RECORD_TABLES, station)
            for (role,) in conn.execute("SELECT role_name FROM rooms").fetchall():
                _grant_room(conn, role)
            conn.commit()
        except psycopg.Error as exc:
            raise ClinicError(f"clinic upgrade failed: {_one_line(exc)}") from None
    return version, SCHEMA_VERSION


def _grant(conn: psycopg.Connection, right: str, tables: tuple[str, ...], role: str) -> None:
    """GRANT `right` (SELECT or INSERT: a constant, never input) on `tables` to `role`."""
    for table in tables:
        conn.execute(sql.SQL("GRANT {} ON {} TO {}").format(
            sql.SQL(right), sql.Identifier(table), sql.Identifier(role)))  # fmt: skip


def _grant_room(conn: psycopg.Connection, role: str) -> None:
    """A room's rights: INSERT on every record table, EXECUTE on its functions."""
    _grant(conn, "INSERT", RECORD_TABLES, role)
    for function in ROOM_FUNCTIONS:  # fixed signatures from schema.py, not input
        conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
            sql.SQL(function), sql.Identifier(role)))  # fmt: skip


def validate_room_name(name: str) -> str:
    """A room's display name: what staff call it ("Room 2"), short, printable."""
    name = name.strip()
    if not name:
        raise ClinicError("a room name cannot be empty")
    if len(name) > MAX_ROOM_NAME:
        raise ClinicError(f"a room name has at most {MAX_ROOM_NAME} characters")
    if not name.isprintable():
        raise ClinicError("a room name cannot hold control characters")
    return name


def _passfile_line(dbname: str, role: str, password: str) -> str:
    """libpq's passfile format. Host and port are `*`: the room may reach the server by
    another name than clinic IT did (a socket here, a multi-host list there); the
    database and the role still pin the line to this clinic and this room."""

    def escape(field: str) -> str:
        return field.replace("\\", "\\\\").replace(":", "\\:")

    return f"*:*:{escape(dbname)}:{escape(role)}:{escape(password)}\n"


def add_room(conninfo: str, name: str, passfile: Path | None = None) -> tuple[str, Path]:
    """Create a room's role (INSERT of its own rows only) and its 0600 passfile.

    The password is made here, sent to the server only as a SCRAM verifier (so no
    server log can hold it) and written only to the passfile, which must not exist yet:
    a file the app did not create is never overwritten. Returns (role, passfile path)."""
    name = validate_room_name(name)
    with connect(conninfo) as conn:
        try:
            _require_schema(conn)
            _require_owner_and_createrole(conn, "clinic add-room")
            taken = conn.execute(  # a renamed room's first name stays its key: both taken
                "SELECT display_name FROM rooms WHERE lower(name) = lower(%s)"
                " OR lower(display_name) = lower(%s)", (name, name)).fetchone()  # fmt: skip
            if taken:
                raise ClinicError(f"a room named {taken[0]!r} already exists; nothing was "
                                  "changed")
            dbname = conn.info.dbname
            count = conn.execute("SELECT count(*) FROM rooms").fetchone()
            role = _role_name(dbname, f"room_{(count[0] if count else 0) + 1}")
            if _role_exists(conn, role):
                raise ClinicError(f"a role named {role} already exists on this server; "
                                  "nothing was changed")
            path = passfile if passfile is not None else Path(f"{role}.pgpass")
            password = _create_login(conn, role)
            conn.execute("INSERT INTO rooms (name, role_name) VALUES (%s, %s)", (name, role))
            _grant_room(conn, role)
            _commit_with_passfile(conn, path, _passfile_line(dbname, role, password))
        except psycopg.Error as exc:
            raise ClinicError(f"clinic add-room failed: {_one_line(exc)}") from None
    return role, path


def _commit_with_passfile(conn: psycopg.Connection, path: Path, line: str) -> None:
    """Write the new login's passfile, then commit its role: a commit that fails takes the
    passfile back, so neither is left without the other."""
    _write_passfile(path, line)
    try:
        conn.commit()
    except psycopg.Error:
        path.unlink(missing_ok=True)
        raise


def _write_passfile(path: Path, line: str) -> None:
    """Create the passfile 0600 from the start (never widened then narrowed), refusing an
    existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ClinicError(f"{path} already exists: choose another --passfile; nothing was "
                          "changed") from None
    except OSError as exc:
        raise ClinicError(f"cannot create {path}: {exc.strerror}; nothing was changed") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # the umask cannot have widened it, but be plain
        out.write(line)


def _create_login(conn: psycopg.Connection, role: str, group: str | None = None) -> str:
    """A LOGIN role with a new password (in `group` if given); returns the password. The
    server is sent only its SCRAM verifier, so no server log can hold the password."""
    password = secrets.token_urlsafe(32)
    verifier = conn.pgconn.encrypt_password(
        password.encode(), role.encode(), b"scram-sha-256").decode()  # fmt: skip
    member = sql.SQL(" IN ROLE {}").format(sql.Identifier(group)) if group else sql.SQL("")
    conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}{}").format(
        sql.Identifier(role), sql.Literal(verifier), member))  # fmt: skip
    return password


def rename_room(conninfo: str, old: str, new: str) -> str:
    """Call a room `new` from now on (`clinic rename-room`); returns its key.

    Only `rooms.display_name` changes. The room's records stay keyed by the name it was
    added with: they are append-only and never rewritten, the row-level security policy
    and the room's claim go through its role, so the room's own `clinic.room` setting
    keeps working and it keeps sending. The station and the history read show the new
    name. A name taken by another room (case-folded, its first name or its current one)
    is refused."""
    new = validate_room_name(new)
    with connect(conninfo) as conn:
        try:
            _require_schema(conn)
            _require_owner_and_createrole(conn, "clinic rename-room", createrole=False)
            row = conn.execute(
                "SELECT name FROM rooms WHERE lower(display_name) = lower(%s) FOR UPDATE",
                (old.strip(),)).fetchone()  # fmt: skip
            if row is None:
                raise ClinicError(f"no room named {old.strip()!r} on this clinic server; "
                                  "nothing was changed")  # fmt: skip
            key = str(row[0])
            taken = conn.execute(
                "SELECT display_name FROM rooms WHERE name <> %s"
                " AND (lower(name) = lower(%s) OR lower(display_name) = lower(%s))",
                (key, new, new)).fetchone()  # fmt: skip
            if taken:
                raise ClinicError(f"the name {new!r} is already taken by room {taken[0]!r}; "
                                  "nothing was changed")  # fmt: skip
            conn.execute("UPDATE rooms SET display_name = %s WHERE name = %s", (new, key))
            # The station redraws the tile at once (room key only, as every notification).
            conn.execute("SELECT pg_notify(%s, json_build_object('room', %s::text)::text)",
                         (NOTIFY_CHANNEL, key))  # fmt: skip
            conn.commit()
        except psycopg.Error as exc:
            raise ClinicError(f"clinic rename-room failed: {_one_line(exc)}") from None
    return key


STATION_NAME = re.compile(r"[a-z0-9_]{1,20}")


def add_station(conninfo: str, name: str, passfile: Path | None = None) -> tuple[str, Path]:
    """A station's login (`clinic add-station`): a LOGIN role in the read-only station
    group `clinic init` made, and its 0600 passfile (never an existing file), as
    `add_room` does. NAME is part of the role's name: lower-case letters, digits, `_`."""
    name = name.strip()
    if not STATION_NAME.fullmatch(name):
        raise ClinicError("a station name is 1 to 20 lower-case letters, digits or _ "
                          "(e.g. desk_1)")  # fmt: skip
    with connect(conninfo) as conn:
        try:
            _require_schema(conn)
            _require_owner_and_createrole(conn, "clinic add-station")
            dbname = conn.info.dbname
            group = station_role(dbname)
            if not _role_exists(conn, group):
                raise ClinicError(f"the station role {group} is missing: was this database "
                                  "set up with `clinic init`?")  # fmt: skip
            role = _role_name(dbname, f"station_{name}")
            if _role_exists(conn, role):
                raise ClinicError(f"a role named {role} already exists on this server; "
                                  "nothing was changed")
            path = passfile if passfile is not None else Path(f"{role}.pgpass")
            password = _create_login(conn, role, group)
            _commit_with_passfile(conn, path, _passfile_line(dbname, role, password))
        except psycopg.Error as exc:
            raise ClinicError(f"clinic add-station failed: {_one_line(exc)}") from None
    return role, path
