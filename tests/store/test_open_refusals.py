"""A file the store refuses is left exactly as it was: the main file, its -wal and -shm.

"Left as it is" has to hold for a hot WAL too (a crash left committed pages in the
-wal file): SQLite folds the -wal into the main file and deletes it when the last
connection closes, so the refusal must be decided without a read-write connection.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import NewerSchemaError, NotADatabaseError, SessionStore, StoreError
from session_app.store.repository import DB_FILENAME
from session_app.store.schema import SCHEMA_VERSION
from tests.faults import leave_hot_wal, locked_by_other_process


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder by name, with a hash of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def our_store(folder: Path, sessions: int = 1) -> Path:
    store = SessionStore.open(folder)
    for number in range(sessions):
        store.start_session(NewSession(f"P-{number}", IV_KETAMINE, "AB"))
    store.close()
    return folder / DB_FILENAME


def damage_page(path: Path, table: str) -> None:
    """Overwrite the root page of `table` with garbage (as a bad disk sector would)."""
    raw = sqlite3.connect(path)
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    [root] = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    raw.close()
    with path.open("r+b") as handle:
        handle.seek(page_size * (root - 1))
        handle.write(b"\xa5" * page_size)


def assert_refused_and_untouched(folder: Path, error: type[StoreError], match: str) -> None:
    before = fingerprint(folder)
    with pytest.raises(error, match=match):
        SessionStore.open(folder)
    assert fingerprint(folder) == before  # same files, same bytes: -wal and -shm included


def test_a_damaged_store_with_a_hot_wal_is_refused_without_a_byte_changing(data_dir: Path) -> None:
    path = our_store(data_dir, sessions=3)
    damage_page(path, "sessions")
    leave_hot_wal(
        path, "INSERT INTO settings_versions (settings_json, saved_at) VALUES ('{}', 'x')"
    )
    assert {f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm"} <= set(fingerprint(data_dir))
    assert_refused_and_untouched(data_dir, NotADatabaseError, "damaged|cannot be read")


def test_a_newer_store_whose_migration_is_still_in_the_wal_is_left_as_it_is(
    data_dir: Path,
) -> None:
    path = our_store(data_dir)
    leave_hot_wal(
        path, "CREATE TABLE from_the_future (x)", f"PRAGMA user_version = {SCHEMA_VERSION + 1}"
    )
    assert_refused_and_untouched(data_dir, NewerSchemaError, "newer version")


def test_a_hot_wal_beside_the_refused_file_is_refused_even_without_its_shm(data_dir: Path) -> None:
    """No -shm (copied away, or lost): the -wal is still read, and no -shm is made."""
    path = our_store(data_dir)
    leave_hot_wal(path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    Path(f"{path}-shm").unlink()
    assert_refused_and_untouched(data_dir, NewerSchemaError, "newer version")


@pytest.mark.parametrize("user_version", [0, 1], ids=["no-version", "other-app-version"])
@pytest.mark.parametrize("hot_wal", [False, True], ids=["clean", "hot-wal"])
def test_a_foreign_sqlite_file_is_not_migrated_into_ours(
    tmp_path: Path, user_version: int, hot_wal: bool
) -> None:
    path = tmp_path / DB_FILENAME
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    raw.execute("INSERT INTO contacts VALUES ('Ann', '555')")
    raw.execute(f"PRAGMA user_version = {user_version}")
    raw.close()
    if hot_wal:
        leave_hot_wal(path, "INSERT INTO contacts VALUES ('Bob', '556')")
    assert_refused_and_untouched(tmp_path, NotADatabaseError, "not a session_app database")


def test_an_empty_sqlite_file_is_not_taken_for_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE t (x)")
    raw.execute("DROP TABLE t")  # a valid SQLite file with no tables at all
    raw.close()
    assert path.stat().st_size > 0
    assert_refused_and_untouched(tmp_path, NotADatabaseError, "not a session_app database")


def test_a_hot_wal_beside_a_healthy_store_of_ours_is_recovered_on_open(data_dir: Path) -> None:
    path = our_store(data_dir)
    leave_hot_wal(
        path,
        "INSERT INTO sessions (patient_id, protocol_name, staff_initials, started_at, created_at)"
        " VALUES ('AFTER-CRASH', 'p', 'AB', '2026-01-01T10:00:00+00:00',"
        " '2026-01-01T10:00:00+00:00')",
    )
    store = SessionStore.open(data_dir)
    assert "AFTER-CRASH" in [s.patient_id for s in store.sessions()]
    store.close()


def test_a_store_locked_exclusively_at_start_says_so_and_not_restore(data_dir: Path) -> None:
    path = our_store(data_dir)
    with locked_by_other_process(path, exclusive_mode=True), pytest.raises(StoreError) as caught:
        SessionStore.open(data_dir, busy_timeout_ms=50)
    message = str(caught.value)
    assert "locked by another program" in message
    assert "backup" not in message and "damaged" not in message
    store = SessionStore.open(data_dir)  # once the other program lets go, it opens
    assert len(store.sessions()) == 1
    store.close()


def test_a_store_path_that_is_a_folder_is_refused_clearly(data_dir: Path) -> None:
    (data_dir / DB_FILENAME).mkdir()
    with pytest.raises(StoreError, match="is a folder"):
        SessionStore.open(data_dir)
    assert (data_dir / DB_FILENAME).is_dir()


def test_a_dangling_symlink_as_the_store_is_refused_and_nothing_is_created(
    data_dir: Path,
) -> None:
    (data_dir / DB_FILENAME).symlink_to(data_dir / "moved-away.sqlite3")
    with pytest.raises(StoreError, match=r"link to .*moved-away\.sqlite3, which does not exist"):
        SessionStore.open(data_dir)
    assert sorted(os.listdir(data_dir)) == [DB_FILENAME]


def test_a_symlink_to_a_store_is_followed(data_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    our_store(elsewhere)
    (data_dir / DB_FILENAME).symlink_to(elsewhere / DB_FILENAME)
    store = SessionStore.open(data_dir)
    assert len(store.sessions()) == 1
    store.close()
