"""The library's tiles fill the window's width: as many columns as fit, the groups side by
side while they fit, nothing cut off and no sideways scrolling on the patient screens the
clinics have (1280×720, 1366×768, 1920×1080)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from session_app.media.fade import ManualTime
from session_app.media.library import Group, MediaItem, MediaKind
from session_app.ui.patient.tiles import columns_for, plan_sections
from session_app.ui.patient.window import PatientWindow

SCREENS = [QSize(1280, 720), QSize(1366, 768), QSize(1920, 1080)]


def resized(qtbot, window: PatientWindow, size: QSize) -> None:
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size)
    for _ in range(4):  # the grid's reflow and the scroll area's own layout after it
        QApplication.processEvents()


def on_viewport(window: PatientWindow, widget: QWidget) -> QRect:
    viewport = window.library_page.viewport()
    return QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())


def columns_seen(window: PatientWindow) -> int:
    """Tiles side by side on the screen (distinct left edges)."""
    return len({tile.mapTo(window, QPoint(0, 0)).x() for tile in window.tiles.tiles})


def assert_nothing_cut_sideways(window: PatientWindow) -> None:
    page = window.library_page
    width = page.viewport().width()
    assert not page.horizontalScrollBar().isVisible()
    assert page.horizontalScrollBar().maximum() == 0
    for tile in window.tiles.tiles:
        area = on_viewport(window, tile)
        assert area.left() >= 0 and area.right() < width, (tile.item.title, area, width)


@pytest.mark.parametrize("resting", [False, True])
def test_the_builtin_library_is_whole_on_every_patient_screen(
    qtbot, window: PatientWindow, manual_time: ManualTime, resting: bool
) -> None:
    """Every group, heading and tile, on screen without scrolling either way, also with a
    track playing and the resting note up (a taller control bar); and the wider the
    screen, the more tiles side by side."""
    if resting:
        window.choose(window.library.items[0])
        manual_time.advance(2)
        window.player.tick()
        window.player.fade_for_check(True)
    seen = []
    for size in SCREENS:
        resized(qtbot, window, size)
        assert window.controls.rest_note.isVisible() is resting
        assert_nothing_cut_sideways(window)
        viewport = window.library_page.viewport().rect()
        headings = window.tiles.findChildren(QLabel)
        assert [h.text() for h in headings] == ["Music", "Soundscapes", "Nature videos"]
        for widget in [*headings, *window.tiles.tiles]:
            assert viewport.contains(on_viewport(window, widget)), (size, widget.objectName())
        seen.append(columns_seen(window))
    assert seen == sorted(seen) and seen[-1] > seen[0], seen
    assert seen[-1] == 6  # at 1920 the three groups stand side by side


def test_a_big_group_takes_as_many_columns_as_fit(
    qtbot, window: PatientWindow, tmp_path: Path
) -> None:
    window.tiles.add_items(
        [
            MediaItem(tmp_path / f"{n}.wav", f"track {n}", MediaKind.AUDIO, Group.MUSIC)
            for n in range(14)
        ]
    )
    seen = []
    for size in SCREENS:
        resized(qtbot, window, size)
        assert_nothing_cut_sideways(window)
        seen.append(columns_seen(window))
    assert seen[0] < seen[1] < seen[2], seen
    resized(qtbot, window, SCREENS[0])  # and back again
    assert columns_seen(window) == seen[0]
    assert_nothing_cut_sideways(window)


@pytest.mark.parametrize("width", [300, 1000, 1280, 1920])
def test_columns_follow_the_width(width: int) -> None:
    columns = columns_for(width)
    assert columns >= 1 and columns_for(width + 400) > columns


def test_groups_stand_side_by_side_while_they_fit() -> None:
    wide, narrow = 1872, 1232  # 1920 and 1280 less the margins and a scroll bar
    assert [(p.band, p.column, p.span) for p in plan_sections([2, 2, 2], wide)] == [
        (0, 0, 2),
        (0, 2, 2),
        (0, 4, 2),
    ]
    assert [(p.band, p.column) for p in plan_sections([2, 2, 2], narrow)] == [
        (0, 0),
        (0, 2),
        (1, 0),
    ]
    big = plan_sections([40, 2, 2], narrow)  # a clinic's music folder: a band of its own
    assert [(p.band, p.span) for p in big] == [(0, columns_for(narrow)), (1, 2), (1, 2)]


def test_a_new_width_moves_the_tiles_and_never_rebuilds_them(
    qtbot, window: PatientWindow, tmp_path: Path
) -> None:
    """Handing each of a big library's tiles to a new parent at every width change held the
    window up for most of a second (2,000 tiles); moving them is enough."""
    window.tiles.add_items(
        [
            MediaItem(tmp_path / f"{n}.wav", f"track {n}", MediaKind.AUDIO, Group.MUSIC)
            for n in range(150)
        ]
    )
    resized(qtbot, window, SCREENS[0])
    tiles = window.tiles.tiles
    parents = [tile.parentWidget() for tile in tiles]
    changes: list[str] = []

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.ParentChange:
                changes.append(watched.objectName())
            return False

    watch = Watch()
    for tile in tiles:
        tile.installEventFilter(watch)
    for size in [SCREENS[2], SCREENS[1], SCREENS[0]]:
        resized(qtbot, window, size)
        assert_nothing_cut_sideways(window)
    assert changes == []
    assert [tile.parentWidget() for tile in tiles] == parents
    music = [tile for tile in tiles if tile.item.group is Group.MUSIC]
    assert len({tile.x() for tile in music}) == window.tiles.columns == 4  # back at 1280
