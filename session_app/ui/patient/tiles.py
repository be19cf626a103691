"""Large media tiles (picture and name), grouped, reachable with arrows, Tab and Enter.

Built before the patient window's first paint, so they do not touch `QtCore.Qt` until a
key is pressed (see the window module).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore
from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QFocusEvent, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from session_app.media.library import Group, MediaItem

COLUMNS = 4
BLOCK_ROWS = 8  # rows of tiles laid out together (see _Section)
SPACING = 18
TILE_SIZE = QSize(244, 178)
PICTURE_SIZE = QSize(220, 110)
# A quiet picture for items without one (clinic audio files), one tint per group.
TINTS = {Group.MUSIC: "#2a2f4a", Group.SOUNDSCAPES: "#1f3a40", Group.VIDEO: "#26303c"}


def placeholder_picture(group: Group) -> QPixmap:
    from PySide6.QtGui import QColor, QLinearGradient, QPainter  # built-in media have pictures

    pixmap = QPixmap(PICTURE_SIZE)
    painter = QPainter(pixmap)
    gradient = QLinearGradient(0, 0, 0, PICTURE_SIZE.height())
    tint = QColor(TINTS[group])
    gradient.setColorAt(0, tint.lighter(130))
    gradient.setColorAt(1, tint)
    painter.fillRect(pixmap.rect(), gradient)
    painter.end()
    return pixmap


class MediaTile(QToolButton):
    """One item. Arrow keys ask the grid for a neighbour; Enter (or Space) plays.

    Keys and focus are handled here rather than by an event filter on each tile: a
    Python filter runs for every event a tile gets (dozens each while the window is
    first shown, issue 7), not only for keys.
    """

    arrow_pressed = Signal(object, object)  # this tile, the QtCore.Qt.Key
    focused = Signal(object)  # this tile

    def __init__(
        self, item: MediaItem, placeholder: Callable[[Group], QPixmap] = placeholder_picture
    ) -> None:
        super().__init__()
        self.item = item
        self.setObjectName("MediaTile")
        self.setAccessibleName(f"{item.title}, {item.group.title}")
        self.setAccessibleDescription("Plays this")
        self.setText(item.title)
        self.setProperty("toolButtonStyle", "ToolButtonTextUnderIcon")
        self.setFixedSize(TILE_SIZE)
        self.setIconSize(PICTURE_SIZE)
        self.setCheckable(True)
        self.setProperty("focusPolicy", "StrongFocus")
        picture = QPixmap(str(item.thumbnail)) if item.thumbnail else QPixmap()
        if picture.isNull():
            picture = placeholder(item.group)
        self.setIcon(QIcon(picture))  # scaled to fit PICTURE_SIZE when painted

    def keyPressEvent(self, event: QKeyEvent) -> None:
        Key = QtCore.Qt.Key
        key = event.key()
        if key in (Key.Key_Left, Key.Key_Right, Key.Key_Up, Key.Key_Down):
            self.arrow_pressed.emit(self, key)
        elif key in (Key.Key_Return, Key.Key_Enter):
            self.click()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit(self)


class _Section:
    """One group's tiles, in blocks of BLOCK_ROWS rows, each block a widget of its own: a
    tile added to the last block lays out that block only, not the thousands above it."""

    def __init__(self) -> None:
        self.blocks = QVBoxLayout()
        self.blocks.setSpacing(SPACING)
        self.tiles: list[MediaTile] = []
        self._grid: QGridLayout | None = None

    def add(self, tile: MediaTile) -> None:
        index = len(self.tiles) % (BLOCK_ROWS * COLUMNS)
        if self._grid is None or index == 0:
            block = QWidget()
            block.setObjectName("TileBlock")
            # Never squeezed (its minimum is its size): a block that could shrink would
            # be laid out again, every tile in it moved, each time the grid changes.
            block.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self._grid = QGridLayout(block)
            self._grid.setContentsMargins(0, 0, 0, 0)
            self._grid.setHorizontalSpacing(SPACING)
            self._grid.setVerticalSpacing(SPACING)
            self._grid.setColumnStretch(COLUMNS, 1)  # an empty last column: tiles stay left
            self.blocks.addWidget(block)
        row, col = divmod(index, COLUMNS)
        self._grid.addWidget(tile, row, col)
        self.tiles.append(tile)


class TileGrid(QWidget):
    """The library: a titled section per group, tiles in rows of COLUMNS.

    Arrow keys move between tiles (up and down cross sections), Enter or Space plays.
    `add_items` appends tiles later, a few at a time (the clinic's folders join the
    built-in media after a scan; 2,000 tiles at once would hold up the UI thread).
    """

    item_chosen = Signal(object)  # MediaItem
    tile_focused = Signal(object)  # MediaTile, so a scroll area can keep it in view

    def __init__(self, groups: list[tuple[Group, list[MediaItem]]]) -> None:
        super().__init__()
        self.setObjectName("TileGrid")
        self.setAccessibleName("Music and videos")
        self._sections: dict[Group, _Section] = {}
        self._current: MediaItem | None = None
        self._placeholders: dict[Group, QPixmap] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(8)
        # Grow at once as tiles are added: laid out at the old, smaller height first, the
        # sections would be squeezed and every tile moved twice per addition.
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._layout.addStretch(1)
        for _group, items in groups:
            self.add_items(items)

    @property
    def tiles(self) -> list[MediaTile]:
        """Every tile in reading order (section by section)."""
        return [tile for group in Group if group in self._sections for tile in self._section(group)]

    def _placeholder(self, group: Group) -> QPixmap:
        """Drawn once per group, not for each of a clinic folder's thousand tracks."""
        if group not in self._placeholders:
            self._placeholders[group] = placeholder_picture(group)
        return self._placeholders[group]

    def _section(self, group: Group) -> list[MediaTile]:
        return self._sections[group].tiles

    def add_items(self, items: list[MediaItem]) -> None:
        """Append a tile for each item at the end of its group's section."""
        for item in items:
            section = self._sections.get(item.group) or self._add_section(item.group)
            tile = MediaTile(item, self._placeholder)
            section.add(tile)
            tile.clicked.connect(lambda _=False, t=tile: self.item_chosen.emit(t.item))
            tile.arrow_pressed.connect(self._move_focus)
            tile.focused.connect(self.tile_focused)
            tile.setChecked(item == self._current)

    def _add_section(self, group: Group) -> _Section:
        """A heading and an empty section, placed among the sections in the groups' order."""
        order = list(Group)
        before = sum(1 for other in self._sections if order.index(other) < order.index(group))
        index = 3 * before  # each section is a heading, its blocks and a spacing
        heading = QLabel(group.title)
        heading.setObjectName("SectionTitle")
        heading.setAccessibleName(group.title)
        section = _Section()
        self._layout.insertWidget(index, heading)
        self._layout.insertLayout(index + 1, section.blocks)
        self._layout.insertSpacing(index + 2, 4)
        self._sections[group] = section
        return section

    def _places(self) -> dict[MediaTile, tuple[int, int]]:
        """Each tile's (row across all sections, column), for the arrow keys."""
        places: dict[MediaTile, tuple[int, int]] = {}
        row_base = 0
        for group in Group:
            if group not in self._sections:
                continue
            tiles = self._section(group)
            for index, tile in enumerate(tiles):
                row, col = divmod(index, COLUMNS)
                places[tile] = (row_base + row, col)
            row_base += (len(tiles) + COLUMNS - 1) // COLUMNS
        return places

    def mark_current(self, item: MediaItem | None) -> None:
        self._current = item
        for tile in self.tiles:
            tile.setChecked(tile.item == item)

    def tile_for(self, item: MediaItem) -> MediaTile | None:
        return next((tile for tile in self.tiles if tile.item == item), None)

    def _neighbour(self, tile: MediaTile, key: QtCore.Qt.Key) -> MediaTile | None:
        tiles = self.tiles
        index = tiles.index(tile)
        if key == QtCore.Qt.Key.Key_Left:
            return tiles[index - 1] if index > 0 else None
        if key == QtCore.Qt.Key.Key_Right:
            return tiles[index + 1] if index + 1 < len(tiles) else None
        places = self._places()
        row, col = places[tile]
        step = 1 if key == QtCore.Qt.Key.Key_Down else -1
        rows = {r for r, _c in places.values()}
        target_row = row + step
        while target_row in rows or (min(rows) <= target_row <= max(rows)):
            in_row = [t for t, (r, _c) in places.items() if r == target_row]
            if in_row:
                return min(in_row, key=lambda t: abs(places[t][1] - col))
            target_row += step
        return None

    def _move_focus(self, tile: MediaTile, key: QtCore.Qt.Key) -> None:
        target = self._neighbour(tile, key)
        if target is not None:
            target.setFocus()
            self.tile_focused.emit(target)  # also when the window is not active (no FocusIn)
