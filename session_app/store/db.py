"""Opening the SQLite file safely: refuse what we must not touch, then migrate.

The order matters. The file header is read as plain bytes first, so a file that
is not SQLite, or that a newer version of the app wrote, is refused before
sqlite3 can change a single byte (even switching to WAL rewrites the header).
Then the file is inspected through a connection that cannot write (`_inspect`):
a read-write connection would fold a -wal left by a crash into the main file and
delete it when it closes, even if we then refuse the file. Only a file that
passes is opened for writing (which recovers such a -wal normally).

A new store is built under a temporary name and linked into place complete
(`create_sqlite_file`): a full disk or a crash never leaves a half-made file that
every later start would have to refuse.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from session_app.store.schema import MIGRATIONS, SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"
# Writes run on the staff panel's thread: a lock held by another program fails a save
# after this long (red banner, Save again) rather than freezing the panel.
BUSY_TIMEOUT_MS = 250
# Tables every session_app store has had since schema 1: a file without them is not ours.
OUR_TABLES = frozenset({"sessions", "vitals_checks"})


class StoreError(Exception):
    """The store cannot be used; the message says why in words a nurse or IT can act on."""


class NotADatabaseError(StoreError):
    pass


class NewerSchemaError(StoreError):
    pass


class NoStoreError(StoreError):
    """A command that only reads was pointed at a folder without a store."""


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
        raise NotADatabaseError(_not_ours_message(path, "not SQLite, or cut short"))
    file_version = int.from_bytes(header[60:64], "big")
    if file_version > SCHEMA_VERSION:
        raise NewerSchemaError(_newer_message(path, file_version))


def check_writable(path: Path) -> None:
    """SQLite needs to write the file and create its -wal/-shm files beside it."""
    unwritable = _unwritable(path)
    if unwritable is not None:
        raise StoreError(
            f"session_app cannot save anything in {unwritable}: it is read-only (a read-only "
            "disk, or no write permission). Nothing was changed. Make it writable, or "
            "choose another folder with --data-dir."
        )


def _unwritable(path: Path) -> Path | None:
    targets = [path.parent] + [path] * path.exists()
    return next((target for target in targets if not os.access(target, os.W_OK)), None)


def _newer_message(path: Path, version: int) -> str:
    return (
        f"The data file {path} was written by a newer version of session_app "
        f"(schema {version}; this version knows up to {SCHEMA_VERSION}). "
        "It was not opened or changed. Update session_app to use it."
    )


def _not_ours_message(path: Path, why: str) -> str:
    return (
        f"The data file {path} is not a session_app database ({why}). "
        "It was left as it is; restore it from a backup or move it away."
    )


def _locked_message(path: Path) -> str:
    return (
        f"The data file {path} is locked by another program (a database browser, or "
        "a second session_app?). Nothing was changed. Close that program and start again."
    )


def reason_in_words(exc: BaseException) -> str:
    """What went wrong, in words; the same for opening, saving and backing up."""
    text = str(exc)
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "permission denied (it may belong to another user)"
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno == errno.EROFS:
            return "the disk is read-only"
        text = exc.strerror or text
    if "locked" in text or "busy" in text:
        return "the data file is locked by another program"
    if "readonly" in text or "read-only" in text:
        return "the data file or its folder is read-only"
    if "full" in text:
        return "the disk is full"
    return text


def _sidecar(path: Path, suffix: str) -> Path:
    return Path(f"{path}{suffix}")


def _check_path(path: Path, *, create: bool) -> bool:
    """Refuse a store path we cannot or must not open; True if a new store is to be made.

    Plain file-system questions only, answered in words (never a traceback): the folder
    is missing or a file, the store is a folder or a link to nothing, permission denied.
    """
    folder = path.parent
    try:
        if not create and not folder.exists():
            raise NoStoreError(
                f"There is no session_app data in {folder}: no such folder. "
                "Check --data-dir; nothing was created."
            )
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder} is not a folder (it is a file). Check --data-dir.")
        try:
            link = path.lstat()
        except FileNotFoundError:
            if not create:
                raise NoStoreError(
                    f"There is no session_app data in {folder} (no {path.name} there). "
                    "Check --data-dir; nothing was created."
                ) from None
            return True
        if stat.S_ISLNK(link.st_mode) and not path.exists():
            raise StoreError(
                f"The data file {path} is a link to {os.readlink(path)}, which does not "
                "exist. It was left as it is; fix or remove the link."
            )
        if path.is_dir():
            raise StoreError(
                f"The data file {path} is a folder, not a file. It was left as it is; "
                "move it away or choose another folder with --data-dir."
            )
        if not path.is_file():
            raise StoreError(f"The data file {path} is not a regular file. It was left as it is.")
        _read_header(path)  # readable at all?
    except OSError as exc:
        raise StoreError(
            f"session_app cannot use {folder}: {reason_in_words(exc)}. Nothing was changed. "
            "Run it as the user who owns the folder, or choose another with --data-dir."
        ) from exc
    return False


def connect(
    path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS, *, for_reading: bool = False
) -> sqlite3.Connection:
    """Open (creating if new) and migrate the store file; see module docstring for the order.

    `for_reading`: the caller only reads (listing, export, backup). A missing store is
    then an error (NoStoreError), not a new empty one, and a store in a read-only
    folder is opened read-only instead of refused.
    """
    try:
        return _connect(path, busy_timeout_ms, for_reading=for_reading)
    except OSError as exc:  # the folder or a scratch copy: still one sentence, no traceback
        raise StoreError(
            f"session_app cannot open {path}: {reason_in_words(exc)}. Nothing was changed."
        ) from exc


def _connect(path: Path, busy_timeout_ms: int, *, for_reading: bool) -> sqlite3.Connection:
    is_new = _check_path(path, create=not for_reading)
    if is_new:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        check_writable(path)
        _create_store(path)
    check_file_before_open(path)
    read_only = for_reading and _unwritable(path) is not None
    if not read_only:
        check_writable(path)
    version = _inspect(path, busy_timeout_ms)
    if read_only:
        return _open_read_only(path, version, busy_timeout_ms)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"session_app cannot open {path}: {reason_in_words(exc)}.") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # upgraded by a newer app since it was inspected
            raise NewerSchemaError(_newer_message(path, version))
        _migrate(conn, version)
    except sqlite3.Error as exc:
        conn.close()
        raise _open_problem(path, exc) from exc
    except BaseException:
        conn.close()
        raise
    for suffix in ("-wal", "-shm"):
        sidecar = _sidecar(path, suffix)
        if sidecar.exists():
            with suppress(OSError):  # another user's (or a read-only) file: not ours to change
                sidecar.chmod(0o600)
    return conn


def _open_problem(path: Path, exc: sqlite3.Error) -> StoreError:
    """A file that passed inspection failed to open for writing: say why."""
    reason = reason_in_words(exc)
    if "locked by another program" in reason:
        return StoreError(_locked_message(path))
    if reason != str(exc):  # a full or read-only disk: the file itself is fine
        return StoreError(f"session_app cannot open {path}: {reason}. Nothing was changed.")
    return NotADatabaseError(
        f"The data file {path} cannot be read as a session_app database ({exc}). "
        "It was left as it is; restore it from a backup or move it away."
    )


def _read_only_uri(path: Path) -> str | None:
    """A URI that reads `path` (with its -wal) without writing any byte, or None if only
    a copy can be read so: a -wal without its -shm needs a -shm to be built."""
    uri = f"file:{quote(str(path))}?mode=ro"
    wal = _sidecar(path, "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return uri + "&immutable=1"  # everything is in the main file
    if _sidecar(path, "-shm").exists():
        return uri + "&readonly_shm=1"  # -shm opened read-only: never rewritten
    return None


def _inspect(path: Path, busy_timeout_ms: int) -> int:
    """Refuse a newer, foreign or damaged file, reading it without writing a byte of it,
    its -wal or its -shm; return its schema version."""
    uri = _read_only_uri(path)
    if uri is not None:
        return _inspect_uri(path, uri, busy_timeout_ms)
    with tempfile.TemporaryDirectory(prefix="session_app-check-") as scratch:  # 0700
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(_sidecar(path, "-wal"), _sidecar(copy, "-wal"))
        return _inspect_uri(path, str(copy), busy_timeout_ms)


def _inspect_uri(path: Path, uri: str, busy_timeout_ms: int) -> int:
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if "locked by another program" in reason_in_words(exc):
            raise StoreError(_locked_message(path)) from exc
        raise NotADatabaseError(
            f"The data file {path} cannot be read as a session_app database ({exc}). "
            "It was left as it is; restore it from a backup or move it away."
        ) from exc
    if version > SCHEMA_VERSION:  # a newer app's migration still in the WAL
        raise NewerSchemaError(_newer_message(path, version))
    if version == 0 or not tables >= OUR_TABLES:
        why = "it holds other tables" if tables else "it holds no tables"
        raise NotADatabaseError(_not_ours_message(path, f"SQLite, but {why}"))
    if problem != "ok":
        raise NotADatabaseError(
            f"The data file {path} is damaged ({problem}). It was left as it is; "
            "restore it from a backup."
        )
    return int(version)


def _open_read_only(path: Path, version: int, busy_timeout_ms: int) -> sqlite3.Connection:
    """A store in a read-only folder, for the commands that only read it."""
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"The data file {path} needs upgrading to this version of session_app, which "
            "cannot be done in a read-only folder. Nothing was changed. Open it once where "
            "it is writable."
        )
    uri = _read_only_uri(path)
    if uri is None:
        raise StoreError(
            f"The data file {path} has changes in its -wal file that only a writable "
            "folder can recover. Nothing was changed. Open it once where it is writable."
        )
    conn = sqlite3.connect(
        uri,
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=busy_timeout_ms / 1000,
    )
    conn.execute("PRAGMA query_only = ON")
    return conn


def create_sqlite_file(path: Path, build: Callable[[sqlite3.Connection], None]) -> None:
    """Make a new SQLite file at `path` that appears complete or not at all.

    `build` fills a file under a temporary name in the same folder (0600, rollback
    journal, synchronous=FULL); only then is it linked into place. Any failure (a full
    disk, an error in `build`) removes the temporary file and raises; FileExistsError
    if `path` appeared meanwhile. Used for new stores and for backups.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = FULL")
            build(conn)
        finally:
            conn.close()
        for suffix in ("-journal", "-wal"):
            if _sidecar(temp, suffix).exists():  # a commit that did not finish
                raise sqlite3.OperationalError(f"{temp.name}{suffix} was left: not complete")
        with temp.open("rb") as done:
            os.fsync(done.fileno())
        _link_into_place(temp, path)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            _sidecar(temp, suffix).unlink(missing_ok=True)


def _link_into_place(temp: Path, path: Path) -> None:
    """A hard link never replaces an existing file; where links are not supported (a FAT
    USB stick) a rename is the fallback, after a last check that nothing is there."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.rename(temp, path)
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)  # the new name is on disk too
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(folder)


def _create_store(path: Path) -> None:
    """A new, fully migrated store in WAL mode at `path` (see `create_sqlite_file`)."""

    def build(conn: sqlite3.Connection) -> None:
        _migrate(conn, 0)
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            raise sqlite3.OperationalError("could not switch the new store to WAL")

    try:
        create_sqlite_file(path, build)
    except FileExistsError:
        pass  # another session_app made it meanwhile: it is complete, open that one
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"session_app could not create its data file in {path.parent}: {reason_in_words(exc)}. "
            "Nothing was left behind; fix the cause and start again."
        ) from exc


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
    if from_version < SCHEMA_VERSION:
        # Into the main file at once: what a migration dropped (schema 2: old PIN hashes,
        # zeroed by secure_delete) must not stay readable there until a later checkpoint.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


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
    return (
        f"Not saved: {reason_in_words(exc)}. Nothing was lost from the form; fix the cause and "
        "save again."
    )
