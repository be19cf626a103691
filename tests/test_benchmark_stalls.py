"""The monitor benchmark's stall accounting (benchmarks.monitor_feed): a tick gap is
reported as the clock saw it, and once less the time the hypervisor took from the UI
thread's CPU in it, so a VM's steal is not counted as the app's stall."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

from benchmarks.core import HostSteal, ThreadCpu, ThreadSchedule, steal_taken
from benchmarks.monitor_feed import GC_NOTED_MS, Stalls, _gc_pauses, _GcPauses, _stalls
from benchmarks.stall_stacks import report, stack_line


def test_a_gap_is_reported_whole_and_less_the_steal_every_cpu_had(tmp_path: Path) -> None:
    gaps = tmp_path / "gaps.txt"
    gaps.write_text(
        "10.000 85.0 60\n"  # mostly the host's: 25 ms the app's
        "11.000 42.0 0\n"  # all the app's
        "99.000 500.0 0\n",  # outside the window
        encoding="ascii",
    )
    assert _stalls(gaps, [9.0, 12.0]) == Stalls(85.0, 60.0, 42.0)
    assert _stalls(gaps, [20.0, 30.0]) == Stalls(10.0, 0.0, 10.0)  # none: one tick


def test_the_app_s_longest_gap_says_how_long_the_ui_thread_ran_and_waited_for_a_cpu(
    tmp_path: Path,
) -> None:
    """Of the gap the budget counts (the longest less steal), the UI thread's own CPU
    time and its time runnable but waiting for a CPU: the rest it was asleep (the GIL,
    the X server), so a stall can be told apart from a busy machine."""
    gaps = tmp_path / "gaps.txt"
    gaps.write_text(
        "10.000 85.0 60 20.0 5.0\n"  # the longest as the clock saw it, mostly steal
        "11.000 42.0 0 12.0 25.0\n",  # the app's longest: 12 ms run, 25 ms waiting
        encoding="ascii",
    )
    stalls = _stalls(gaps, [9.0, 12.0])
    assert (stalls.longest_ms, stalls.own_ms) == (85.0, 42.0)
    assert (stalls.cpu_in_own_ms, stalls.wait_in_own_ms) == (12.0, 25.0)


def test_the_ui_thread_s_cpu_and_run_queue_wait_are_read_from_its_schedstat() -> None:
    schedule = ThreadSchedule()
    before = schedule.read_ms()
    assert before is not None  # Linux with sched_info, as this VM and CI
    busy_until = sum(before) + 20.0
    while sum(schedule.read_ms() or (0.0, 0.0)) < busy_until:
        pass  # 20 ms on (or waiting for) a CPU
    cpu, wait = schedule.read_ms() or (0.0, 0.0)
    assert cpu + wait >= busy_until and cpu > before[0]
    seen_elsewhere: list[tuple[float, float] | None] = []
    thread = threading.Thread(target=lambda: seen_elsewhere.append(schedule.read_ms()))
    thread.start()
    thread.join()
    assert seen_elsewhere[0] is not None and seen_elsewhere[0][0] >= cpu  # still this thread's


def test_the_steal_taken_out_is_the_ui_thread_s_cpu_s_or_the_least_any_had() -> None:
    before, after = (100.0, 200.0), (160.0, 230.0)
    assert steal_taken(before, after, 0, 0) == 60.0  # on CPU 0 throughout
    assert steal_taken(before, after, 1, 1) == 30.0
    assert steal_taken(before, after, 0, 1) == 30.0  # it moved: what it surely lost
    assert steal_taken(before, after, None, None) == 30.0
    assert steal_taken((), (), None, None) == 0.0  # no steal column: nothing taken out


def test_the_steal_is_read_per_cpu_from_proc_stat() -> None:
    per_cpu = HostSteal().per_cpu_ms()
    assert len(per_cpu) >= 1 and all(ms >= 0 for ms in per_cpu)
    assert HostSteal().total_ms() >= sum(per_cpu)  # it only grows
    assert ThreadCpu().last() in range(len(per_cpu))


def test_the_host_s_share_is_a_percentage_of_every_cpu_s_time() -> None:
    steal = HostSteal()
    cpus = len(steal.per_cpu_ms())
    # 10 s of every CPU's time is 100 %: as if the host had taken 10,000 ms per CPU
    assert steal.percent_since(steal.total_ms() - 10_000 * cpus, 10.0) >= 100.0


def test_the_collection_inside_the_longest_gap_is_the_overlap_of_the_two(tmp_path: Path) -> None:
    gaps, pauses = tmp_path / "gaps.txt", tmp_path / "gc.txt"
    gaps.write_text("10.000 50.0 0\n11.000 20.0 0\n", encoding="ascii")  # 9.950–10.000
    pauses.write_text(
        "9.960 2 30.0\n"  # 9.930–9.960: 10 ms inside the longest gap
        "9.990 0 5.0\n"  # wholly inside: 5 ms
        "10.990 1 8.0\n",  # inside the other gap only
        encoding="ascii",
    )
    stalls = _stalls(gaps, [9.0, 12.0], _gc_pauses(pauses))
    assert stalls.longest_ms == 50.0
    assert round(stalls.gc_in_longest_ms, 6) == 15.0
    assert [p.generation for p in _gc_pauses(pauses, [10.5, 12.0])] == [1]


def test_a_long_collection_is_written_and_a_short_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "gc.txt"
    recorder = _GcPauses(path)
    try:
        recorder._on_gc("start", {"generation": 2})
        recorder._began -= (GC_NOTED_MS + 1) / 1000  # as if it had run that long
        recorder._on_gc("stop", {"generation": 2})
        recorder._on_gc("start", {"generation": 0})
        recorder._on_gc("stop", {"generation": 0})  # at once: under GC_NOTED_MS
    finally:
        gc.callbacks.remove(recorder._on_gc)
    [pause] = _gc_pauses(path)
    assert pause.generation == 2 and pause.ms >= GC_NOTED_MS + 1


def test_the_stall_report_shows_what_ran_inside_each_gap_after_start_up(tmp_path: Path) -> None:
    (tmp_path / "gaps.txt").write_text(
        "5.000 900.0 0\n"  # start-up: left out
        "10.000 40.0 10\n"  # 9.960–10.000
        "12.000 20.0 0\n",  # under --at-least
        encoding="ascii",
    )
    (tmp_path / "stacks.txt").write_text(
        "9.900 app.py:469:run_gui\n"
        "9.970 charts.py:152:take_in < app.py:469:run_gui\n"
        "9.995 BLOCKED 20.0\n"
        "11.995 trend_plots.py:406:set_data\n",
        encoding="utf-8",
    )
    lines = report(tmp_path, at_least_ms=30).splitlines()
    assert lines[0].startswith("gap 40.0 ms (host steal 10 ms)")
    assert [line.split("ms  ")[1] for line in lines[1:]] == [
        "app.py:469:run_gui",  # what ran as the gap began
        "charts.py:152:take_in < app.py:469:run_gui",
        "BLOCKED 20.0",
    ]
    assert "+10.0 ms" in lines[2]


def test_a_stack_line_names_the_innermost_frame_first() -> None:
    def inner() -> str:
        return stack_line(sys._current_frames()[threading.get_ident()], depth=2)

    innermost, caller = inner().split(" < ")
    assert innermost.endswith(":inner")
    assert caller.endswith(":test_a_stack_line_names_the_innermost_frame_first")
