"""Fade curves and the sleep timer, sampled on manual time (pure Python); and the staff
"fade out for check" on a real player (libvlc with dummy outputs), seen on both volume
sliders."""

from __future__ import annotations

import itertools

import pytest

from session_app.media.fade import Fader, ManualTime, Ramp, SleepTimer, smooth
from session_app.media.library import MediaKind, load_builtin
from session_app.media.player import MediaPlayer, PlayState
from session_app.paths import MEDIA_DIR
from session_app.ui.patient.controls import ControlBar
from session_app.ui.staff.now_playing import NowPlayingStrip


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


def test_fade_for_check_moves_both_volume_sliders_and_brings_them_back(
    qtbot, timed_player: MediaPlayer, manual_time: ManualTime
) -> None:
    """README: "Fade out for check" fades down over 3 s and the patient window follows, its
    slider moves; the staff strip's slider moves with it, and both come back."""
    player = timed_player
    patient, staff = ControlBar(player), NowPlayingStrip(player)
    for widget in (patient, staff):
        qtbot.addWidget(widget)
    song = next(item for item in load_builtin(MEDIA_DIR).items if item.kind is MediaKind.AUDIO)
    player.set_volume(60)
    player.play_item(song)
    manual_time.advance(2)
    player.tick()
    assert patient.volume.value() == staff.volume.value() == 60

    def sliders_over(seconds: float) -> list[tuple[int, int]]:
        seen = []
        for _ in range(int(seconds / 0.5)):
            manual_time.advance(0.5)
            player.tick()
            seen.append((patient.volume.value(), staff.volume.value()))
        return seen

    staff.fade_button.click()
    down = sliders_over(player.check_fade_s)
    assert all(p == s for p, s in down)  # the two sliders show the same
    assert [p for p, _ in down] == sorted((p for p, _ in down), reverse=True)
    assert 0 < down[2][0] < 60 and down[-1] == (0, 0)  # smoothly, all the way down
    assert player.volume == 60 and player.state is PlayState.PLAYING  # the choice is kept
    # Resting: neither slider can be dragged against the fade (it would jump back).
    assert not patient.volume.isEnabled() and not staff.volume.isEnabled()

    staff.fade_button.click()
    up = sliders_over(player.check_fade_s)
    assert all(p == s for p, s in up)
    assert [p for p, _ in up] == sorted(p for p, _ in up)
    assert 0 < up[2][0] < 60 and up[-1] == (60, 60)
    assert player.output_volume == 60
    assert patient.volume.isEnabled() and staff.volume.isEnabled()
