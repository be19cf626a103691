"""The staff lock in the real panel, closing the app only with staff consent, single-screen
mode, saving problems shown persistently, and the end-of-session / summary wiring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QWidget,
)

from session_app.app import AppWindows, build_windows, use_single_screen
from session_app.domain.clock import ManualClock
from session_app.domain.pin import hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.summary.discharge_dialog import DischargeDialog
from tests.faults import locked_by_other_process

PIN = "482913"
NORMAL = {"systolic": "128", "diastolic": "78", "heart_rate": "72", "recorded_by": "AB"}


@pytest.fixture
def app_windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    store = SessionStore.open(data_dir, clock=clock, busy_timeout_ms=100)
    windows = build_windows(
        store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)), require_pin=True
    )
    qtbot.addWidget(windows.patient)
    qtbot.addWidget(windows.staff)
    windows.patient.show()
    windows.staff.show()
    yield windows
    windows.staff.confirm_closing()
    windows.staff.stop()
    windows.patient.allow_close = True
    for window in (windows.patient, windows.staff):  # not left on screen for later tests
        window.close()
    store.close()


def with_pin_and_session(qtbot, data_dir: Path, clock: ManualClock) -> AppWindows:
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(hash_pin(PIN))
    session = MonitoringService(store, clock).start_session(
        NewSession("QX-77", ESKETAMINE_REMS, "AB")
    )
    MonitoringService(store, clock).record_check(session.id, {**NORMAL, "heart_rate": "140"})
    windows = build_windows(
        store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)), require_pin=True
    )
    qtbot.addWidget(windows.patient)
    qtbot.addWidget(windows.staff)
    windows.patient.show()
    windows.staff.show()
    return windows


def shut_down(windows: AppWindows) -> None:
    """What staff confirming "close session_app" leads to, without the dialog."""
    windows.staff.confirm_closing()
    windows.staff.stop()
    windows.patient.allow_close = True
    windows.store.close()


def visible_text(window: QWidget) -> str:
    parts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            parts.append(widget.text())
        if isinstance(widget, QComboBox):
            parts.append(widget.currentText())
        if isinstance(widget, QTableWidget):
            parts += [
                widget.item(r, c).text()
                for r in range(widget.rowCount())
                for c in range(widget.columnCount())
                if widget.item(r, c)
            ]
    return " ".join(parts)


def unlock(qtbot, windows: AppWindows) -> None:
    qtbot.keyClicks(windows.staff.lock_screen.pin, PIN)
    windows.staff.lock_screen.try_unlock()


def test_first_start_asks_for_a_pin_and_shows_nothing_else(qtbot, app_windows: AppWindows) -> None:
    staff = app_windows.staff
    assert staff.is_locked and staff.pages.currentWidget() is staff.pin_setup
    assert not staff.start_form.isVisible()
    staff.pin_setup.pin.setText(PIN)
    staff.pin_setup.repeat.setText(PIN)
    assert staff.pin_setup.submit()
    assert not staff.is_locked and staff.start_form.isVisible()
    assert app_windows.store.current_pin() is not None


def test_with_a_pin_set_the_panel_starts_locked_and_shows_nothing_clinical(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = with_pin_and_session(qtbot, data_dir, clock)
    staff = windows.staff
    assert staff.pages.currentWidget() is staff.lock_screen  # no first-start prompt
    text = visible_text(staff)
    for clinical in ("QX-77", "140", "Heart rate", "Esketamine", "alert", "NEWS2"):
        assert clinical.lower() not in text.lower()
    unlock(qtbot, windows)
    assert not staff.is_locked
    assert "QX-77" in visible_text(staff)
    shut_down(windows)


def test_idle_time_and_the_lock_button_lock_the_panel(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = with_pin_and_session(qtbot, data_dir, clock)
    staff = windows.staff
    unlock(qtbot, windows)
    settings = staff.open_settings()
    clock.advance(minutes=4)
    staff.idle.poll()
    assert not staff.is_locked
    clock.advance(minutes=1)
    staff.idle.poll()
    assert staff.is_locked and not settings.isVisible()  # dialogs closed too
    unlock(qtbot, windows)
    staff.lock_button.click()
    assert staff.is_locked
    shut_down(windows)


def test_closing_from_the_patient_window_waits_for_the_pin_then_staff_decide(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = with_pin_and_session(qtbot, data_dir, clock)
    staff, patient = windows.staff, windows.patient
    patient.close()
    assert patient.isVisible() and staff.close_pending
    assert "Closing session_app was requested" in staff.lock_screen.note.text()
    assert staff.findChildren(QMessageBox, "ConfirmClosePatientWindow") == []
    staff.close()  # closing the locked panel is only a request too
    assert staff.isVisible()
    unlock(qtbot, windows)
    box = staff.findChildren(QMessageBox, "ConfirmClosePatientWindow")[-1]
    box.button(QMessageBox.StandardButton.Yes).click()
    assert not patient.isVisible() and not staff.isVisible()
    windows.store.close()


def test_single_screen_mode_opens_the_panel_only_with_the_pin_and_hides_it_again(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = with_pin_and_session(qtbot, data_dir, clock)
    staff, patient = windows.staff, windows.patient
    use_single_screen(windows)
    staff.hide()
    patient.staff_shortcut.activated.emit()
    assert staff.isVisible() and staff.is_locked
    unlock(qtbot, windows)
    assert "QX-77" in visible_text(staff)
    staff.lock_button.click()
    assert not staff.isVisible() and patient.isVisible()
    shut_down(windows)


def test_a_saving_problem_stays_on_screen_until_saving_works(
    qtbot, app_windows: AppWindows, clock: ManualClock
) -> None:
    staff, store = app_windows.staff, app_windows.store
    store.set_pin(hash_pin(PIN))
    staff.lock_screen.unlocked.emit()
    service = MonitoringService(store, clock)
    staff.show_session(service.start_session(NewSession("QX-78", ESKETAMINE_REMS, "AB")))
    form = staff.vitals_form
    qtbot.keyClicks(form.controls["heart_rate"], "72")
    qtbot.keyClicks(form.controls["recorded_by"], "ab")
    with locked_by_other_process(store.path):
        assert form.submit() is None
    assert staff.store_problem.isVisible()
    assert "locked by another program" in staff.store_problem.text()
    assert form.controls["heart_rate"].text() == "72"  # what was typed is kept
    assert store.checks(staff.current_session.id) == []
    clock.advance(minutes=1)
    assert staff.store_problem.isVisible()  # still there: nothing was saved yet
    assert form.submit() is not None  # retry once the cause is gone
    assert not staff.store_problem.isVisible()
    assert len(store.checks(staff.current_session.id)) == 1


def test_end_session_opens_the_checklist_and_past_sessions_open_their_summary(
    qtbot, app_windows: AppWindows, clock: ManualClock
) -> None:
    staff, store = app_windows.staff, app_windows.store
    store.set_pin(hash_pin(PIN))
    staff.lock_screen.unlocked.emit()
    session = MonitoringService(store, clock).start_session(
        NewSession("QX-79", ESKETAMINE_REMS, "AB")
    )
    staff.show_session(session)
    dialog = staff.open_end_session()
    assert isinstance(dialog, DischargeDialog) and dialog.isVisible()
    dialog.reject()
    clock.advance(minutes=130)
    store.end_session(session.id, "AB")
    view = staff.open_summary(session.id)
    assert view.isVisible() and "QX-79" in view.windowTitle()
    assert "QX-79" in view.document_text()
    assert staff.open_summary(session.id) is view  # one window per session
    staff.lock()
    assert not view.isVisible()


def test_locked_at_start_the_charts_are_built_later_with_the_session_loaded(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    """Start-up: the locked panel appears without pyqtgraph's cost; the charts come while
    staff type the PIN (or at the latest on unlock), already showing the session."""
    windows = with_pin_and_session(qtbot, data_dir, clock)
    staff = windows.staff
    assert staff.charts is None
    unlock(qtbot, windows)
    assert staff.charts is not None
    assert staff.charts.isVisible()
    assert 140 in staff.charts.data.values["heart_rate"]
    shut_down(windows)


def test_locked_the_clinical_views_stay_out_of_the_window_until_the_pin(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    """Start-up: the lock screen paints without waiting for the style sheet to reach every
    clinical widget. They join the window only at unlock, and leave it again at the next
    lock (a hidden page is still read by screen readers: issue 13)."""
    windows = with_pin_and_session(qtbot, data_dir, clock)
    staff = windows.staff
    qtbot.waitExposed(staff)
    qtbot.wait(20)  # painted, and what the first paint queued has run
    assert staff.is_locked and staff.content.window() is not staff
    assert "QX-77" not in visible_text(staff)
    unlock(qtbot, windows)
    assert staff.content.window() is staff
    assert staff.content.isVisible() and "QX-77" in visible_text(staff)
    staff.lock()
    assert staff.content.window() is not staff and staff.content.windowHandle() is None
    shut_down(windows)


def test_an_unlock_before_the_first_paint_brings_the_clinical_views_at_once(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(hash_pin(PIN))
    staff = build_windows(
        store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)), require_pin=True
    ).staff
    qtbot.addWidget(staff)
    qtbot.keyClicks(staff.lock_screen.pin, PIN)
    staff.lock_screen.try_unlock()
    assert staff.content.window() is staff and staff.pages.currentWidget() is staff.content
    staff.confirm_closing()
    staff.stop()
    store.close()


def test_the_first_start_explanation_shows_every_line(qtbot, app_windows: AppWindows) -> None:
    """The PIN page's wrapped explanation is centred; it must get its wrapped height in the
    style sheet's font (it used to be cut to the default font's height, clipping a line)."""
    intro = app_windows.staff.pin_setup.intro
    qtbot.waitExposed(app_windows.staff)
    assert intro.isVisible()
    assert intro.height() >= intro.heightForWidth(intro.width())
    assert intro.heightForWidth(intro.width()) > 2 * intro.fontMetrics().height()  # it wraps
