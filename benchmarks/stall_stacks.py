"""What the UI thread was doing in each stall: a diagnosis aid for the monitor feed's stall
figure, not a figure itself.

`StackSampler` runs in the app's process (`python -m benchmarks --only monitor
--monitor-stacks DIR`): a thread that looks at the UI thread's Python stack every
`SAMPLE_S` and writes it, with the monotonic time, each time it changes. While the UI
thread is inside Qt's C++ (painting, waiting for the X server) its stack is the event
loop's; while another thread holds the GIL, or the process is not scheduled, the sampler
cannot run either, and it writes `BLOCKED <ms>` when it wakes that late. It costs CPU
(the figures of a sampled run are not the budget's); the garbage collections
(`monitor_feed._GcPauses`) and the stall meter's gaps are kept beside it.

`python -m benchmarks.stall_stacks DIR [--at-least MS]` prints each gap of the stall
meter over MS ms with the stacks seen inside it (innermost frame first).
"""

from __future__ import annotations

import argparse
import bisect
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from benchmarks.monitor_feed import read_gaps

SAMPLE_S = 0.002
LATE_S = 0.015  # the sampler woke this late: it, and so the UI thread, could not run
DEPTH = 12  # frames kept per sample


def stack_line(frame: FrameType | None, depth: int = DEPTH) -> str:
    """`file:line:function < caller < …`, innermost first."""
    parts = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        parts.append(f"{Path(code.co_filename).name}:{frame.f_lineno}:{code.co_name}")
        frame = frame.f_back
    return " < ".join(parts) or "-"


class StackSampler:
    """Samples the thread that made it (the UI thread) from a daemon thread."""

    def __init__(self, path: Path) -> None:
        self._watched = threading.get_ident()
        self._out = open(path, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the app)
        threading.Thread(target=self._run, name="stack-sampler", daemon=True).start()

    def _run(self) -> None:
        previous, last = "", time.monotonic()
        while True:
            time.sleep(SAMPLE_S)
            now = time.monotonic()
            if now - last > LATE_S:
                self._out.write(f"{now:.6f} BLOCKED {(now - last) * 1000:.1f}\n")
            last = now
            line = stack_line(sys._current_frames().get(self._watched))
            if line != previous:
                self._out.write(f"{now:.6f} {line}\n")
                previous = line
            self._out.flush()  # the runner kills the app: nothing may wait in a buffer


def report(directory: Path, at_least_ms: float) -> str:
    """Each gap of `directory`/gaps.txt of `at_least_ms` or more, after the start-up's
    (the last gap over 200 ms), with the samples inside it (ms from the gap's start)."""
    gaps = read_gaps(directory / "gaps.txt")
    samples: list[tuple[float, str]] = []
    for line in (directory / "stacks.txt").read_text(encoding="utf-8").splitlines():
        at, _, rest = line.partition(" ")
        samples.append((float(at), rest))
    times = [at for at, _ in samples]
    started = max((gap.end for gap in gaps if gap.ms > 200), default=0.0)
    out = []
    for end, gap, steal, cpu, wait in gaps:
        if end <= started or gap < at_least_ms:
            continue
        began = end - gap / 1000
        ran = "" if cpu is None else f", UI thread ran {cpu:.1f} ms, waited for a CPU {wait:.1f} ms"
        out.append(f"gap {gap:.1f} ms (host steal {steal:.0f} ms{ran}), ending at {end:.3f}")
        first = max(0, bisect.bisect_left(times, began) - 1)  # what ran as the gap began
        for at, stack in samples[first : bisect.bisect_right(times, end)]:
            out.append(f"  {(at - began) * 1000:+8.1f} ms  {stack}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stall_stacks")
    parser.add_argument("directory", type=Path, help="what --monitor-stacks DIR kept")
    parser.add_argument("--at-least", type=float, default=30.0, metavar="MS")
    options = parser.parse_args()
    try:
        print(report(options.directory, options.at_least))
    except (OSError, ValueError) as exc:
        print(f"stall_stacks: cannot read what --monitor-stacks kept: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
