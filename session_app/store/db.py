"""Opening the SQLite file safely: refuse what we must not touch, then migrate.

The order matters. The file header is read as plain bytes first, so a file that
is not SQLite, or that a newer version of the app wrote, is refused before
sqlite3 can change a single byte (even switching to WAL rewrites the header).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from session_app.store.schema import MIGRATIONS, SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 3000


class StoreError(Exception):
    """The store cannot be used; the message says why in words a nurse or IT can act on."""


class NotADatabaseError(StoreError):
    pass


class NewerSchemaError(StoreError):
    pass


class StoreWriteError(StoreError):
    """A write failed and was rolled back: nothing of it was saved."""


def _read_header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(100)


def check_file_before_open(path: Path) -> None:
    """Refuse a non-SQLite, truncated or newer-schema file without modifying it."""
    if not path.exists() or path.stat().st_size == 0:
        if path.exists():
            raise NotADatabaseError(
                f"The data file {path} is empty (0 bytes). It was left as it is; "
                "restore it from a backup or move it away to start a new store."
            )
        return
    header = _read_header(path)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotADatabaseError(
            f"The data file {path} is not a session_app database (not SQLite, or cut short). "
            "It was left as it is; restore it from a backup or move it away."
        )
    file_version = int.from_bytes(header[60:64], "big")
    if file_version > SCHEMA_VERSION:
        raise NewerSchemaError(_newer_message(path, file_version))


def check_writable(path: Path) -> None:
    """SQLite needs to write the file and create its -wal/-shm files beside it."""
    targets = [path.parent] + [path] * path.exists()
    for target in targets:
        if not os.access(target, os.W_OK):
            raise StoreError(
                f"session_app cannot save anything in {target}: it is read-only (a read-only "
                "disk, or no write permission). Nothing was changed. Make it writable, or "
                "choose another folder with --data-dir."
            )


def _newer_message(path: Path, version: int) -> str:
    return (
        f"The data file {path} was written by a newer version of session_app "
        f"(schema {version}; this version knows up to {SCHEMA_VERSION}). "
        "It was not opened or changed. Update session_app to use it."
    )


def connect(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open (creating if new) and migrate the store file; see module docstring for the order."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    check_file_before_open(path)
    check_writable(path)
    is_new = not path.exists()
    if is_new:
        # Create the file 0600 ourselves, so it is never world-readable even for a moment.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # a newer app's migration still in the WAL
            raise NewerSchemaError(_newer_message(path, version))
        if not is_new:
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise NotADatabaseError(
                    f"The data file {path} is damaged ({problem}). It was left as it is; "
                    "restore it from a backup."
                )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise NotADatabaseError(
            f"The data file {path} cannot be read as a session_app database ({exc}). "
            "It was left as it is; restore it from a backup or move it away."
        ) from exc
    except BaseException:
        conn.close()
        raise
    for suffix in ("-wal", "-shm"):
        sidecar = Path(f"{path}{suffix}")
        if sidecar.exists():
            sidecar.chmod(0o600)
    return conn


def _migrate(conn: sqlite3.Connection, from_version: int) -> None:
    for number, script in enumerate(MIGRATIONS[from_version:], start=from_version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _split(script: str) -> Iterator[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT; any failure rolls back and becomes StoreWriteError.

    When this block exits normally the rows are on disk (WAL, synchronous=FULL):
    only then may the caller tell anyone they were saved.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise StoreWriteError(_write_problem(exc)) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreWriteError(_write_problem(exc)) from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _write_problem(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        reason = "the data file is locked by another program"
    elif "readonly" in text or "read-only" in text:
        reason = "the data file or its folder is read-only"
    elif "full" in text:
        reason = "the disk is full"
    else:
        reason = text
    return f"Not saved: {reason}. Nothing was lost from the form; fix the cause and save again."
