"""The player over real libvlc (dummy audio/video outputs): the decoder really runs."""

from __future__ import annotations

import itertools
import sys
import types
from pathlib import Path

import pytest

from session_app.media import backend as backend_module
from session_app.media.backend import HEADLESS_ARGS, BackendStart, load_backend, unavailable
from session_app.media.fade import ManualTime
from session_app.media.library import MediaKind, load_builtin
from session_app.media.player import MediaPlayer, PlayState, RepeatMode
from session_app.paths import MEDIA_DIR
from tests.media.helpers import audio_item, write_corrupt, write_tone

PLAY_TIMEOUT_MS = 15_000


def builtin(kind: MediaKind):
    return [item for item in load_builtin(MEDIA_DIR).items if item.kind is kind]


@pytest.mark.parametrize("kind", [MediaKind.AUDIO, MediaKind.VIDEO])
def test_builtin_media_plays_and_play_time_advances(qtbot, player: MediaPlayer, kind) -> None:
    item = builtin(kind)[0]
    with qtbot.waitSignal(player.track_changed):
        player.play_item(item)
    assert player.state is PlayState.PLAYING and player.current == item
    qtbot.waitUntil(lambda: player.time_ms() > 600, timeout=PLAY_TIMEOUT_MS)
    first = player.time_ms()
    qtbot.waitUntil(lambda: player.time_ms() > first + 300, timeout=PLAY_TIMEOUT_MS)
    assert player.length_ms() > (60_000 if kind is MediaKind.VIDEO else 180_000)
    assert player.failures == []


def test_fade_in_and_pause_fade_follow_a_smooth_curve(
    qtbot, timed_player: MediaPlayer, manual_time: ManualTime
) -> None:
    player = timed_player
    player.set_volume(80)
    player.play_item(builtin(MediaKind.AUDIO)[0])
    samples = []
    for _ in range(11):  # 0 … 2.0 s in 0.2 s steps, sampled without waiting
        player.tick()
        samples.append(player.level())
        manual_time.advance(0.2)
    assert samples[0] == 0.0
    assert samples[-1] == pytest.approx(0.8)
    assert all(b > a for a, b in itertools.pairwise(samples))
    assert samples[5] == pytest.approx(0.4, abs=0.01)  # halfway in time, halfway in level
    assert samples[1] < 0.05  # starts gently (no click)
    assert player.output_volume == 80
    qtbot.waitUntil(lambda: player.time_ms() > 0, timeout=PLAY_TIMEOUT_MS)  # really playing

    player.pause()
    assert player.state is PlayState.PAUSED
    down = []
    for _ in range(11):
        player.tick()
        down.append(player.level())
        manual_time.advance(0.2)
    player.tick()
    assert down[0] == pytest.approx(0.8) and down[-1] == 0.0
    assert all(b < a for a, b in itertools.pairwise(down))
    assert player.output_volume == 0


def test_fade_is_never_shorter_than_one_and_a_half_seconds() -> None:
    assert MediaPlayer(unavailable("test"), fade_s=0.1).fade_s == 1.5


def test_changing_track_fades_out_before_the_next_starts(
    qtbot, timed_player: MediaPlayer, manual_time: ManualTime
) -> None:
    player = timed_player
    first, second = builtin(MediaKind.AUDIO)[:2]
    player.play_item(first, [first, second])
    manual_time.advance(3)
    player.tick()
    assert player.level() == pytest.approx(player.volume / 100)
    player.next()
    manual_time.advance(1.0)
    player.tick()
    assert player.current == first  # still fading out the first
    assert 0 < player.level() < player.volume / 100
    manual_time.advance(1.1)
    player.tick()
    assert player.current == second and player.level() == 0.0  # now fading in
    manual_time.advance(2.0)
    player.tick()
    assert player.level() == pytest.approx(player.volume / 100)


def test_end_of_track_advances_to_the_next_and_repeat_modes(
    qtbot, player: MediaPlayer, tmp_path: Path
) -> None:
    one = audio_item(write_tone(tmp_path / "one.wav", 2.0, 220))
    two = audio_item(write_tone(tmp_path / "two.wav", 2.0, 330))
    player.set_repeat(RepeatMode.OFF)
    started: list[object] = []
    player.track_changed.connect(started.append)
    player.play_item(one, [one, two])
    qtbot.waitUntil(lambda: player.current == two, timeout=PLAY_TIMEOUT_MS)
    qtbot.waitUntil(lambda: player.state is PlayState.STOPPED, timeout=PLAY_TIMEOUT_MS)
    assert started == [one, two]  # played once through, then stopped (repeat off)

    player.set_repeat(RepeatMode.ALL)
    player.play_item(two, [one, two])
    qtbot.waitUntil(lambda: player.current == one, timeout=PLAY_TIMEOUT_MS)  # wrapped round

    player.set_repeat(RepeatMode.ONE)
    loops = player.time_ms
    qtbot.waitUntil(lambda: player.time_ms() > 300, timeout=PLAY_TIMEOUT_MS)
    qtbot.waitUntil(lambda: 0 <= loops() < 200, timeout=PLAY_TIMEOUT_MS)  # started over
    qtbot.waitUntil(lambda: player.time_ms() > 300, timeout=PLAY_TIMEOUT_MS)
    assert player.current == one and player.state is PlayState.PLAYING


def test_corrupt_and_missing_files_are_skipped_and_reported(
    qtbot, player: MediaPlayer, tmp_path: Path
) -> None:
    corrupt = audio_item(write_corrupt(tmp_path / "broken.ogg"))
    missing = audio_item(tmp_path / "gone.mp3")
    good = audio_item(write_tone(tmp_path / "good.wav", 5.0))
    reported: list[tuple[object, str]] = []
    player.media_failed.connect(lambda item, reason: reported.append((item, reason)))
    player.play_item(corrupt, [corrupt, missing, good])
    qtbot.waitUntil(lambda: player.current == good, timeout=PLAY_TIMEOUT_MS)
    qtbot.waitUntil(lambda: player.time_ms() > 200, timeout=PLAY_TIMEOUT_MS)
    assert [item for item, _reason in reported] == [corrupt, missing]
    assert "damaged" in reported[0][1] and "not found" in reported[1][1]
    assert [f.item for f in player.failures] == [corrupt, missing]


def test_nothing_playable_stops_quietly(qtbot, player: MediaPlayer, tmp_path: Path) -> None:
    missing = audio_item(tmp_path / "gone.mp3")
    corrupt = audio_item(write_corrupt(tmp_path / "broken.ogg"))
    player.play_item(missing, [missing, corrupt])
    qtbot.waitUntil(lambda: len(player.failures) == 2, timeout=PLAY_TIMEOUT_MS)
    assert player.state is PlayState.STOPPED and player.current is None


def test_sleep_timer_fades_to_silence_then_pauses(
    qtbot, timed_player: MediaPlayer, manual_time: ManualTime
) -> None:
    player = timed_player
    player.play_item(builtin(MediaKind.AUDIO)[0])
    player.set_sleep_timer(10)
    assert player.sleep_minutes == 10
    manual_time.advance(6.5 * 60)
    player.tick()
    assert player.level() == pytest.approx(player.volume / 100)
    levels = []
    for _ in range(4):  # 7.5, 8.5, 9.5 and 10.5 minutes
        manual_time.advance(60)
        player.tick()
        levels.append(player.level())
    assert levels[0] < player.volume / 100 and levels == sorted(levels, reverse=True)
    assert player.state is PlayState.PAUSED and player.sleep_minutes is None
    assert player.output_volume == 0


def test_fade_for_check_goes_down_and_comes_back_while_playback_goes_on(
    qtbot, timed_player: MediaPlayer, manual_time: ManualTime
) -> None:
    player = timed_player
    player.play_item(builtin(MediaKind.AUDIO)[0])
    manual_time.advance(2)
    player.tick()
    with qtbot.waitSignal(player.check_fade_changed) as signal:
        player.fade_for_check(True)
    assert signal.args == [True] and player.check_faded
    manual_time.advance(1.5)
    player.tick()
    assert 0 < player.level() < player.volume / 100
    manual_time.advance(1.5)
    player.tick()
    assert player.level() == 0.0 and player.state is PlayState.PLAYING
    player.fade_for_check(False)
    manual_time.advance(3)
    player.tick()
    assert player.level() == pytest.approx(player.volume / 100)


def test_no_libvlc_when_the_import_fails(monkeypatch, qtbot) -> None:
    monkeypatch.setitem(sys.modules, "vlc", None)  # makes `import vlc` raise ImportError
    backend = load_backend(HEADLESS_ARGS)
    assert not backend.available
    assert "libvlc could not be loaded" in backend.reason
    player = MediaPlayer(backend)
    player.play_item(builtin(MediaKind.AUDIO)[0])
    player.set_volume(30)
    player.fade_for_check(True)
    player.tick()
    assert player.state is PlayState.STOPPED and player.current is None
    assert player.unavailable_reason == backend.reason


def test_libvlc_started_on_its_own_thread_is_the_same_real_backend() -> None:
    started = BackendStart(HEADLESS_ARGS)  # the app starts it before Qt loads
    backend = started.result()
    assert backend.available and backend.instance is not None
    assert "--vout=dummy" in backend.args
    assert started.result() is backend  # waiting again gives the same one


def test_libvlc_that_cannot_start_on_its_thread_is_a_reason_not_an_error(monkeypatch) -> None:
    def missing(name: str) -> object:
        raise OSError("libvlc.so.5: cannot open shared object file")

    monkeypatch.setattr(backend_module.importlib, "import_module", missing)
    backend = BackendStart().result()
    assert not backend.available
    assert "libvlc could not be loaded (OSError: libvlc.so.5" in backend.reason


def test_no_libvlc_when_instance_returns_none(monkeypatch) -> None:
    fake = types.SimpleNamespace(Instance=lambda *args: None)
    monkeypatch.setattr(backend_module.importlib, "import_module", lambda name: fake)
    backend = load_backend()
    assert not backend.available and "plugins" in backend.reason


def test_the_player_ticks_fast_only_while_something_fades(
    timed_player: MediaPlayer, manual_time: ManualTime
) -> None:
    """An idle room PC stays quiet: slow ticks when nothing fades, fast ones during a fade."""
    player = timed_player
    player.tick()
    assert player.tick_interval_ms == player.idle_tick_ms
    player.fade_for_check(True)
    assert player.tick_interval_ms == player.tick_ms
    manual_time.advance(1.0)
    player.tick()
    assert player.tick_interval_ms == player.tick_ms  # still fading
    manual_time.advance(player.check_fade_s)
    player.tick()
    assert player.tick_interval_ms == player.idle_tick_ms
