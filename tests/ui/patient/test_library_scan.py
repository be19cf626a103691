"""The clinic folders are scanned off the UI thread: the windows keep moving while a big
folder is read, the tiles fill in afterwards, staff learn what was left out (the patient
does not), closing the settings rescans only when the folder list changed, and closing
the app mid-scan is safe."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from session_app.app import build_windows
from session_app.domain.clock import ManualClock
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.library import Group, MediaItem, MediaKind, MediaLibrary
from session_app.media.player import MediaPlayer
from session_app.media.probe import VlcProber
from session_app.paths import MEDIA_DIR
from session_app.store import SessionStore
from session_app.ui.patient.window import PatientWindow
from session_app.ui.staff.now_playing import NowPlayingStrip
from tests.media.helpers import write_tone
from tests.media.test_scan import LEFT_OUT, messy_folder
from tests.ui.patient.test_patient_window import visible_texts

BUILTIN = 6


def scanning_window(qtbot, player: MediaPlayer, tmp_path: Path) -> PatientWindow:
    library = MediaLibrary(MEDIA_DIR, prober=VlcProber(player.backend), cache_dir=tmp_path / "t")
    window = PatientWindow(player, library)
    window.allow_close = True
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_scanning_many_files_keeps_the_event_loop_running(
    qtbot, player: MediaPlayer, tmp_path: Path
) -> None:
    folder = messy_folder(tmp_path, tiny_files=300)
    window = scanning_window(qtbot, player, tmp_path)
    full = BUILTIN + 300
    ticks_before_full = [0]

    def tick() -> None:  # what the breathing guide and the staff panel need: a running loop
        if len(window.tiles.tiles) < full:
            ticks_before_full[0] += 1

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    window.reload_library([str(folder)])
    qtbot.waitUntil(lambda: len(window.tiles.tiles) == full, timeout=120_000)
    timer.stop()

    assert ticks_before_full[0] >= 5  # the loop ran while the folder was read
    titles = {tile.item.title for tile in window.tiles.tiles}
    assert {"track 000", "track 299"} <= titles
    assert not window.scanner.busy


def test_files_left_out_are_named_on_the_staff_strip_and_not_on_the_patient_window(
    qtbot, player: MediaPlayer, tmp_path: Path
) -> None:
    folder = messy_folder(tmp_path, tiny_files=4)
    window = scanning_window(qtbot, player, tmp_path)
    strip = NowPlayingStrip(player)
    qtbot.addWidget(strip)
    strip.follow_library(window.scanner)
    assert not strip.skipped.isVisibleTo(strip)  # the built-in media are all there

    window.reload_library([str(folder)])
    qtbot.waitUntil(lambda: len(window.tiles.tiles) == BUILTIN + 4, timeout=60_000)

    assert strip.skipped.isVisibleTo(strip)
    assert "8 files left out" in strip.skipped.text()
    details = strip.skipped.toolTip()
    for name in LEFT_OUT:
        assert name in details
    assert "empty file (0 bytes)" in details and "not a media file" in details
    patient_text = visible_texts(window).lower()
    for word in (*LEFT_OUT, "empty", "not a media", "damaged", "unreadable", "left out"):
        assert word.lower() not in patient_text


def test_the_strip_shows_names_as_text_never_as_markup(
    qtbot, player: MediaPlayer, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "<u>loud<u>.mp3").touch()
    window = scanning_window(qtbot, player, tmp_path)
    strip = NowPlayingStrip(player)
    qtbot.addWidget(strip)
    strip.follow_library(window.scanner)
    window.reload_library([str(folder)])
    qtbot.waitUntil(lambda: strip.skipped.isVisibleTo(strip), timeout=60_000)
    assert "<u>loud<u>.mp3" in strip.skipped.text()
    assert strip.skipped.textFormat().name == "PlainText"
    assert "&lt;u&gt;loud&lt;u&gt;.mp3" in strip.skipped.toolTip()  # escaped rich text


def test_closing_settings_rescans_only_when_the_folder_list_changed(
    qtbot, data_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    first = tmp_path / "music"
    first.mkdir()
    write_tone(first / "harbour.wav", 0.1)
    second = tmp_path / "more music"
    second.mkdir()
    write_tone(second / "lighthouse.wav", 0.1)
    store = SessionStore.open(data_dir, clock=clock)
    store.save_settings({"media_folders": [str(first)]})
    windows = build_windows(store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True
    patient = windows.patient

    def titles() -> set[str]:
        return {item.title for item in patient.library.items if not item.builtin}

    assert titles() == {"harbour"}
    write_tone(first / "new arrival.wav", 0.1)  # only a rescan would find it

    windows.staff.open_settings().cancel_button.click()
    assert not patient.scanner.busy and titles() == {"harbour"}
    assert windows.staff.open_settings().save()  # OK, folders unchanged
    assert not patient.scanner.busy and titles() == {"harbour"}

    dialog = windows.staff.open_settings()
    dialog.set_folders("media_folders", [str(first), str(second)])
    assert dialog.save()
    wanted = {"harbour", "new arrival", "lighthouse"}
    qtbot.waitUntil(lambda: {t.item.title for t in patient.tiles.tiles} >= wanted, timeout=30_000)
    assert titles() == wanted
    windows.staff.stop()
    patient.close()
    store.close()


def test_closing_the_patient_window_during_a_scan_stops_it_before_the_player(
    qtbot, player: MediaPlayer, tmp_path: Path
) -> None:
    folder = messy_folder(tmp_path, tiny_files=300)
    window = scanning_window(qtbot, player, tmp_path)
    window.reload_library([str(folder)])
    assert window.scanner.busy

    window.close()

    assert not window.scanner.busy and not player.available
    QApplication.processEvents()  # a result the stopped scan queued must not be shown
    assert len(window.tiles.tiles) == BUILTIN


def test_tiles_already_placed_stay_put_while_more_are_added(
    qtbot, window: PatientWindow, tmp_path: Path
) -> None:
    """Each addition must lay out the newest tiles only: moving the thousands above on
    every turn made a 2,000-file library stall the window for a second or more."""
    items = [
        MediaItem(tmp_path / f"{n}.wav", f"track {n}", MediaKind.AUDIO, Group.MUSIC)
        for n in range(200)
    ]
    grid = window.tiles
    grid.add_items(items[:99])
    first = grid.tiles[30]  # a clinic tile, eighth row (third column)
    qtbot.waitUntil(lambda: first.x() > 0 and grid.tiles[99].x() > 0)  # laid out
    placed = first.mapTo(grid, first.rect().topLeft())
    moves: list[str] = []

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
                moves.append(event.type().name)
            return False

    watch = Watch()
    first.installEventFilter(watch)
    for start in range(99, 199, 20):
        grid.add_items(items[start : start + 20])
        QApplication.processEvents()
    qtbot.waitUntil(lambda: grid.tiles[199].x() > 0)  # the new ones too

    assert moves == []
    assert first.mapTo(grid, first.rect().topLeft()) == placed


def test_arrow_keys_go_down_a_long_group_row_by_row(
    qtbot, window: PatientWindow, tmp_path: Path
) -> None:
    columns = window.tiles.columns
    items = [
        MediaItem(tmp_path / f"{n}.wav", f"track {n}", MediaKind.AUDIO, Group.MUSIC)
        for n in range(8 * columns + 10)
    ]
    window.tiles.add_items(items)
    music = [t for t in window.tiles.tiles if t.item.group is Group.MUSIC]
    start = music[7 * columns + 1]  # the eighth row, second column
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    qtbot.keyClick(start, Qt.Key.Key_Down)
    below = music[8 * columns + 1]
    assert below.hasFocus() and below.x() == start.x() and below.y() > start.y()
