"""Real store faults for tests: a small tmpfs that can fill up or turn read-only, and a
second process that holds the database lock.

Mounting needs root (CI and the project machines run as root). Elsewhere the tests that
need a mount are skipped with that reason; the lock tests run everywhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


class SmallDisk:
    """A tmpfs mounted at `path`, with helpers to fill it and to make it read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._filler = path / "filler.bin"

    def fill(self) -> None:
        """Write a filler file until the disk has no space left, not even one byte."""
        with self._filler.open("ab", buffering=0) as handle:
            for size in (65536, 4096, 512, 1):
                try:
                    while True:
                        handle.write(b"\0" * size)
                except OSError:
                    continue

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)

    def set_read_only(self, read_only: bool) -> None:
        """Remount read-only (only possible while no file on it is open for writing)."""
        option = "remount,ro" if read_only else "remount,rw"
        subprocess.run(["mount", "-o", option, str(self.path)], check=True)


@contextmanager
def small_disk(tmp_path: Path, size_kb: int = 1024) -> Iterator[SmallDisk]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield SmallDisk(mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive-mode":
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
"""


@contextmanager
def locked_by_other_process(db_path: Path, *, exclusive_mode: bool = False) -> Iterator[None]:
    """Another process holds an exclusive lock on the store until the block ends.

    A plain BEGIN EXCLUSIVE on a WAL file still lets readers in (writes wait); with
    `exclusive_mode` (PRAGMA locking_mode = EXCLUSIVE, as some database browsers do)
    nobody else can even read it.
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db_path), "exclusive-mode" * exclusive_mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


HOT_WAL_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
for statement in sys.argv[2:]:
    conn.execute(statement)
os._exit(0)  # a crash: no checkpoint, the -wal and -shm stay beside the file
"""


def leave_hot_wal(db_path: Path, *statements: str) -> None:
    """Run `statements` on the (WAL-mode) file in another process that then dies, so
    they are committed only in the -wal file beside it (a "hot" WAL, as after a crash)."""
    subprocess.run([sys.executable, "-c", HOT_WAL_WRITER, str(db_path), *statements], check=True)
    assert Path(f"{db_path}-wal").stat().st_size > 0
