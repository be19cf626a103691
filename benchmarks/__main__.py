"""`make bench`: run every scenario, print each figure with its budget and ratio.

    python -m benchmarks                 # everything (about 30 minutes)
    python -m benchmarks --quick         # fewer runs, 10 s idle windows (to try it out)
    python -m benchmarks --only startup save
    python -m benchmarks --only scan     # the media scan of a 2,000-file clinic folder
    python -m benchmarks --only clinic   # 12 rooms and the station on a local PostgreSQL
    python -m benchmarks --only monitor  # the monitor feed: an 8 h session, its last
                                         # hour sent at 10× (about 12 minutes)
    python -m benchmarks --only monitor --monitor-sent-hours 8
                                         # the issue's whole 8 h at 10× (about an hour)
    python -m benchmarks --json out.json # also write the figures as JSON

One Xvfb display is started for the run (every window, both players, the same
screen). Take figures on a quiet machine: the load average is printed at the start
and the end, and `--wait-quiet` waits (up to 10 min) for it to fall below 0.5. On a
virtual machine the end line also says how much CPU time the host took (steal): a busy
host slows every figure, and makes the stall figures' gaps (monitor_feed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    clinic,
    idle_cpu,
    long_session,
    media_scan,
    memory,
    monitor_feed,
    pin_unlock,
    save_to_chart,
    startup,
)
from benchmarks.core import BENCH_VLC_ARGS, Figure, HostSteal, to_dict, wait_quiet, xvfb
from benchmarks.machine import describe, one_line

Scenario = Callable[[str, argparse.Namespace], list[Figure]]

SCENARIOS: dict[str, Scenario] = {
    "startup": lambda d, o: startup.run(d, runs=o.runs or (3 if o.quick else 15)),
    "save": lambda d, o: save_to_chart.run(d, runs=o.runs or (1 if o.quick else 3)),
    "long": lambda d, o: long_session.run(d, runs=1, pdf_1hz=o.pdf_1hz),
    "idle": lambda d, o: idle_cpu.run(
        d, runs=o.idle_runs or (1 if o.quick else 3), seconds=10.0 if o.quick else o.idle_seconds
    ),
    "memory": lambda d, o: memory.run(d, runs=1),
    "pin": lambda d, o: pin_unlock.run(d, runs=o.runs or (3 if o.quick else 5)),
    "scan": lambda d, o: media_scan.run(d, runs=o.runs or 1),
    "clinic": lambda d, o: clinic.run(d, quick=o.quick, runs=o.runs),
    "monitor": lambda d, o: monitor_feed.run(
        d,
        runs=1,
        sent_hours=o.monitor_sent_hours or (0.25 if o.quick else monitor_feed.SENT_HOURS),
        cpu_seconds_window=10.0 if o.quick else o.idle_seconds,
        stacks_dir=o.monitor_stacks,
    ),
}
# Scenarios too long for every `make bench`: run when named with --only.
OPT_IN: frozenset[str] = frozenset()


def _value(figure: Figure) -> str:
    digits = 0 if abs(figure.value) >= 100 else 1 if abs(figure.value) >= 10 else 2
    return f"{figure.value:.{digits}f} {figure.unit}"


def _budget(figure: Figure) -> str:
    if figure.budget is None:
        return "—"
    sign = "<" if figure.strict else "≤"
    if figure.reference is not None:
        limit = figure.reference * figure.budget
        return f"{sign} {figure.budget:g}× {figure.reference_label} ({limit:.1f} {figure.unit})"
    return f"{sign} {figure.budget:g} {figure.unit}"


def _ratio(figure: Figure) -> str:
    ratio = figure.ratio
    if ratio is None or math.isnan(ratio):
        return ""
    base = figure.reference_label if figure.reference is not None else "budget"
    return f"{ratio:.2f}× {base}"


def print_table(figures: list[Figure]) -> None:
    rows = [("Figure", "Value", "Budget", "Ratio", "")]
    rows += [(f.label, _value(f), _budget(f), _ratio(f), f.verdict) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for index, row in enumerate(rows):
        print(
            f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  "
            f"{row[3]:<{widths[3]}}  {row[4]}".rstrip()
        )
        if index == 0:
            print("-" * (sum(widths) + 12))
    notes = [f for f in figures if f.note]
    if notes:
        print("\nNotes:")
        for figure in notes:
            print(f"  {figure.label}: {figure.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="scenarios to run")
    parser.add_argument("--quick", action="store_true", help="fewer runs, short idle windows")
    parser.add_argument("--runs", type=int, default=0, help="runs of start-up / save scenarios")
    parser.add_argument("--idle-runs", type=int, default=0, help="runs of each idle measurement")
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="idle window (s)")
    parser.add_argument(
        "--monitor-sent-hours",
        type=float,
        default=0.0,
        metavar="H",
        help="monitor: send only the last H of the 8 h over the socket (stored first: the rest)",
    )
    parser.add_argument(
        "--monitor-stacks",
        type=Path,
        metavar="DIR",
        help="monitor: sample the UI thread's stack (costs CPU) and keep it in DIR with the "
        "stall meter's gaps; read with `python -m benchmarks.stall_stacks DIR`",
    )
    parser.add_argument("--pdf-1hz", action="store_true", help="also export the 1 Hz session")
    parser.add_argument("--wait-quiet", action="store_true", help="wait for load < 0.5 first")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    options = parser.parse_args(argv)
    chosen = options.only or [name for name in SCENARIOS if name not in OPT_IN]

    info = describe()
    load = wait_quiet(0.5, 600 if options.wait_quiet else 0)
    started = datetime.now(UTC)
    steal = HostSteal()
    steal_began, wall_began = steal.total_ms(), time.monotonic()
    print(f"session_app benchmarks · {started:%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {one_line(info)}")
    print(f"libvlc options added for the run: {BENCH_VLC_ARGS} · load average at start {load:.2f}")
    figures: list[Figure] = []
    failures: list[str] = []
    with xvfb() as display:
        print(f"Display: Xvfb {display} 1920x1080x24\n")
        for name in chosen:
            began = time.monotonic()
            print(f"… {name}", end="", flush=True, file=sys.stderr)
            try:
                figures += SCENARIOS[name](display, options)
            except Exception as exc:  # one broken scenario must not hide the others' figures
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
            print(f" ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    print_table(figures)
    end_load = os.getloadavg()[0]
    # the share of this VM's CPU time its host gave to others (0 on real hardware)
    stolen = steal.percent_since(steal_began, time.monotonic() - wall_began)
    print(
        f"\nLoad average at the end {end_load:.2f}; host steal over the run {stolen:.1f} % "
        f"of CPU time; {len(figures)} figures, "
        f"{sum(f.verdict == 'OVER' for f in figures)} over budget."
    )
    for failure in failures:
        print(f"FAILED {failure}")
    if options.json:
        payload = {
            "started": started.isoformat(timespec="seconds"),
            "machine": info,
            "vlc_args": BENCH_VLC_ARGS,
            "load_start": load,
            "load_end": end_load,
            "host_steal_pct": stolen,
            "figures": [to_dict(f) for f in figures],
            "failures": failures,
        }
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
