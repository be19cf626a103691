"""The staff strip's quiet clinic line: its wording (one Qt-free function over SyncState)
and the widget that polls the sender and only shows that line, as plain text, on the
staff panel and never on the patient window.

The sender is a unit edge here: a fake typed against `SenderStatus` stands in for it (the
sender itself is tested against the real server)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from session_app.app import build_windows
from session_app.clinic.status import SenderStatus, SyncState, clinic_notice_text
from session_app.domain.clock import ManualClock
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.store import SessionStore
from session_app.ui.staff.clinic_notice import POLL_MS, ClinicNotice
from tests.ui.windows import shut_down

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 10:30 in Berlin (CET)
SINCE = datetime(2026, 12, 1, 9, 14, tzinfo=UTC)  # 10:14 CET


@pytest.fixture
def berlin(machine_zone: Callable[[str], None]) -> None:
    """The machine's zone is Europe/Berlin for the test (TZ, libc and tzlocal alike)."""
    machine_zone("Europe/Berlin")


def _down(waiting: int = 12, since: datetime = SINCE, problem: str = "") -> SyncState:
    return SyncState(joined=True, room="Room 2", reachable=False, unreachable_since=since,
                     waiting=waiting, problem=problem)


# -- the wording -----------------------------------------------------------------------------


def test_an_outage_says_since_when_in_local_24_hour_time_and_what_waits(berlin: None) -> None:
    assert clinic_notice_text(_down(), NOW) == (
        "Clinic server not reachable since 10:14 — 12 records waiting")
    afternoon = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)  # 15:05 CET, not 3:05 PM
    assert clinic_notice_text(_down(1, since=afternoon), afternoon) == (
        "Clinic server not reachable since 15:05 — 1 record waiting")


def test_an_outage_from_an_earlier_day_gives_the_date(berlin: None) -> None:
    yesterday = SINCE - timedelta(days=1)
    assert clinic_notice_text(_down(0, since=yesterday), NOW) == (
        "Clinic server not reachable since 2026-11-30 10:14 — nothing waiting")


def test_a_problem_is_its_own_line_with_what_waits() -> None:
    problem = "password refused for role clinic_room_2 at db:5432"
    assert clinic_notice_text(_down(problem=problem), NOW) == (
        f"Clinic: {problem} — 12 records waiting")
    assert clinic_notice_text(_down(0, problem=problem), NOW) == f"Clinic: {problem}"


def test_a_problem_on_several_lines_is_shown_as_one() -> None:
    state = _down(0, problem="the server said\nsomething\tlong")
    assert clinic_notice_text(state, NOW) == "Clinic: the server said something long"


def test_a_room_that_has_not_joined_shows_nothing() -> None:
    assert clinic_notice_text(SyncState(joined=False, waiting=40), NOW) == ""


def test_all_sent_shows_nothing_and_catching_up_says_so() -> None:
    sent = SyncState(joined=True, room="Room 2", reachable=True, waiting=0, last_sent_at=NOW)
    assert clinic_notice_text(sent, NOW) == ""
    catching_up = SyncState(joined=True, room="Room 2", reachable=True, waiting=240)
    assert clinic_notice_text(catching_up, NOW) == "Clinic: sending — 240 records waiting"


# -- the widget ------------------------------------------------------------------------------


@dataclass
class FakeSender:
    """Stands in for the clinic sender: a SyncState that the test changes."""

    current: SyncState = field(default_factory=lambda: SyncState(joined=False))
    asked: int = 0

    def state(self) -> SyncState:
        self.asked += 1
        return self.current


@pytest.fixture
def strip(qtbot) -> QWidget:
    """A shown window for the notice to live in, as the staff panel is."""
    window = QWidget()
    qtbot.addWidget(window)
    QVBoxLayout(window)
    window.show()
    return window


def _notice(strip: QWidget, sender: SenderStatus, clock: ManualClock) -> ClinicNotice:
    notice = ClinicNotice(sender, clock, strip)
    strip.layout().addWidget(notice)
    return notice


def test_the_widget_shows_the_line_and_follows_the_sender_on_its_timer(strip: QWidget) -> None:
    sender, clock = FakeSender(), ManualClock(NOW)
    notice = _notice(strip, sender, clock)
    assert notice.isHidden() and notice.label.text() == ""
    assert notice.timer.isActive() and notice.timer.interval() == POLL_MS

    sender.current = _down()
    notice.timer.timeout.emit()  # what the timer does every few seconds
    assert notice.label.text() == clinic_notice_text(_down(), NOW)
    assert notice.isVisible()

    sender.current = SyncState(joined=True, room="Room 2", reachable=True, waiting=0)
    notice.timer.timeout.emit()
    assert notice.isHidden() and notice.label.text() == ""
    assert sender.asked == 3  # once at start, once per tick


def test_the_widget_shows_outside_text_as_written_never_as_markup(strip: QWidget) -> None:
    sender = FakeSender(_down(0, problem='<img src="file:///etc/passwd"> <b>refused</b>'))
    notice = _notice(strip, sender, ManualClock(NOW))
    assert notice.label.textFormat() == Qt.TextFormat.PlainText
    assert notice.label.text() == 'Clinic: <img src="file:///etc/passwd"> <b>refused</b>'


def test_the_widget_stops_polling_when_stopped(strip: QWidget) -> None:
    sender = FakeSender()
    notice = _notice(strip, sender, ManualClock(NOW))
    notice.stop()
    assert not notice.timer.isActive()


def test_the_staff_panel_shows_it_and_the_patient_window_never_does(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    player = MediaPlayer(load_backend(HEADLESS_ARGS))
    windows = build_windows(SessionStore.open(data_dir, clock=clock), clock, player=player)
    qtbot.addWidget(windows.patient)
    windows.patient.show()
    windows.staff.show()
    try:
        clock.set(NOW)
        sender = FakeSender(_down())
        notice = windows.staff.show_clinic_status(sender)
        assert notice.window() is windows.staff and notice.isVisible()
        assert notice.label.text().startswith("Clinic server not reachable since ")
        assert windows.patient.findChildren(ClinicNotice) == []
        patient_text = " ".join(label.text() for label in windows.patient.findChildren(QLabel))
        assert "Clinic" not in patient_text and "waiting" not in patient_text
        assert windows.staff.show_clinic_status(sender) is notice  # one strip, not two
    finally:
        shut_down(windows)
