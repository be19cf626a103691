"""Large media tiles (picture and name), grouped, reachable with arrows, Tab and Enter.

The tiles fill the window's width: as many columns as fit (`columns_for`), the groups side
by side while they fit, else one below the other (`plan_sections`), laid out again when
the window's width changes.

Built before the patient window's first paint, so they do not touch `QtCore.Qt` until a
key is pressed (see the window module).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6 import QtCore
from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QFocusEvent, QIcon, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from session_app.media.library import Group, MediaItem

SPACING = 18  # between tiles
SECTION_GAP = 48  # between groups side by side: wider, so each reads as a group
BAND_SPACING = 14  # between a row of groups and the next
MARGINS = (24, 6, 24, 8)  # left, top, right, bottom
TILE_SIZE = QSize(244, 164)
PICTURE_SIZE = QSize(220, 110)
DEFAULT_WIDTH = 1232  # room for tiles until the scroll area says (a 1280 screen)
# A quiet picture for items without one (clinic audio files), one tint per group.
TINTS = {Group.MUSIC: "#2a2f4a", Group.SOUNDSCAPES: "#1f3a40", Group.VIDEO: "#26303c"}


def columns_for(width: int) -> int:
    """How many tiles fit side by side in `width` pixels (always at least one)."""
    return max(1, (width + SPACING) // (TILE_SIZE.width() + SPACING))


def span_width(span: int) -> int:
    """The width of `span` columns of tiles."""
    return span * TILE_SIZE.width() + (span - 1) * SPACING


@dataclass(frozen=True)
class Placement:
    """Where one group's section stands: its band (a row of groups), its first column
    in the band, and how many columns its tiles take."""

    band: int
    column: int
    span: int


def plan_sections(counts: Sequence[int], width: int) -> list[Placement]:
    """Place the groups (their tile counts, in order) in `width` pixels: each in as many
    columns as it has tiles, at most as many as fit; side by side while they fit, else
    in a new band below. Pure arithmetic, so the rule is tested without a window."""
    most = columns_for(width)
    plan: list[Placement] = []
    band, used, column = 0, 0, 0
    for count in counts:
        span = max(1, min(count, most))
        need = span_width(span)
        if used and used + SECTION_GAP + need > width:
            band, used, column = band + 1, 0, 0
        plan.append(Placement(band, column, span))
        used += (SECTION_GAP if used else 0) + need
        column += span
    return plan


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
        self,
        item: MediaItem,
        placeholder: Callable[[Group], QPixmap] = placeholder_picture,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
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


class _Section(QWidget):
    """One group: its heading over its tiles, `span` columns wide.

    The tiles are placed by hand on one plain widget, with no layout: a tile added is
    placed alone (a layout would place every tile again at each addition, and a 2,000-file
    library stalled the window), and a new width moves each tile once, in place (new grid
    blocks meant handing every tile to a new parent: most of a second)."""

    def __init__(self, group: Group, span: int) -> None:
        super().__init__()
        self.setObjectName("TileSection")
        self.span = span
        self.tiles: list[MediaTile] = []
        heading = QLabel(group.title)
        heading.setObjectName("SectionTitle")
        heading.setAccessibleName(group.title)
        self.area = QWidget()
        self.area.setObjectName("TileArea")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(heading)
        column.addWidget(self.area)
        column.addStretch(1)  # beside a longer group, this one stays at the top
        # Grow at once when a row is added, never be laid out squeezed at the old height
        # first (the grid's own layout does the same).
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._fit()

    def _fit(self) -> None:
        """The section as wide as its columns, its tile area as tall as its rows."""
        rows = -(-len(self.tiles) // self.span)
        height = rows * (TILE_SIZE.height() + SPACING) - SPACING if rows else 0
        self.setFixedWidth(span_width(self.span))
        if self.area.size() != QSize(span_width(self.span), height):
            self.area.setFixedSize(span_width(self.span), height)

    def _place(self, index: int, tile: MediaTile) -> None:
        row, col = divmod(index, self.span)
        tile.move(col * (TILE_SIZE.width() + SPACING), row * (TILE_SIZE.height() + SPACING))

    def add(self, tile: MediaTile) -> None:
        if tile.parentWidget() is not self.area:
            tile.setParent(self.area)
        self._place(len(self.tiles), tile)
        self.tiles.append(tile)
        self._fit()
        tile.show()  # a widget given a parent is hidden until told

    def set_span(self, span: int) -> None:
        """Move the tiles into `span` columns (the window changed width, or the group grew
        past one row)."""
        if span == self.span:
            return
        self.span = span
        for index, tile in enumerate(self.tiles):
            self._place(index, tile)
        self._fit()


class TileGrid(QWidget):
    """The library: a titled section per group, in as many columns as fit the width it is
    given (`set_available_width`); groups stand side by side while they fit.

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
        self._plan: dict[Group, Placement] = {}
        self._width = DEFAULT_WIDTH
        self._current: MediaItem | None = None
        self._placeholders: dict[Group, QPixmap] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(*MARGINS)
        self._layout.setSpacing(BAND_SPACING)
        # Grow at once as tiles are added: laid out at the old, smaller height first, the
        # sections would be squeezed and every tile moved twice per addition.
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._bands: list[QHBoxLayout] = []
        for _group in Group:  # at most a band per group; an empty one takes no room
            band = QHBoxLayout()
            band.setSpacing(SECTION_GAP)
            band.addStretch(1)  # the groups stay left
            self._layout.addLayout(band)
            self._bands.append(band)
        self._layout.addStretch(1)
        for _group, items in groups:
            self.add_items(items)

    @property
    def columns(self) -> int:
        """The most tiles side by side in the width given."""
        return columns_for(self._width)

    def set_available_width(self, width: int) -> None:
        """The room the scroll area has (the grid's own width cannot tell: its tiles hold
        it at least as wide as its widest row)."""
        room = max(1, width - MARGINS[0] - MARGINS[2])
        if room != self._width:
            self._width = room
            self._arrange()

    def _arrange(self, adding: Mapping[Group, int] | None = None) -> None:
        """Place the sections as `plan_sections` says for their sizes (with `adding` tiles
        more); nothing moves if the plan holds."""
        adding = adding or {}
        order = [group for group in Group if group in self._sections]
        counts = [len(self._sections[group].tiles) + adding.get(group, 0) for group in order]
        plan = dict(zip(order, plan_sections(counts, self._width), strict=True))
        for group, placement in plan.items():
            self._sections[group].set_span(placement.span)
        bands = {group: placement.band for group, placement in plan.items()}
        if bands != {group: placement.band for group, placement in self._plan.items()}:
            for group in order:
                section = self._sections[group]
                for band in self._bands:
                    band.removeWidget(section)
            for group in order:
                band = self._bands[plan[group].band]
                band.insertWidget(band.count() - 1, self._sections[group])  # before the stretch
        self._plan = plan

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
        """Append a tile for each item at the end of its group's section (the sections are
        placed for their new sizes first, so the new tiles are laid out once)."""
        adding = Counter(item.group for item in items)
        for group in adding:
            if group not in self._sections:
                self._sections[group] = _Section(group, 1)
        self._arrange(adding)
        for item in items:
            section = self._sections[item.group]
            tile = MediaTile(item, self._placeholder, section.area)  # born in place
            section.add(tile)
            tile.clicked.connect(lambda _=False, t=tile: self.item_chosen.emit(t.item))
            tile.arrow_pressed.connect(self._move_focus)
            tile.focused.connect(self.tile_focused)
            tile.setChecked(item == self._current)

    def _places(self) -> dict[MediaTile, tuple[int, int]]:
        """Each tile's (row, column) across all sections as they stand, for the arrow
        keys: a band's rows come after the rows of the bands above it."""
        places: dict[MediaTile, tuple[int, int]] = {}
        row_base = 0
        for band in sorted({p.band for p in self._plan.values()}):
            rows = 0
            for group, placement in self._plan.items():
                if placement.band != band:
                    continue
                tiles = self._section(group)
                for index, tile in enumerate(tiles):
                    row, col = divmod(index, placement.span)
                    places[tile] = (row_base + row, placement.column + col)
                rows = max(rows, -(-len(tiles) // placement.span))
            row_base += rows
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


class TileScrollArea(QScrollArea):
    """The library's scroll area: it tells its grid the room it has, beside a vertical
    scroll bar whether one is shown or not (a grid that reflowed as the bar came and went
    could flip between two layouts)."""

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        self._tell_width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._tell_width()

    def _tell_width(self) -> None:
        grid = self.widget()
        if isinstance(grid, TileGrid):
            bar = self.verticalScrollBar().sizeHint().width()
            grid.set_available_width(self.width() - 2 * self.frameWidth() - bar)
