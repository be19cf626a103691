"""Idle cost: CPU % of the app with a built-in track playing and the staff panel open
(a session in progress), against `cvlc` playing the same files alone, in the same run,
runs interleaved; then the same with a video. Also the app's RSS with video playing.

CPU is read from /proc/<pid>/stat (all threads, user + system) over `seconds` after a
warm-up (fade-in done). Both players use the dummy audio output (this machine has no
sound card: libvlc still decodes and paces in real time), software decoding, and draw
video on the run's Xvfb display, which has no OpenGL: the picture is scaled by libswscale
on the CPU. So that VLC alone scales to the same size as the app, cvlc draws into an
empty window of the patient window's size (benchmarks/xwindow.py, `--drawable-xid`);
in its own window on a bare X server it would stay at the video's native 640×360.
The X server's own CPU is reported beside each figure, not in the ratio.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.core import (
    BENCH_VLC_ARGS,
    ROOT,
    Figure,
    child_env,
    cpu_seconds,
    median,
    read_until,
    rss_mb,
    temp_dir,
    xvfb_pid,
)

MUSIC_BUDGET = 1.3
VIDEO_BUDGET = 1.5
RSS_BUDGET_MB = 300.0
WARMUP_S = 5.0
PATIENT_SIZE = ("1280", "800")  # PatientWindow's size (session_app/ui/patient/window.py)
# what the app passes to libvlc (media.backend.DEFAULT_ARGS), for cvlc too
VLC_ARGS = ["--quiet", "--no-video-title-show", "--no-xlib", *BENCH_VLC_ARGS.split()]


def seed_open_session(data_dir: Path) -> None:
    """A session in progress: started 30 min ago, baseline, dose, a check since."""
    import random

    from benchmarks.seed import vitals_at
    from session_app.domain.clock import ManualClock
    from session_app.domain.protocols import IV_KETAMINE
    from session_app.domain.session import NewSession
    from session_app.monitoring import MonitoringService
    from session_app.store import SessionStore

    clock = ManualClock(datetime.now(UTC) - timedelta(minutes=30))
    store = SessionStore.open(data_dir, clock=clock)
    try:
        service = MonitoringService(store, clock)
        rng = random.Random(30)
        session = service.start_session(NewSession("BM-IDLE", IV_KETAMINE, "AB", 70.0))
        clock.advance(minutes=3)
        service.record_check(session.id, vitals_at(rng, -10))
        clock.advance(minutes=5)
        service.log_event(
            session.id,
            "dose",
            {"drug": "Ketamine", "dose": "35", "unit": "mg", "route": "IV bolus"},
            "AB",
        )
        clock.advance(minutes=15)
        service.record_check(session.id, vitals_at(rng, 15))
    finally:
        store.close()


@contextmanager
def video_window(display: str, wanted: bool) -> Iterator[int | None]:
    """An empty 1280×800 native window (the patient window's size) for cvlc to draw into."""
    if not wanted:
        yield None
        return
    helper = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.xwindow", *PATIENT_SIZE],
        env=child_env(display),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert helper.stdout is not None
        line = helper.stdout.readline().split()
        if len(line) != 2 or line[0] != "xid":
            raise RuntimeError("benchmarks.xwindow gave no window id")
        yield int(line[1])
    finally:
        helper.kill()
        helper.wait()


def as_user() -> list[str]:
    """VLC refuses to run as root: then run cvlc as `nobody` (the media are world-readable
    and the run's Xvfb has no access control)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp"]


def playlist(kind: str) -> list[Path]:
    """The files the app's playlist walks for the first item of `kind` (its group)."""
    from session_app.media.library import MediaKind, MediaLibrary
    from session_app.paths import MEDIA_DIR

    library = MediaLibrary(MEDIA_DIR)
    wanted = MediaKind.VIDEO if kind == "video" else MediaKind.AUDIO
    items = [item for _, group in library.grouped() for item in group]
    first = next(i for i in items if i.kind is wanted)
    return [i.path for i in library.group_items(first.group)]


def sample(
    command: list[str], display: str, seconds: float, marker: str | None
) -> tuple[float, float, float]:
    """(process CPU %, X server CPU %, RSS MB at the end) over `seconds` after warm-up."""
    proc = subprocess.Popen(
        command,
        env=child_env(display),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,
    )
    try:
        if marker:
            read_until(proc, marker.encode())
        time.sleep(WARMUP_S)
        server = xvfb_pid(display)
        cpu0 = cpu_seconds(proc.pid)
        x0 = cpu_seconds(server) if server else 0.0
        wall0 = time.monotonic()
        time.sleep(seconds)
        cpu1 = cpu_seconds(proc.pid)
        x1 = cpu_seconds(server) if server else 0.0
        wall = time.monotonic() - wall0
        rss = rss_mb(proc.pid)
        if proc.poll() is not None:
            raise RuntimeError(f"{command} exited early ({proc.returncode})")
    finally:
        proc.kill()
        proc.wait()
    return 100 * (cpu1 - cpu0) / wall, 100 * (x1 - x0) / wall, rss


def run(display: str, runs: int = 3, seconds: float = 60.0) -> list[Figure]:
    figures: list[Figure] = []
    cvlc = os.environ.get("BENCH_CVLC", "cvlc")
    if shutil.which(cvlc) is None:
        raise RuntimeError(f"{cvlc} is not installed: run scripts/system-deps.sh --bench")
    with temp_dir("idle") as data_dir:
        seed_open_session(data_dir)
        app_cmd = [sys.executable, "-m", "benchmarks.app_driver", "--data-dir", str(data_dir)]
        for kind, budget in (("music", MUSIC_BUDGET), ("video", VIDEO_BUDGET)):
            files = [str(p) for p in playlist(kind)]
            apps, vlcs, app_x, vlc_x, rss = [], [], [], [], []
            for _ in range(runs):
                cpu, xcpu, mem = sample([*app_cmd, "--kind", kind], display, seconds, "playing")
                apps.append(cpu)
                app_x.append(xcpu)
                rss.append(mem)
                with video_window(display, kind == "video") as xid:
                    target = [f"--drawable-xid={xid}"] if xid else []
                    vlc_cmd = [*as_user(), cvlc, *VLC_ARGS, *target, "--loop", *files]
                    cpu, xcpu, _ = sample(vlc_cmd, display, seconds, None)
                vlcs.append(cpu)
                vlc_x.append(xcpu)
            alone = median(vlcs)
            figures.append(
                Figure(
                    f"idle.vlc_{kind}",
                    f"Idle CPU, cvlc alone playing the {kind}"
                    + (" (1280×800 window)" if kind == "video" else ""),
                    alone,
                    "%",
                    note=f"X server {median(vlc_x):.1f} %; runs "
                    + ", ".join(f"{v:.1f}" for v in vlcs),
                )
            )
            figures.append(
                Figure(
                    f"idle.app_{kind}",
                    f"Idle CPU, app with {kind} playing + staff panel open",
                    median(apps),
                    "%",
                    budget=budget,
                    reference=alone,
                    reference_label="cvlc alone",
                    strict=False,
                    note=f"X server {median(app_x):.1f} %; runs "
                    + ", ".join(f"{v:.1f}" for v in apps),
                )
            )
            if kind == "video":
                figures.append(
                    Figure(
                        "memory.rss_video",
                        "RSS with video playing",
                        median(rss),
                        "MB",
                        budget=RSS_BUDGET_MB,
                    )
                )
    return figures
