from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock, from_iso
from session_app.domain.pin import (
    SCHEME,
    SET_IN_PANEL,
    SET_ON_COMMAND_LINE,
    PinAttempts,
    PinHash,
    hash_pin,
    verify_pin,
)
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.vitals import VitalSigns
from session_app.store import SessionStore, StoreWriteError
from session_app.store.db import _split
from session_app.store.repository import DB_FILENAME
from session_app.store.schema import V1
from tests.faults import small_disk


# The store neither makes nor checks hashes: these tests hand it distinctive bytes, so they
# can look for them in the file without paying for scrypt.
def fake_hash(tag: bytes) -> PinHash:
    return PinHash(
        SCHEME, salt=b"salt-" + tag.ljust(11, b"."), digest=b"digest-" + tag.ljust(25, b".")
    )


def test_newest_pin_is_in_force_and_never_stored_in_plain_text(
    store: SessionStore, data_dir: Path
) -> None:
    assert store.current_pin() is None
    newest = hash_pin("907264")  # one real hash: each costs about 250 ms
    store.set_pin(fake_hash(b"older"))
    store.set_pin(newest)
    current = store.current_pin()
    assert current == newest and verify_pin("907264", current)
    store.close()
    everything = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
    assert b"907264" not in everything


def test_backup_while_open_is_a_complete_copy(store: SessionStore, tmp_path: Path) -> None:
    session = store.start_session(NewSession("JD", IV_KETAMINE, "AB"))
    store.add_check_with_alerts(
        session.id, VitalSigns(heart_rate=80, recorded_by="AB"), [], taken_at=store.clock.now()
    )
    target = store.backup(tmp_path / "backups" / "copy.sqlite3")
    assert target.stat().st_mode & 0o777 == 0o600
    copy = SessionStore.open(target)
    assert copy.checks(session.id)[0].signs.heart_rate == 80
    copy.close()
    store.add_check_with_alerts(
        session.id, VitalSigns(heart_rate=81, recorded_by="AB"), [], taken_at=store.clock.now()
    )  # store still usable


def test_backup_never_overwrites(store: SessionStore, tmp_path: Path) -> None:
    existing = tmp_path / "there.sqlite3"
    existing.write_bytes(b"keep me")
    with pytest.raises(StoreWriteError, match="already exists"):
        store.backup(existing)
    assert existing.read_bytes() == b"keep me"


def test_backup_into_a_missing_unwritable_place_says_why(store: SessionStore) -> None:
    with pytest.raises(StoreWriteError, match="Not backed up"):
        store.backup(Path("/proc/no/such/place.sqlite3"))
    assert isinstance(store.sessions(), list)
    with pytest.raises(sqlite3.Error):
        sqlite3.connect("/proc/no/such/place.sqlite3").execute("select 1")


def test_a_backup_that_fails_on_a_full_disk_leaves_nothing_so_the_retry_works(
    store: SessionStore, tmp_path: Path
) -> None:
    session = store.start_session(NewSession("JD", IV_KETAMINE, "AB"))
    for _ in range(40):  # some 100 kB of records: more than the small disk has left
        store.add_check_with_alerts(
            session.id,
            VitalSigns(heart_rate=80, note="x" * 2000, recorded_by="AB"),  # the longest note
            [],
            taken_at=store.clock.now(),
        )
    with small_disk(tmp_path, size_kb=512) as disk:
        (disk.path / "ballast.bin").write_bytes(b"\0" * 450_000)
        target = disk.path / "copy.sqlite3"
        with pytest.raises(StoreWriteError, match=r"Not backed up.*disk is full"):
            store.backup(target)
        assert sorted(p.name for p in disk.path.iterdir()) == ["ballast.bin"]
        (disk.path / "ballast.bin").unlink()
        assert store.backup(target) == target
        copy = SessionStore.open(target)
        assert len(copy.checks(session.id)) == 40
        copy.close()


# -- PIN attempts and PIN history (issue 13, point 8) ---------------------------------------


def file_bytes(data_dir: Path) -> bytes:
    """The database and whatever sits beside it (-wal, -shm), as raw bytes."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file())


def test_wrong_pins_survive_a_restart_and_a_right_pin_resets_them(
    data_dir: Path, clock: ManualClock
) -> None:
    store = SessionStore.open(data_dir, clock=clock)
    assert store.pin_attempts() == PinAttempts()
    for _ in range(3):
        store.record_pin_attempt(succeeded=False)
        clock.advance(seconds=10)
    last = clock.now() - timedelta(seconds=10)
    store.close()

    store = SessionStore.open(data_dir, clock=clock)
    assert store.pin_attempts() == PinAttempts(failures=3, last_failure=last)
    store.record_pin_attempt(succeeded=True)
    assert store.pin_attempts() == PinAttempts()
    store.record_pin_attempt(succeeded=False)
    assert store.pin_attempts() == PinAttempts(failures=1, last_failure=clock.now())
    store.set_pin(fake_hash(b"new"), changed_by=SET_ON_COMMAND_LINE)  # a new PIN: a fresh start
    assert store.pin_attempts() == PinAttempts()
    store.close()


def test_a_pin_change_keeps_when_and_by_whom_but_not_the_old_hash(
    store: SessionStore, data_dir: Path, clock: ManualClock
) -> None:
    first, second = fake_hash(b"first"), fake_hash(b"second")
    store.set_pin(first, changed_by=SET_ON_COMMAND_LINE)
    first_at = clock.now()
    clock.advance(minutes=3)
    store.set_pin(second)
    assert store.current_pin() == second
    assert store.pin_changes() == [
        (first_at, SET_ON_COMMAND_LINE),
        (clock.now(), SET_IN_PANEL),
    ]
    while_open = file_bytes(data_dir)
    assert second.digest in while_open  # the search below would find a digest that is there
    assert first.digest not in while_open and first.salt not in while_open
    store.close()
    assert first.digest not in file_bytes(data_dir)


def test_pin_history_and_attempts_are_append_only(store: SessionStore, data_dir: Path) -> None:
    store.set_pin(fake_hash(b"one"))
    store.record_pin_attempt(succeeded=False)
    raw = sqlite3.connect(data_dir / DB_FILENAME)
    for sql in (
        "UPDATE staff_pin_changes SET changed_by = 'someone else'",
        "DELETE FROM staff_pin_changes",
        "DELETE FROM pin_attempts",
        "UPDATE pin_attempts SET outcome = 'success'",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
    raw.close()


def make_v1_file(path: Path, rows: list[tuple[PinHash, str]]) -> None:
    """A store as the first release left it: the V1 script, PIN hashes appended."""
    raw = sqlite3.connect(path)
    for statement in _split(V1):
        raw.execute(statement)
    raw.executemany(
        "INSERT INTO staff_pins (scheme, salt, pin_hash, set_at) VALUES (?, ?, ?, ?)",
        [(h.scheme, h.salt, h.digest, at) for h, at in rows],
    )
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()


def test_a_v1_file_keeps_its_newest_pin_and_the_times_but_not_the_old_hashes(
    data_dir: Path, clock: ManualClock
) -> None:
    salt = b"0123456789abcdef"
    newest = PinHash(  # made as the first release made it
        "scrypt-n16384-r8-p1", salt, hashlib.scrypt(b"2468", salt=salt, n=16384, r=8, p=1)
    )
    older = [fake_hash(b"old-1"), fake_hash(b"old-2")]
    times = ["2026-01-02T08:00:00+00:00", "2026-01-03T08:00:00+00:00", "2026-01-04T08:00:00+00:00"]
    path = data_dir / DB_FILENAME
    make_v1_file(path, list(zip([*older, newest], times, strict=True)))
    assert all(h.digest in path.read_bytes() for h in older)

    store = SessionStore.open(data_dir, clock=clock)
    current = store.current_pin()
    assert current == newest and verify_pin("2468", current)
    assert [at for at, _ in store.pin_changes()] == [from_iso(t) for t in times]
    assert {by for _, by in store.pin_changes()} == {"not recorded (before schema 2)"}
    while_open = file_bytes(data_dir)  # a copy of the folder taken now holds no old hash
    assert all(old.digest not in while_open and old.salt not in while_open for old in older)
    store.close()
    raw = sqlite3.connect(path)
    assert (
        raw.execute("SELECT name FROM sqlite_master WHERE name LIKE 'staff_pins%'").fetchall() == []
    )
    raw.close()

    after = file_bytes(data_dir)
    assert newest.digest in after
    for old in older:
        assert old.digest not in after and old.salt not in after
