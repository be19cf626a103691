"""What every scenario shares: figures and their budgets, statistics, child processes,
one Xvfb display for the whole run, and /proc readings (Linux only, no extra package).
"""

from __future__ import annotations

import json
import math
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "BENCH-RESULT "
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# libvlc options every scenario adds: nothing is heard on this machine (no sound card),
# so audio goes to the dummy output, which still decodes and paces in real time.
BENCH_VLC_ARGS = "--aout=adummy --avcodec-hw=none"


@dataclass(frozen=True)
class Figure:
    """One printed figure. `budget` is an absolute limit in `unit`, or (with `reference`)
    the allowed ratio to a reference figure measured in the same run."""

    key: str
    label: str
    value: float
    unit: str
    budget: float | None = None
    reference: float | None = None  # the floor / VLC alone, same unit as value
    reference_label: str = ""
    strict: bool = True  # budget is "under" (<); False: "within" (≤)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value / reference for relative budgets, value / budget for absolute ones."""
        if self.budget is None:
            return None
        base = self.reference if self.reference is not None else self.budget
        return self.value / base if base else math.inf

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return ""
        limit = self.budget if self.reference is not None else 1.0
        ratio = self.ratio if self.ratio is not None else math.inf
        ok = ratio < limit if self.strict else ratio <= limit
        return "ok" if ok else "OVER"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100): a value that was really measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def read_until(proc: subprocess.Popen[bytes], marker: bytes, timeout: float = 30.0) -> bytes:
    """The first line of the child's stdout that starts with `marker` (read unbuffered, so
    select() sees every line); RuntimeError if it does not come within `timeout` s."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            for line in seen.splitlines():
                if line.startswith(marker):
                    return line
    raise RuntimeError(f"{proc.args} never printed {marker!r}: {seen[-2000:]!r}")


def emit(payload: dict[str, object]) -> None:
    """A child process hands its measurements to the runner on one stdout line."""
    print(RESULT_PREFIX + json.dumps(payload), flush=True)


def child_env(display: str | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    if display:
        env["DISPLAY"] = display
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["SESSION_APP_VLC_ARGS"] = BENCH_VLC_ARGS
    # An installed app runs from bytecode; a shell with PYTHONDONTWRITEBYTECODE would make
    # every child compile the app's sources again. Cache it outside the work tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "session_app-bench-pycache")
    env.update(extra)
    return env


def run_child(
    module: str, args: Sequence[str] = (), *, display: str | None, timeout: float = 900
) -> dict[str, object]:
    """Run `python -m benchmarks.<module> args` and return the JSON it emitted."""
    proc = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        env=child_env(display),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError(
        f"benchmarks.{module} gave no result (exit {proc.returncode}):\n"
        f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )


# -- /proc --------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class HostSteal:
    """The time the hypervisor gave this virtual machine's CPUs to someone else
    (/proc/stat "steal"), per CPU, in ms since boot.

    On a VM the host can take a CPU away for tens of milliseconds; a UI thread that is
    not running then stalls through no work of its own. A stall meter reads this at each
    tick to say how much of a gap was the host's. Empty where /proc/stat has no steal
    column (not Linux); zeros on real hardware. Each read makes the kernel write all of
    /proc/stat: at a stall meter's 100 Hz, with ThreadCpu, ≈ 2.3 % of a core."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/stat", os.O_RDONLY)
        except OSError:
            self._fd = None
        self._size = 256 + 128 * (os.cpu_count() or 1)  # "cpu" then one line per CPU

    def per_cpu_ms(self) -> tuple[float, ...]:
        if self._fd is None:
            return ()
        lines = os.pread(self._fd, self._size, 0).split(b"\n")
        return tuple(
            int(fields[8]) * 1000 / CLOCK_TICKS
            for fields in (line.split() for line in lines[1:])
            if fields and fields[0].startswith(b"cpu") and len(fields) > 8
        )

    def total_ms(self) -> float:
        return sum(self.per_cpu_ms())

    def percent_since(self, total_ms: float, seconds: float) -> float:
        """The share (%) of all CPUs' time the host took since `total_ms` was read,
        `seconds` ago."""
        cpus = max(len(self.per_cpu_ms()), 1)
        return (self.total_ms() - total_ms) / (10 * max(seconds, 1e-9) * cpus)  # ms/(s·CPU)→%


class ThreadCpu:
    """Which CPU the thread that made it last ran on (/proc/thread-self/stat, field 39);
    None where that file is missing."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/stat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def last(self) -> int | None:
        if self._fd is None:
            return None
        return int(os.pread(self._fd, 1024, 0).rsplit(b")", 1)[1].split()[36])


class ThreadSchedule:
    """The CPU time and the run-queue wait (ms) of the thread that made it, from
    /proc/thread-self/schedstat (opened once, so later reads from any thread are still
    this thread's): in a UI stall, the time the thread ran and the time it was ready but
    had no CPU; the rest of the gap it was asleep (on the GIL, the X server). None where
    that file is missing."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def read_ms(self) -> tuple[float, float] | None:
        if self._fd is None:
            return None
        ran_ns, waited_ns, _ = os.pread(self._fd, 128, 0).split()
        return int(ran_ns) / 1e6, int(waited_ns) / 1e6


def steal_taken(
    before: Sequence[float], after: Sequence[float], cpu_before: int | None, cpu_after: int | None
) -> float:
    """The steal (ms) between two reads that the host took from the thread's CPU: that
    CPU's when the thread was on the same one at both reads, else the smallest any CPU
    had (what it surely lost wherever it was). 0 without a steal column."""
    taken = [b - a for a, b in zip(before, after, strict=True)]
    if cpu_before is not None and cpu_before == cpu_after and cpu_before < len(taken):
        return taken[cpu_before]
    return min(taken, default=0.0)


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size in MB (VmRSS)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


# -- one X display for the run ------------------------------------------------
_XVFB_PIDS: dict[str, int] = {}


@contextmanager
def xvfb(size: str = "1920x1080x24") -> Iterator[str]:
    """Start Xvfb on a free display number and yield ":N" (stopped at the end)."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed: run scripts/system-deps.sh")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as reader:
        number = reader.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    _XVFB_PIDS[f":{number}"] = proc.pid
    try:
        yield f":{number}"
    finally:
        _XVFB_PIDS.pop(f":{number}", None)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def xvfb_pid(display: str) -> int | None:
    """The pid of the X server serving `display` (to count its CPU too), if found."""
    if display in _XVFB_PIDS:
        return _XVFB_PIDS[display]
    number = display.lstrip(":")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"Xvfb") and f":{number}".encode() in cmd:
            return int(entry.name)
    return None


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def wait_quiet(max_load: float = 0.5, timeout: float = 0.0) -> float:
    """The 1-minute load average, after waiting up to `timeout` s for it to fall."""
    deadline = time.monotonic() + timeout
    load = os.getloadavg()[0]
    while load > max_load and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def to_dict(figure: Figure) -> dict[str, object]:
    data = asdict(figure)
    data["ratio"] = figure.ratio
    data["verdict"] = figure.verdict
    return data
