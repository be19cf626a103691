"""The patient window as the patient sees it: library, music, video, breathing guide.

Real libvlc plays the built-in media (no sound: --aout=adummy); video is drawn by
libvlc into the window on the Xvfb screen, so the capture shows the real picture.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from session_app.media.library import Group, MediaKind, MediaLibrary
from session_app.media.player import MediaPlayer, create_player
from session_app.paths import MEDIA_DIR
from session_app.ui.patient.window import PatientWindow


def _window(tmp: Path) -> PatientWindow:
    player = create_player(("--aout=adummy",))
    window = PatientWindow(player, MediaLibrary(MEDIA_DIR, cache_dir=tmp / "thumbs"))
    window.allow_close = True
    window.resize(1440, 900)
    window.show()
    return window


def _wait_playing(player: MediaPlayer, ms: int = 2500, limit_s: float = 12.0) -> None:
    """Let libvlc play (and the fade-in finish) before the picture is taken."""
    app = QApplication.instance()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and (player.time_ms() < ms or player.level() < 0.5):
        app.processEvents()
        time.sleep(0.02)


def patient_library(tmp: Path):
    window = _window(tmp)
    window.tiles.tiles[0].setFocus()
    return [("patient-library.png", window)]


def patient_music(tmp: Path):
    window = _window(tmp)
    item = window.library.group_items(Group.SOUNDSCAPES)[0]
    window.choose(item)
    window.player.set_sleep_timer(20)
    _wait_playing(window.player)
    return [("patient-music.png", window)]


def patient_video(tmp: Path):
    window = _window(tmp)
    video = next(i for i in window.library.items if i.kind is MediaKind.VIDEO)
    window.choose(video)
    _wait_playing(window.player, ms=4000)
    window.hider.poke()  # as if the patient just touched the screen: controls are back
    return [("patient-video.png", window)]


def patient_pacer(tmp: Path):
    window = _window(tmp)
    window.show_pacer()
    window.pacer.circle.set_pattern(window.pacer.circle.pattern)
    app = QApplication.instance()
    deadline = time.monotonic() + 2.5  # well into the in-breath
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    return [("patient-pacer.png", window)]


def patient_no_media(tmp: Path):
    from session_app.media.backend import unavailable

    player = MediaPlayer(unavailable("libvlc could not be loaded (screenshot)"))
    window = PatientWindow(player, MediaLibrary(MEDIA_DIR))
    window.allow_close = True
    window.resize(1440, 900)
    return [("patient-no-media.png", window)]


SCENES = [patient_library, patient_music, patient_video, patient_pacer, patient_no_media]
