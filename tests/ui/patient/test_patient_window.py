"""The patient window with a real headless libvlc player: tiles, keys, video, staff control."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.fade import ManualTime
from session_app.media.library import Group, MediaItem, MediaKind, MediaLibrary
from session_app.media.player import MediaPlayer, PlayState
from session_app.paths import MEDIA_DIR
from session_app.ui.patient.pacer import PacerPanel
from session_app.ui.patient.video import VideoSurface
from session_app.ui.patient.window import PatientWindow
from session_app.ui.staff.now_playing import FADE_DOWN_TEXT, FADE_UP_TEXT, NowPlayingStrip
from tests.media.helpers import write_corrupt


def visible_texts(window: QWidget) -> str:
    """Everything a person could read on the window: labels, buttons, names, title."""
    parts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            parts.append(widget.text())
        parts += [widget.accessibleName(), widget.toolTip()]
    return "\n".join(parts)


def test_tiles_are_grouped_large_and_show_a_picture(window: PatientWindow) -> None:
    titles = [label.text() for label in window.tiles.findChildren(QLabel)]
    assert titles == ["Music", "Soundscapes", "Nature videos"]
    assert len(window.tiles.tiles) == 6
    for tile in window.tiles.tiles:
        assert tile.width() >= 64 and tile.height() >= 64
        assert not tile.icon().isNull() and tile.text()
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window):
            assert button.height() >= 64, button.objectName()


def test_keyboard_moves_between_tiles_and_enter_plays(
    qtbot, window: PatientWindow, player: MediaPlayer
) -> None:
    """The arrows go to the tile beside or below on screen: at 1280 wide the music and
    the soundscapes stand side by side, the videos below them."""
    tiles = window.tiles.tiles
    tiles[0].setFocus()
    qtbot.waitUntil(tiles[0].hasFocus)
    qtbot.keyClick(tiles[0], Qt.Key.Key_Right)
    assert tiles[1].hasFocus()
    qtbot.keyClick(tiles[1], Qt.Key.Key_Right)  # music → the soundscapes beside it
    assert tiles[2].hasFocus() and tiles[2].item.group is Group.SOUNDSCAPES
    assert tiles[2].mapTo(window, QPoint(0, 0)).x() > tiles[1].mapTo(window, QPoint(0, 0)).x()
    qtbot.keyClick(tiles[2], Qt.Key.Key_Left)
    qtbot.keyClick(tiles[1], Qt.Key.Key_Down)  # music → the videos below, same column
    assert tiles[5].hasFocus() and tiles[5].item.kind is MediaKind.VIDEO
    assert tiles[5].mapTo(window, QPoint(0, 0)).x() == tiles[1].mapTo(window, QPoint(0, 0)).x()
    qtbot.keyClick(tiles[5], Qt.Key.Key_Up)
    assert tiles[1].hasFocus()
    qtbot.keyClick(tiles[1], Qt.Key.Key_Right)
    qtbot.keyClick(tiles[2], Qt.Key.Key_Return)
    assert player.current == tiles[2].item and player.state is PlayState.PLAYING
    assert tiles[2].isChecked() and not tiles[3].isChecked()
    assert player.playlist == window.library.group_items(Group.SOUNDSCAPES)
    assert "Ocean swell" in window.controls.now_playing.text()


def test_controls_drive_the_player_and_show_what_it_does(
    qtbot, window: PatientWindow, player: MediaPlayer, manual_time: ManualTime
) -> None:
    controls = window.controls
    qtbot.mouseClick(window.tiles.tiles[0], Qt.MouseButton.LeftButton)
    manual_time.advance(2)
    player.tick()
    assert controls.play_button.text() == "Pause"
    qtbot.mouseClick(controls.play_button, Qt.MouseButton.LeftButton)
    assert player.state is PlayState.PAUSED and controls.play_button.text() == "Play"
    controls.volume.setValue(35)
    assert player.volume == 35
    qtbot.mouseClick(controls.sleep_button, Qt.MouseButton.LeftButton)
    assert player.sleep_minutes == 10 and "10 min" in controls.sleep_button.text()
    qtbot.mouseClick(controls.repeat_button, Qt.MouseButton.LeftButton)
    assert controls.repeat_button.text() == "Repeat: this one"
    qtbot.mouseClick(controls.next_button, Qt.MouseButton.LeftButton)
    manual_time.advance(3)
    player.tick()
    assert player.current == window.tiles.tiles[1].item


def test_video_plays_in_the_window_and_controls_fade_away_until_input(
    qtbot, window: PatientWindow, player: MediaPlayer
) -> None:
    video_tile = next(t for t in window.tiles.tiles if t.item.kind is MediaKind.VIDEO)
    qtbot.mouseClick(video_tile, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.video
    assert window.controls.fullscreen_button.isVisible()
    qtbot.waitUntil(lambda: player.time_ms() > 300, timeout=15_000)
    qtbot.waitUntil(lambda: not window.controls.isVisible(), timeout=5_000)  # idle → hidden
    assert not window.header.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert window.controls.isVisible() and window.header.isVisible()
    qtbot.waitUntil(lambda: not window.controls.isVisible(), timeout=5_000)
    qtbot.mouseMove(window.video)
    qtbot.waitUntil(window.controls.isVisible, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5_000)


@pytest.mark.parametrize("width", [1024, 1280, 1366])
def test_every_control_stays_on_a_small_patient_screen_while_a_video_plays(
    qtbot, window: PatientWindow, width: int
) -> None:
    """Patient screens are often 1280 or 1366 pixels wide; the controls in one row need
    about 1,500, so the bar takes two rows rather than hold the window wider than its
    screen (where the full-screen button and the breathing guide were cut off)."""
    window.resize(width, 768)
    qtbot.waitUntil(lambda: window.width() == width)
    video_tile = next(t for t in window.tiles.tiles if t.item.kind is MediaKind.VIDEO)
    qtbot.mouseClick(video_tile, Qt.MouseButton.LeftButton)  # + the full-screen button
    qtbot.wait(50)
    controls = [*window.findChildren(QAbstractButton), window.controls.volume]
    shown = [widget for widget in controls if widget.isVisibleTo(window)]
    assert window.controls.fullscreen_button in shown and window.pacer_nav in shown
    for widget in shown:
        area = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        assert window.rect().contains(area), widget.objectName()


def test_the_controls_take_one_row_when_the_screen_is_wide_enough(
    qtbot, window: PatientWindow
) -> None:
    bar = window.controls
    window.resize(1920, 800)
    qtbot.waitUntil(lambda: bar.repeat_button.y() == bar.play_button.y())
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: bar.repeat_button.y() > bar.play_button.geometry().bottom())
    window.resize(1920, 800)  # and back
    qtbot.waitUntil(lambda: bar.repeat_button.y() == bar.play_button.y())


def test_only_the_video_surface_is_a_window_of_its_own(qtbot, window: PatientWindow) -> None:
    """libvlc needs one native window to draw into; Qt would make its parents and their
    siblings (pages, header, controls) native too, each costing start-up and paint time."""
    qtbot.waitUntil(lambda: window.findChildren(VideoSurface) != [])  # after the first paint
    native = [w.objectName() for w in window.findChildren(QWidget) if w.internalWinId()]
    assert native == ["VideoSurface"]
    if sys.platform.startswith("linux"):  # and libvlc draws into that one
        assert window.player._mp.get_xwindow() == int(window.video.winId())


def test_the_video_page_joins_after_the_first_paint(qtbot, unshown_window: PatientWindow) -> None:
    """The patient's first screen does not wait for the video surface (issue 7)."""
    window = unshown_window
    assert window.findChildren(VideoSurface) == []
    window.show()
    qtbot.waitUntil(lambda: len(window.findChildren(VideoSurface)) == 1)
    window.repaint()
    qtbot.wait(20)
    assert len(window.findChildren(VideoSurface)) == 1  # once, however often it paints


def test_a_video_chosen_before_the_first_paint_still_plays_in_the_window(
    unshown_window: PatientWindow, player: MediaPlayer, library: MediaLibrary
) -> None:
    window = unshown_window
    video = next(item for item in library.items if item.kind is MediaKind.VIDEO)
    drawn_into: list[int] = []  # libvlc's window as the video starts (0: one of its own)

    def on_state(state: PlayState) -> None:
        if state is PlayState.PLAYING:
            drawn_into.append(player._mp.get_xwindow())

    player.state_changed.connect(on_state)
    window.choose(video)
    [surface] = window.findChildren(VideoSurface)
    assert window.pages.currentWidget() is surface
    if sys.platform.startswith("linux"):
        assert drawn_into[0] == int(surface.winId())


def test_pacer_is_reachable_with_or_without_media(qtbot, window: PatientWindow) -> None:
    assert window.findChildren(PacerPanel) == []  # built when first opened (start-up)
    qtbot.mouseClick(window.pacer_nav, Qt.MouseButton.LeftButton)
    [pacer] = window.findChildren(PacerPanel)
    assert window.pages.currentWidget() is pacer and pacer.isVisible()
    assert window.pacer_nav.isChecked() and not window.library_nav.isChecked()
    qtbot.mouseClick(window.library_nav, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.library_page
    assert window.library_nav.isChecked() and not window.pacer_nav.isChecked()
    qtbot.mouseClick(window.pacer_nav, Qt.MouseButton.LeftButton)
    assert window.findChildren(PacerPanel) == [pacer]  # the same one, its pattern kept


def test_staff_fade_out_is_reflected_in_the_patient_window(
    qtbot, window: PatientWindow, player: MediaPlayer, manual_time: ManualTime
) -> None:
    strip = NowPlayingStrip(player)
    qtbot.addWidget(strip)
    window.choose(window.library.items[0])
    manual_time.advance(2)
    player.tick()
    assert "Evening pad" in strip.title.text() and "playing" in strip.title.text()
    assert not window.controls.rest_note.isVisible()

    qtbot.mouseClick(strip.fade_button, Qt.MouseButton.LeftButton)
    assert player.check_faded and strip.fade_button.text() == FADE_UP_TEXT
    assert window.controls.rest_note.isVisible()
    manual_time.advance(player.check_fade_s)
    player.tick()
    assert player.level() == 0.0 and player.state is PlayState.PLAYING

    qtbot.mouseClick(strip.fade_button, Qt.MouseButton.LeftButton)
    assert not window.controls.rest_note.isVisible() and strip.fade_button.text() == FADE_DOWN_TEXT
    manual_time.advance(player.check_fade_s)
    player.tick()
    assert player.level() == player.volume / 100

    strip.volume.setValue(20)  # staff turn it down: the patient's slider follows
    assert window.controls.volume.value() == 20
    qtbot.mouseClick(strip.pause_button, Qt.MouseButton.LeftButton)
    assert window.controls.play_button.text() == "Play"


def test_a_failed_file_is_told_to_staff_not_to_the_patient(
    qtbot, window: PatientWindow, player: MediaPlayer, tmp_path: Path
) -> None:
    strip = NowPlayingStrip(player)
    qtbot.addWidget(strip)
    broken = MediaItem(
        write_corrupt(tmp_path / "broken.ogg"), "Broken", MediaKind.AUDIO, Group.MUSIC
    )
    missing = MediaItem(tmp_path / "gone.mp3", "Gone", MediaKind.AUDIO, Group.MUSIC)
    good = window.library.items[0]
    player.play_item(broken, [broken, missing, good])
    qtbot.waitUntil(lambda: player.current == good, timeout=15_000)
    assert strip.problem.isVisibleTo(strip)
    assert "gone.mp3" in strip.problem.text() and "not found" in strip.problem.text()
    assert "broken.ogg" in strip.problem.toolTip()
    patient_text = visible_texts(window).lower()
    for word in ("broken", "gone", "not found", "damaged", "skipped", "error"):
        assert word not in patient_text


def test_without_libvlc_the_window_offers_calm_words_and_the_pacer(
    qtbot, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "vlc", None)
    player = MediaPlayer(load_backend(HEADLESS_ARGS))
    window = PatientWindow(player, MediaLibrary(MEDIA_DIR, ["/nowhere"], prober=None))
    window.allow_close = True
    qtbot.addWidget(window)
    window.show()
    assert window.pages.currentWidget() is window.unavailable_page
    assert not window.controls.isVisible()
    text = visible_texts(window).lower()
    assert "breathing guide" in text
    for word in ("libvlc", "unavailable", "error", "install"):
        assert word not in text
    qtbot.mouseClick(window.unavailable_breathe, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.pacer

    strip = NowPlayingStrip(player)
    qtbot.addWidget(strip)
    assert "unavailable" in strip.problem.text().lower()
    assert "libvlc could not be loaded" in strip.problem.text()
    assert not strip.fade_button.isEnabled()


def test_an_accidental_close_is_refused_and_staff_decide(qtbot, player, library) -> None:
    answers = [False, True]
    window = PatientWindow(player, library, close_guard=lambda: answers.pop(0))
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert window.isVisible()
    window.close()
    assert not window.isVisible() and answers == []


def test_control_buttons_show_their_whole_wording_on_a_small_screen(qtbot, window) -> None:
    from session_app.ui.patient.controls import REPEAT_TEXT, sleep_text

    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    bar = window.controls
    for button, wordings in (
        (bar.repeat_button, list(REPEAT_TEXT.values())),
        (bar.sleep_button, [sleep_text(30), sleep_text(None)]),
    ):
        for text in wordings:
            button.setText(text)
            width = button.fontMetrics().horizontalAdvance(text)
            assert button.width() >= width + 40, (text, button.width(), width)


def test_the_resting_note_is_read_whole_at_every_width(
    qtbot, window: PatientWindow, player: MediaPlayer, manual_time: ManualTime
) -> None:
    """While staff talk with the patient the note says why the sound went: all of it (it
    was cut to "The sound is resting for a m" beside a title where the bar just fits in
    one row, as on a 1366 screen under Xvfb)."""
    window.choose(window.library.items[0])
    manual_time.advance(2)
    player.tick()
    note = window.controls.rest_note
    for width in range(1280, 1921, 32):
        player.fade_for_check(False)
        window.resize(width, 768)
        qtbot.waitUntil(lambda w=width: window.width() == w)
        QApplication.processEvents()
        player.fade_for_check(True)  # the note appears in a bar laid out without it
        QApplication.processEvents()
        assert note.isVisible()
        one_line = note.fontMetrics().horizontalAdvance(note.text())
        wrapped_fits = note.wordWrap() and note.height() >= note.heightForWidth(note.width())
        assert note.width() >= one_line or wrapped_fits, (width, note.width(), one_line)
        assert QRect(note.mapTo(window, QPoint(0, 0)), note.size()).bottom() < window.height()
