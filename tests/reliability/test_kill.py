"""SIGKILL at random moments loses no acknowledged record and never corrupts the file.

The subprocess runs the real windows (offscreen) and saves through the staff panel's forms;
a record counts as acknowledged once the form has returned it (the panel says "saved")."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from session_app.store import SessionStore
from session_app.store.repository import DB_FILENAME

KILLS = 50
REPO = Path(__file__).resolve().parents[2]


def run_until_killed(data_dir: Path, seed: int, rng: random.Random) -> list[str]:
    """Start the driver, let it write for a random while, SIGKILL it; return its ACK lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.record_driver", str(data_dir), str(seed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    arrived = threading.Condition()
    # Killed after a random number of acknowledgements plus a random moment: counted in
    # records, not seconds, so a loaded machine (fewer saves a second) kills as often
    # mid-write and still acknowledges records in every round.
    acks_first = rng.randint(1, 3)

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            with arrived:
                lines.append(line.strip())
                arrived.notify_all()

    def acknowledged() -> int:
        return sum(line.startswith("ACK ") for line in lines)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with arrived:
        assert arrived.wait_for(
            lambda: acknowledged() >= acks_first or process.poll() is not None, 60
        )
    assert process.poll() is None, f"driver ended early: {lines}"
    threading.Event().wait(rng.uniform(0.0, 0.3))  # a random moment while records are written
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    reader.join(timeout=30)
    assert not any(line.startswith("REFUSED") for line in lines), lines
    return [line for line in lines if line.startswith("ACK ")]


def test_sigkill_at_random_points_loses_no_acknowledged_record(data_dir: Path) -> None:
    rng = random.Random(20261122)
    acknowledged: list[tuple[str, int, str]] = []
    for round_number in range(KILLS):
        for line in run_until_killed(data_dir, round_number, rng):
            _, kind, row_id, value = line.split(" ", 3)
            acknowledged.append((kind, int(row_id), value))

        raw = sqlite3.connect(data_dir / DB_FILENAME)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()

    assert len(acknowledged) > KILLS, "the driver should have acknowledged records"
    store = SessionStore.open(data_dir)
    [session] = store.sessions()  # every restart resumed the same open session
    checks = {c.id: c for c in store.checks(session.id)}
    events = {e.id: e for e in store.events(session.id)}
    for kind, row_id, value in acknowledged:
        if kind == "check":
            assert row_id in checks, f"acknowledged check {row_id} lost"
            assert checks[row_id].signs.heart_rate == int(value)
        else:
            assert row_id in events, f"acknowledged event {row_id} lost"
            assert events[row_id].details["text"] == value
    store.close()
