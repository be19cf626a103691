"""Issue 15.2: the flowsheet's columns after a restart into a locked panel.

The panel opens locked with a session already in the store (kill -9, then start, single
screen): the flowsheet is filled while its clinical views are out of the window, so
without the staff style sheet. Once unlocked and shown, every cell and header must fit
its column at the sizes of the clinic's screens. Real store, real windows, offscreen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QTableWidget, QWidget

from session_app.app import AppWindows, build_windows, use_single_screen
from session_app.domain.clock import ManualClock
from session_app.domain.pin import hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.flowsheet import FlowsheetTable

PIN = "482913"
VITALS = {
    "systolic": "146",
    "diastolic": "92",
    "heart_rate": "88",
    "spo2": "97",
    "resp_rate": "16",
    "moaas": "5",
    "recorded_by": "AB",
    "note": "ok",
}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def seed_session(data_dir: Path, clock: ManualClock) -> None:
    """A session in progress left in the store by an app that was killed."""
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(hash_pin(PIN))
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("QX-77", ESKETAMINE_REMS, "AB", 70.0)).id
    clock.advance(minutes=5)
    service.record_check(sid, VITALS)  # baseline, "consider delaying" flagged (bold)
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=48)  # the 40 min check, late
    service.record_check(sid, {**VITALS, "systolic": "165", "diastolic": "100", "moaas": "3"})
    store.close()


@pytest.fixture
def reopened(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    seed_session(data_dir, clock)
    store = SessionStore.open(data_dir, clock=clock)
    windows = build_windows(
        store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)), require_pin=True
    )
    qtbot.addWidget(windows.patient)
    qtbot.addWidget(windows.staff)
    use_single_screen(windows)
    windows.patient.show()
    windows.staff.hide()
    yield windows
    windows.staff.confirm_closing()
    windows.staff.stop()
    windows.patient.allow_close = True
    store.close()


def at_size(qtbot, window: QWidget, size: tuple[int, int]) -> None:
    """The panel at a clinic screen's size (single-screen mode shows it full screen, and
    the offscreen screen is 800×800, so leave full screen first)."""
    window.showNormal()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size() == QSize(*size))
    QApplication.processEvents()


def too_narrow(table: QTableWidget) -> list[str]:
    """Every header and cell (but the stretched last column) wider than its column."""
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    header = table.horizontalHeader()
    problems = []
    for column in range(table.columnCount() - 1):
        width = table.columnWidth(column)
        title = table.horizontalHeaderItem(column).text()
        if QFontMetrics(header.font()).horizontalAdvance(title) + margin > width:
            problems.append(f"header {title!r} in {width} px")
        for row in range(table.rowCount()):
            item = table.item(row, column)
            if item is None or not item.text():
                continue
            font = item.font().resolve(table.font())  # what the delegate draws with
            if QFontMetrics(font).horizontalAdvance(item.text()) + margin > width:
                problems.append(f"{item.text()!r} ({title}) in {width} px")
    return problems


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_after_a_restart_into_the_locked_panel_every_cell_fits_its_column(
    qtbot, reopened: AppWindows, size: tuple[int, int]
) -> None:
    staff = reopened.staff
    reopened.patient.staff_shortcut.activated.emit()  # Ctrl+Alt+S in single-screen mode
    assert staff.isVisible() and staff.is_locked
    qtbot.keyClicks(staff.lock_screen.pin, PIN)
    staff.lock_screen.try_unlock()
    assert not staff.is_locked
    at_size(qtbot, staff, size)
    table = staff.flowsheet.table
    assert table.isVisible() and table.rowCount() == 2
    texts = [table.row_texts(row)["time"] for row in range(2)]
    assert any("baseline" in t for t in texts) and any("LATE" in t for t in texts)
    assert too_narrow(table) == []
    # Locked again and unlocked: the views leave the window and come back.
    staff.lock_button.click()
    reopened.patient.staff_shortcut.activated.emit()
    qtbot.keyClicks(staff.lock_screen.pin, PIN)
    staff.lock_screen.try_unlock()
    at_size(qtbot, staff, size)
    assert table.isVisible() and too_narrow(table) == []


def test_a_bigger_font_on_a_shown_flowsheet_widens_its_columns(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    """E.g. the window moved to a screen of another DPI, or a larger style sheet."""
    seed_session(data_dir, clock)
    store = SessionStore.open(data_dir, clock=clock)
    table = FlowsheetTable(store)
    qtbot.addWidget(table)
    table.resize(1200, 300)
    table.show()
    qtbot.waitExposed(table)
    table.set_session(store.sessions()[0].id)
    assert too_narrow(table) == []
    table.setStyleSheet("QTableWidget { font-size: 22px; }")
    qtbot.waitUntil(lambda: too_narrow(table) == [])
    store.close()
