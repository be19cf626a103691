"""The monitor benchmark's stall accounting (benchmarks.monitor_feed): a tick gap is
reported as the clock saw it, and once less the time the hypervisor took from the UI
thread's CPU in it, so a VM's steal is not counted as the app's stall."""

from __future__ import annotations

from pathlib import Path

from benchmarks.core import HostSteal, ThreadCpu, steal_taken
from benchmarks.monitor_feed import Stalls, _stalls


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
