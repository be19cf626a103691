"""Staff-panel fixtures: the real panel on the real store, time from a ManualClock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession, TreatmentSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel

BASELINE = {
    "systolic": "128",
    "diastolic": "80",
    "heart_rate": "74",
    "spo2": "98",
    "resp_rate": "14",
    "recorded_by": "AB",
}


@pytest.fixture
def panel(qtbot, store: SessionStore, clock: ManualClock) -> Iterator[StaffPanel]:
    window = StaffPanel(MonitoringService(store, clock))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    yield window
    window.stop()


@pytest.fixture
def session(panel: StaffPanel) -> TreatmentSession:
    """A REMS session started through the service, shown on the panel."""
    started = panel.service.start_session(NewSession("RT-1", ESKETAMINE_REMS, "AB", 70.0))
    panel.show_session(started)
    return started


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def type_and_tab(qtbot, text: str) -> QWidget:
    """Type into whatever has the focus, then press Tab, as a nurse would."""
    widget = focused()
    if text:
        qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return widget


class PaintCounter(QObject):
    """Counts the paint events a widget gets (an event filter: nothing of ours replaced)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False
