"""Fade curves and the sleep timer, sampled on manual time (pure Python)."""

from __future__ import annotations

import itertools

import pytest

from session_app.media.fade import Fader, ManualTime, Ramp, SleepTimer, smooth


def test_smooth_leaves_and_arrives_flat_so_a_fade_never_clicks() -> None:
    samples = [smooth(i / 100) for i in range(101)]
    assert samples[0] == 0.0 and samples[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(samples))
    steps = [b - a for a, b in itertools.pairwise(samples)]
    assert steps[0] < 0.001 and steps[-1] < 0.001  # zero slope at both ends
    assert max(steps) == pytest.approx(steps[50], abs=1e-4)  # steepest in the middle
    assert smooth(-1) == 0.0 and smooth(2) == 1.0


def test_ramp_values_over_time() -> None:
    ramp = Ramp(start=1.0, end=0.0, t0=10.0, duration=2.0)
    assert ramp.value(9.0) == 1.0
    assert ramp.value(11.0) == pytest.approx(0.5)
    assert ramp.value(12.5) == 0.0
    assert not ramp.done(11.9) and ramp.done(12.0)


def test_fader_turning_back_mid_fade_starts_from_where_it_is() -> None:
    time = ManualTime()
    fader = Fader(time, 1.0)
    fader.to(0.0, 2.0)
    time.advance(1.0)
    halfway = fader.value()
    assert halfway == pytest.approx(0.5)
    fader.to(1.0, 2.0)
    assert fader.value() == pytest.approx(halfway)  # no jump when the direction changes
    time.advance(2.0)
    assert fader.value() == 1.0 and not fader.moving()


def test_sleep_timer_plays_on_then_fades_smoothly_to_silence() -> None:
    timer = SleepTimer.start(10, now=0.0)
    assert timer.fade_s == 180.0  # the last three minutes
    assert timer.gain(0) == 1.0 and timer.gain(7 * 60) == 1.0
    curve = [timer.gain(7 * 60 + s) for s in range(0, 181, 10)]
    assert all(b < a for a, b in itertools.pairwise(curve))
    assert curve[-1] == 0.0 and timer.finished(600) and not timer.finished(599)
