from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from session_app.domain.pin import hash_pin, verify_pin
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.vitals import VitalSigns
from session_app.store import SessionStore, StoreWriteError
from tests.faults import small_disk


def test_newest_pin_is_in_force_and_never_stored_in_plain_text(
    store: SessionStore, data_dir: Path
) -> None:
    assert store.current_pin() is None
    store.set_pin(hash_pin("1111"))
    store.set_pin(hash_pin("907264"))
    current = store.current_pin()
    assert current is not None and verify_pin("907264", current)
    assert not verify_pin("1111", current)
    store.close()
    everything = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
    assert b"907264" not in everything


def test_backup_while_open_is_a_complete_copy(store: SessionStore, tmp_path: Path) -> None:
    session = store.start_session(NewSession("JD", IV_KETAMINE, "AB"))
    store.add_check(session.id, VitalSigns(heart_rate=80, recorded_by="AB"))
    target = store.backup(tmp_path / "backups" / "copy.sqlite3")
    assert target.stat().st_mode & 0o777 == 0o600
    copy = SessionStore.open(target)
    assert copy.checks(session.id)[0].signs.heart_rate == 80
    copy.close()
    store.add_check(session.id, VitalSigns(heart_rate=81, recorded_by="AB"))  # store still usable


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
    for _ in range(40):  # some 120 kB of records: more than the small disk has left
        store.add_check(session.id, VitalSigns(note="x" * 3000, recorded_by="AB"))
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
