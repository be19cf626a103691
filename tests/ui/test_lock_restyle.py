"""The staff lock takes the clinical views out of the window without styling them again.

Locked, the content leaves the window (issue 13). With the staff style sheet on the panel,
the content lost it on the way out and got it back on the way in: Qt re-polished all ~420
widgets both times (20 ms to lock and 40 ms to unlock on a quiet machine; the idle lock was
the longest UI stall of the monitor benchmark, issue 17). The sheet now sits on the views
themselves, and on each page and dialog the panel shows, so the look is the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from session_app.app import AppWindows
from session_app.domain.clock import ManualClock
from session_app.domain.pin import hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.ui.test_lock_keeps_work import NORMAL, PIN, open_app, unlock
from tests.ui.windows import shut_down

STYLE_EVENTS = (QEvent.Type.StyleChange, QEvent.Type.Polish)
SHEET_FONT_PX = 13  # staff.qss: QWidget { font-size: 13px; }
PIN_FONT_PX = 18  # staff.qss: QWidget#LockScreen QLineEdit { font-size: 18px; }


class StyleEvents(QObject):
    """Counts the style changes and polishes delivered to any widget."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in STYLE_EVENTS and isinstance(watched, QWidget):
            self.count += 1
        return False


@pytest.fixture
def windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(hash_pin(PIN))
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("QX-81", ESKETAMINE_REMS, "AB"))
    service.record_check(session.id, NORMAL)
    built = open_app(qtbot, store, clock)
    unlock(qtbot, built)
    built.staff.ensure_charts()
    yield built
    shut_down(built)


def test_locking_and_unlocking_style_no_widget_again(qtbot, windows: AppWindows) -> None:
    staff = windows.staff
    counter = StyleEvents()
    QApplication.instance().installEventFilter(counter)
    try:
        staff.lock()
        assert staff.is_locked and staff.content.window() is staff.content
        unlock(qtbot, windows)
    finally:
        QApplication.instance().removeEventFilter(counter)
    assert counter.count == 0


def test_the_views_pages_and_dialogs_keep_the_staff_look_across_a_lock(
    qtbot, windows: AppWindows
) -> None:
    staff = windows.staff
    for _ in range(2):
        staff.lock()
        assert staff.lock_screen.pin.font().pixelSize() == PIN_FONT_PX
        unlock(qtbot, windows)
    assert staff.vitals_form.first_field().font().pixelSize() == SHEET_FONT_PX
    settings = staff.open_settings()
    assert settings.font().pixelSize() == SHEET_FONT_PX
    settings.reject()
    staff.request_app_close()
    question = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    )
    assert question.font().pixelSize() == SHEET_FONT_PX
    question.button(QMessageBox.StandardButton.No).click()
