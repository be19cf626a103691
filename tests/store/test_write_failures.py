"""When the store cannot write: a clear error, nothing half-saved, and a retry that works.

Causes are real: another process holding the lock, a full disk (tmpfs filled up), and a
read-only file system (tmpfs remounted read-only).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.vitals import VitalSigns
from session_app.store import SessionStore, StoreError, StoreWriteError
from session_app.store.repository import DB_FILENAME
from tests.faults import locked_by_other_process, small_disk

SIGNS = VitalSigns(systolic=130, diastolic=85, heart_rate=76, recorded_by="AB")


def open_with_session(folder: Path, clock: ManualClock) -> tuple[SessionStore, int]:
    store = SessionStore.open(folder, clock=clock, busy_timeout_ms=100)
    session = store.start_session(NewSession("JD", IV_KETAMINE, "AB"))
    return store, session.id


def test_locked_by_another_process_then_retry(data_dir: Path, clock: ManualClock) -> None:
    store, session_id = open_with_session(data_dir, clock)
    with locked_by_other_process(store.path), pytest.raises(StoreWriteError) as caught:
        store.add_check_with_alerts(session_id, SIGNS, [], taken_at=clock.now())
    assert "locked by another program" in str(caught.value)
    assert "Not saved" in str(caught.value)
    assert store.checks(session_id) == []
    saved, _ = store.add_check_with_alerts(session_id, SIGNS, [], taken_at=clock.now())
    assert [c.id for c in store.checks(session_id)] == [saved.id]
    store.close()


def test_a_write_waits_for_another_programs_lock_only_briefly(data_dir: Path) -> None:
    """Writes run on the staff panel's (UI) thread: a lock held elsewhere must fail the
    save quickly (red banner, Save again), not freeze the panel for seconds."""
    store = SessionStore.open(data_dir)
    [timeout_ms] = store._conn.execute("PRAGMA busy_timeout").fetchone()
    store.close()
    assert 0 < timeout_ms <= 250


def test_a_full_disk_on_first_start_leaves_no_store_and_the_next_start_works(
    tmp_path: Path, clock: ManualClock
) -> None:
    with small_disk(tmp_path) as disk:
        disk.fill()
        with pytest.raises(StoreError) as caught:
            SessionStore.open(disk.path, clock=clock)
        assert "disk is full" in str(caught.value)
        assert "backup" not in str(caught.value)
        assert sorted(p.name for p in disk.path.iterdir()) == ["filler.bin"]  # nothing half-made
        disk.free()
        store, session_id = open_with_session(disk.path, clock)
        store.add_check_with_alerts(session_id, SIGNS, [], taken_at=clock.now())
        store.close()
        assert (disk.path / DB_FILENAME).stat().st_mode & 0o777 == 0o600


def test_disk_full_then_retry(tmp_path: Path, clock: ManualClock) -> None:
    with small_disk(tmp_path) as disk:
        store, session_id = open_with_session(disk.path, clock)
        store.add_check_with_alerts(session_id, SIGNS, [], taken_at=clock.now())
        disk.fill()
        with pytest.raises(StoreWriteError) as caught:
            for _ in range(200):  # the WAL may have a little room left; it soon runs out
                store.add_check_with_alerts(
                    session_id,
                    VitalSigns(note="x" * 2000, heart_rate=80, recorded_by="AB"),  # longest note
                    [],
                    taken_at=clock.now(),
                )
        assert "disk is full" in str(caught.value)
        stored = len(store.checks(session_id))
        disk.free()
        store.add_check_with_alerts(session_id, SIGNS, [], taken_at=clock.now())
        assert len(store.checks(session_id)) == stored + 1
        store.close()


def test_read_only_file_system_is_refused_clearly_then_works(
    tmp_path: Path, clock: ManualClock
) -> None:
    with small_disk(tmp_path) as disk:
        store, session_id = open_with_session(disk.path, clock)
        store.close()
        db_file = disk.path / "session_app.sqlite3"
        before = db_file.read_bytes()
        disk.set_read_only(True)
        try:
            with pytest.raises(StoreError) as caught:
                SessionStore.open(disk.path, clock=clock)
            assert "read-only" in str(caught.value)
            assert db_file.read_bytes() == before
        finally:
            disk.set_read_only(False)
        store = SessionStore.open(disk.path, clock=clock)
        store.add_check_with_alerts(session_id, SIGNS, [], taken_at=clock.now())
        assert len(store.checks(session_id)) == 1
        store.close()
