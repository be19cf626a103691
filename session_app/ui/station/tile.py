"""One room's tile on the station board: binds a `RoomTile` (clinic.board), nothing more.

Every text is the board's and is shown as written (plain-text labels: a patient ID or an
alert message is never markup). A tile is one focusable control: Enter, Space or a click
opens the session's summary; its accessible description reads the whole tile.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from session_app.clinic.board import RoomTile
from session_app.ui.staff.widgets import set_text
from session_app.ui.text import plain_label
from session_app.ui.theme import set_style_state

ALERTS_SHOWN = 2  # lines of open alerts on a tile; the rest are counted
_URGENT = ("Urgent", "High")


class RoomTileWidget(QFrame):
    """A room's tile; `opened(room)` when staff open it."""

    opened = Signal(str)

    def __init__(self, room: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.room = room
        self.tile: RoomTile | None = None
        self.setObjectName("RoomTile")
        self.setAccessibleName(f"{room} tile")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # The grid's columns set the width; a long alert wraps instead of widening a tile.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        def label(name: str, accessible: str) -> QLabel:
            made = plain_label("", name, f"{room} {accessible}")
            made.setWordWrap(True)
            return made

        self.name = label("TileRoom", "name")
        self.name.setText(room)
        self.phase = label("TilePhase", "phase")
        self.phase.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.patient = label("TilePatient", "patient and protocol")
        self.dose = label("TileDose", "time since dose")
        self.next_check = label("TileNextCheck", "next check")
        self.readings: dict[str, QLabel] = {}
        self.alerts = label("TileAlerts", "open alerts")
        self.rems = label("TileRems", "REMS form")
        self.heard = label("TileHeard", "last heard from")

        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.phase)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        # Last heard comes right under the name: a stale tile says so before any value.
        for widget in (self.heard, self.patient, self.dose, self.next_check):
            layout.addWidget(widget)
        layout.addLayout(self.grid)
        for widget in (self.alerts, self.rems):
            layout.addWidget(widget)
        layout.addStretch(1)

    def show_tile(self, tile: RoomTile) -> None:
        """Show the board's tile for this room (text set only where it changed)."""
        self.tile = tile
        set_text(self.name, tile.display_name or self.room)  # renamed: `clinic rename-room`
        set_text(self.phase, tile.phase_text)
        who = " · ".join(part for part in (tile.patient_id, tile.protocol) if part)
        set_text(self.patient, who or "No session on the server yet")
        self.patient.setVisible(True)
        set_text(self.dose, tile.dose_text)
        self.dose.setVisible(bool(tile.dose_text))
        set_text(self.next_check, tile.next_check_text)
        self.next_check.setVisible(bool(tile.next_check_text))
        set_style_state(self.next_check, "overdue", tile.overdue)
        for index, reading in enumerate(tile.readings):
            shown = self.readings.get(reading.label)
            if shown is None:
                shown = plain_label("", "TileReading", f"{self.room} {reading.label}")
                self.readings[reading.label] = shown
                self.grid.addWidget(shown, index // 2, index % 2)
            at = f" ({reading.at})" if reading.at else ""
            set_text(shown, f"{reading.label} {reading.value}{at}")
        lines = [f"{a.severity}: {a.message}" for a in tile.alerts[:ALERTS_SHOWN]]
        if len(tile.alerts) > ALERTS_SHOWN:
            lines.append(f"+{len(tile.alerts) - ALERTS_SHOWN} more open alerts")
        set_text(self.alerts, "\n".join(lines))
        self.alerts.setVisible(bool(lines))
        set_text(self.rems, tile.rems_text)
        self.rems.setVisible(bool(tile.rems_text))
        set_text(self.heard, tile.heard_text)
        set_style_state(self.heard, "stale", tile.stale)
        set_style_state(self, "stale", tile.stale)
        urgent = any(a.severity in _URGENT for a in tile.alerts)
        attention = tile.overdue or bool(tile.alerts) or tile.stale
        set_style_state(self, "level", "urgent" if urgent else "attention" if attention else "")
        self.setAccessibleDescription(self.text())

    def text(self) -> str:
        """The tile as one text, as a screen reader reads it (stale first)."""
        if self.tile is None:
            return self.room
        tile = self.tile
        parts = [tile.heard_text] if tile.stale else []
        parts += [self.name.text(), tile.phase_text, self.patient.text(), tile.dose_text,
                  tile.next_check_text]  # fmt: skip
        parts += [f"{r.label} {r.value}" + (f" at {r.at}" if r.at else "") for r in tile.readings]
        parts += [f"{a.severity}: {a.message}" for a in tile.alerts]
        parts += [tile.rems_text] if tile.rems_text else []
        parts += [] if tile.stale else [tile.heard_text]
        return ". ".join(p for p in parts if p)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.opened.emit(self.room)
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.opened.emit(self.room)
            return
        super().keyPressEvent(event)
