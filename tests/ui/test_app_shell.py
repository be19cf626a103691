"""The app shell under pytest-qt: both windows, a session started from the staff panel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from session_app.app import AppWindows, build_windows
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
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
    qtbot.keyClicks(first.staff.start_form.weight, "70")  # IV ketamine needs a weight
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


def test_restart_resumes_the_schedule_from_stored_times_and_keeps_open_alerts(
    qtbot, data_dir: Path
) -> None:
    """A new process (new clock, new windows) finds the same session, the countdown
    computed from the stored dose time, and the unacknowledged alert still on screen."""
    from session_app.domain.schedule import DueState
    from session_app.monitoring import MonitoringService

    first_clock = ManualClock()
    store = SessionStore.open(data_dir, clock=first_clock)
    service = MonitoringService(store, first_clock)
    session = service.start_session(NewSession("RS-1", ESKETAMINE_REMS, "AB"))
    baseline = {"systolic": "128", "diastolic": "78", "heart_rate": "72", "recorded_by": "AB"}
    service.record_check(session.id, baseline)
    first_clock.advance(minutes=2)
    service.log_event(
        session.id,
        "dose",
        {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"},
        "AB",
    )
    first_clock.advance(minutes=10)
    saved = service.record_check(session.id, {**baseline, "heart_rate": "140"})
    assert saved.alerts
    store.close()

    # The app restarts 40 minutes later: nothing but the file carries over.
    later = ManualClock(first_clock.now() + timedelta(minutes=40))
    windows = build_windows(SessionStore.open(data_dir, clock=later), later)
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True
    windows.staff.show()
    staff = windows.staff
    assert staff.current_session.id == session.id
    assert [card.alert.id for card in staff.alerts.cards] == [a.id for a in saved.alerts]
    staff.countdown.tick()
    # REMS: the check due ~40 min after the dose (dose + 40 min, 10 min ago) is overdue now.
    assert staff.countdown.state == DueState.OVERDUE_RED
    staff.stop()
    windows.store.close()


def test_past_sessions_are_found_by_patient_id_or_date(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    from session_app.domain.clock import format_local

    store = SessionStore.open(data_dir, clock=clock)
    first = store.start_session(NewSession("AA-1", ESKETAMINE_REMS, "AB"))
    store.end_session(first.id, "AB")
    clock.advance(timedelta(days=3))
    store.start_session(NewSession("BB-2", ESKETAMINE_REMS, "AB"))
    windows = build_windows(store, clock)
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True
    listing = windows.staff.sessions_list

    def shown() -> list[str]:
        return [listing.table.item(r, 1).text() for r in range(listing.table.rowCount())]

    assert shown() == ["BB-2", "AA-1"]
    qtbot.keyClicks(listing.search, "aa")
    assert shown() == ["AA-1"]
    listing.search.clear()
    qtbot.keyClicks(listing.search, format_local(first.started_at, with_date=True)[:10])
    assert shown() == ["AA-1"]
    listing.search.setText("no-such")
    assert shown() == []
    windows.staff.stop()
    store.close()
