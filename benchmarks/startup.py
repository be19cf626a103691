"""Start-up: process start → patient window painted, and → staff panel painted, against
the floor (benchmarks/floor_window.py) measured in the same run, runs interleaved.

The app runs as a clinic runs it (`python -m session_app --data-dir …`) on a store that
already holds some weeks of sessions; SESSION_APP_STARTUP_PROBE makes run_gui print the
monotonic time of each window's first paint and quit. Times are taken on the same
monotonic clock by this process just before it starts the child.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.core import ROOT, Figure, child_env, median, temp_dir

FLOOR_SCRIPT = Path(__file__).with_name("floor_window.py")
PATIENT_BUDGET = 1.5
STAFF_BUDGET = 2.5


def seed_store(data_dir: Path) -> None:
    from benchmarks.seed import history
    from session_app.domain.clock import ManualClock
    from session_app.monitoring import MonitoringService
    from session_app.store import SessionStore

    clock = ManualClock()
    store = SessionStore.open(data_dir, clock=clock)
    try:
        history(store, MonitoringService(store, clock), clock, 30)
    finally:
        store.close()


def timed_start(command: list[str], names: set[str], display: str, **env: str) -> dict[str, float]:
    """Seconds from just before the child starts to each probe line it prints."""
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        env=child_env(display, **env),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen: dict[str, float] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "probe" and parts[1] in names:
                seen[parts[1]] = float(parts[2]) - start
                if set(seen) == names:
                    break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    missing = names - set(seen)
    if missing:
        raise RuntimeError(f"{command} never painted {sorted(missing)}")
    return seen


def run(display: str, runs: int = 5) -> list[Figure]:
    floor_cmd = [sys.executable, str(FLOOR_SCRIPT)]
    floors: list[float] = []
    patients: list[float] = []
    staffs: list[float] = []
    with temp_dir("startup") as data_dir:
        seed_store(data_dir)
        app_cmd = [sys.executable, "-m", "session_app", "--data-dir", str(data_dir)]
        probe = {"SESSION_APP_STARTUP_PROBE": "1"}
        names = {"PatientWindow", "StaffPanel"}
        # warm-up: the page cache, the thumbnail cache, fontconfig's cache
        timed_start(floor_cmd, {"FloorWindow"}, display)
        timed_start(app_cmd, names, display, **probe)
        for _ in range(runs):
            floors.append(timed_start(floor_cmd, {"FloorWindow"}, display)["FloorWindow"])
            seen = timed_start(app_cmd, names, display, **probe)
            patients.append(seen["PatientWindow"])
            staffs.append(seen["StaffPanel"])
    floor = median(floors) * 1000
    spread = f"runs {', '.join(f'{v * 1000:.0f}' for v in patients)}"
    return [
        Figure(
            "startup.floor",
            "Start-up floor (PySide6 + python-vlc, libvlc instance, empty window)",
            floor,
            "ms",
            note=f"runs {', '.join(f'{v * 1000:.0f}' for v in floors)}",
        ),
        Figure(
            "startup.patient",
            "Start-up → patient window shown",
            median(patients) * 1000,
            "ms",
            budget=PATIENT_BUDGET,
            reference=floor,
            reference_label="floor",
            strict=False,
            note=spread,
        ),
        Figure(
            "startup.staff",
            "Start-up → staff panel ready",
            median(staffs) * 1000,
            "ms",
            budget=STAFF_BUDGET,
            reference=floor,
            reference_label="floor",
            strict=False,
            note=f"runs {', '.join(f'{v * 1000:.0f}' for v in staffs)}",
        ),
    ]
