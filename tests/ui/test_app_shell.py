"""The app shell under pytest-qt: both windows, a session started from the staff panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from session_app.app import AppWindows, build_windows
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.store import SessionStore


def make_app(qtbot, data_dir: Path, clock: ManualClock) -> AppWindows:
    windows = build_windows(SessionStore.open(data_dir, clock=clock), clock)
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True  # let pytest-qt tidy up
    windows.patient.show()
    windows.staff.show()
    return windows


def test_both_windows_show_and_staff_starts_a_session_found_in_the_store(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = make_app(qtbot, data_dir, clock)
    assert windows.patient.isVisible() and windows.staff.isVisible()
    form = windows.staff.start_form
    qtbot.keyClicks(form.patient_id, "jd-7")
    qtbot.keyClicks(form.weight, "68")
    form.protocol.setCurrentText(ESKETAMINE_REMS)
    qtbot.keyClicks(form.staff, "ab")
    qtbot.mouseClick(form.start_button, Qt.MouseButton.LeftButton)

    [session] = windows.store.sessions()
    assert (session.patient_id, session.protocol_name, session.weight_kg) == (
        "JD-7",
        ESKETAMINE_REMS,
        68.0,
    )
    assert "JD-7" in windows.staff.banner.text()
    table = windows.staff.sessions_list.table
    assert table.rowCount() == 1 and table.item(0, 1).text() == "JD-7"
    windows.store.close()


def test_refused_session_shows_the_message_and_stores_nothing(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = make_app(qtbot, data_dir, clock)
    form = windows.staff.start_form
    qtbot.keyClicks(form.patient_id, "John Smith")
    qtbot.keyClicks(form.staff, "ab")
    qtbot.keyClick(form.staff, Qt.Key.Key_Return)
    assert windows.store.sessions() == []
    assert "never a full name" in form.message.text()
    assert form.patient_id.text() == "John Smith"  # what was typed is kept
    assert form.patient_id.property("invalid") is True
    windows.store.close()


def test_open_session_is_resumed_on_restart(qtbot, data_dir: Path, clock: ManualClock) -> None:
    first = make_app(qtbot, data_dir, clock)
    qtbot.keyClicks(first.staff.start_form.patient_id, "KL")
    qtbot.keyClicks(first.staff.start_form.staff, "ab")
    first.staff.start_form.submit()
    first.store.close()
    second = make_app(qtbot, data_dir, clock)
    assert second.staff.current_session is not None
    assert second.staff.current_session.patient_id == "KL"
    second.store.close()


def test_patient_window_refuses_an_accidental_close_and_shows_nothing_clinical(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    windows = make_app(qtbot, data_dir, clock)
    windows.patient.allow_close = False
    windows.patient.close()
    assert windows.patient.isVisible()
    texts = " ".join(label.text() for label in windows.patient.findChildren(QLabel)).lower()
    assert "welcome" in texts
    for word in ("session", "vital", "bp", "alert", "patient id", "mmhg", "protocol"):
        assert word not in texts
        assert word not in windows.patient.windowTitle().lower()
    assert all(isinstance(w, QWidget) for w in windows.patient.findChildren(QWidget))
    windows.patient.allow_close = True
    windows.store.close()
