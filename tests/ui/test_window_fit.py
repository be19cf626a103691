"""Issue 15 point 12: every window fits a 1366×768 or 1280×720 screen. The panel opened at
1280×800 and the summary at 1400×900 whatever the screen, so History…, Correct… and
"Export FHIR…" were cut off on the clinic's laptops."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTabBar,
    QWidget,
)

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTabBar, QAbstractScrollArea)
SCREENS = [QSize(1366, 768), QSize(1280, 720)]
NORMAL = {"systolic": "128", "diastolic": "78", "heart_rate": "72", "recorded_by": "AB"}


def scrolled(widget: QWidget, window: QWidget) -> bool:
    """Inside a scroll area's content: reached by scrolling, not cut off."""
    child, parent = widget, widget.parentWidget()
    while parent is not None and child is not window:
        if isinstance(parent, QAbstractScrollArea) and child is parent.viewport():
            return True
        child, parent = parent, parent.parentWidget()
    return False


def cut_off(window: QWidget) -> list[str]:
    """Every visible control not wholly inside the window and each of its parents."""
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisible() or scrolled(widget, window):
            continue
        parent = widget.parentWidget()
        while parent is not None:
            rect = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size())
            if not parent.rect().contains(rect):
                name = widget.objectName() or widget.accessibleName() or type(widget).__name__
                found.append(f"{name} {rect} outside {parent.objectName()} {parent.rect()}")
                break
            if parent is window:
                break
            parent = parent.parentWidget()
    return found


@pytest.fixture
def panel(qtbot, store: SessionStore, clock: ManualClock) -> StaffPanel:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("FT-1", ESKETAMINE_REMS, "AB"))
    service.record_check(session.id, NORMAL)
    window = StaffPanel(service)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_panel_and_the_summary_open_no_larger_than_the_screen(qtbot, panel: StaffPanel) -> None:
    room = panel.screen().availableGeometry().size()
    assert room.width() < 1280  # the test screen is smaller than either window's size
    # (narrower than the panel can be, too: it keeps its minimum width there)
    assert panel.width() <= max(room.width(), panel.minimumSizeHint().width())
    assert panel.height() <= room.height()
    summary = panel.open_summary(panel.current_session.id)
    qtbot.waitExposed(summary)
    assert summary.width() <= room.width() and summary.height() <= room.height()
    panel.stop()


def fits(qtbot, window: QWidget, size: QSize) -> list[str]:
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size)
    window.layout().activate()
    return cut_off(window)


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_control_of_the_panel_lies_inside_it(qtbot, panel: StaffPanel, size) -> None:
    assert fits(qtbot, panel, size) == []
    panel.stop()


def _summary(panel: StaffPanel) -> QWidget:
    return panel.open_summary(panel.current_session.id)


def _discharge(panel: StaffPanel) -> QWidget:
    dialog = panel.open_end_session()
    assert dialog is not None
    return dialog


def _settings(panel: StaffPanel) -> QWidget:
    return panel.open_settings()


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s.width()}x{s.height()}")
@pytest.mark.parametrize("open_window", [_summary, _discharge, _settings])
def test_every_control_of_each_window_lies_inside_it(
    qtbot, panel: StaffPanel, size: QSize, open_window: Callable[[StaffPanel], QWidget]
) -> None:
    window = open_window(panel)
    qtbot.waitExposed(window)
    if window.width() > size.width() or window.height() > size.height():
        assert fits(qtbot, window, window.size().boundedTo(size)) == []
    else:
        assert cut_off(window) == []  # at the size it opens at, which fits
    panel.stop()
