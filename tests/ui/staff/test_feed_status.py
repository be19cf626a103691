"""The staff header's monitor line (issue 17), through the app's own composition
(`start_monitor_feeds`): a real listener, real sockets, the real panel; nothing on the
patient's window."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

from session_app.app import AppWindows, MonitorFeeds, build_windows, start_monitor_feeds
from session_app.devices.listen import ListenAddress
from session_app.devices.profiles import MessageContext, build_oru
from session_app.devices.simulator import NibpReading, Numerics
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.store import SessionStore
from session_app.store.repository import ChangeKind
from session_app.ui.staff.countdown import OVERDUE
from session_app.ui.staff.feed_status import FeedStatusLine
from tests.devices.mllp_client import exchange, msa
from tests.ui.staff.test_alert_group_cards import EIGHT, _dosed, fully_in_view
from tests.ui.staff.test_proposed_checks_strip import settle_layouts
from tests.ui.windows import shut_down

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def app_windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    clock.set(T0)
    store = SessionStore.open(data_dir, clock=clock)
    built = build_windows(store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    qtbot.addWidget(built.patient)
    built.staff.show_session(
        built.staff.service.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0))
    )
    built.staff.show()
    qtbot.waitExposed(built.staff)
    yield built
    shut_down(built)


@pytest.fixture
def feeds(app_windows: AppWindows) -> Iterator[MonitorFeeds]:
    started = start_monitor_feeds(app_windows, ListenAddress("127.0.0.1", 0))
    yield started
    started.stop()


def line_of(windows: AppWindows) -> FeedStatusLine:
    line = windows.staff.feed_status
    assert line is not None
    return line


def port_of(feeds: MonitorFeeds) -> int:
    return int(feeds.feeds[0].feed_state().source.rsplit(":", 1)[1])


def numerics(at_s: int, *, patient: str = "JD") -> str:
    ctx = MessageContext(patient, T0 + timedelta(seconds=at_s), f"N{at_s:05d}")
    return build_oru("ge", Numerics(at_s, 72, 72, 97, 14, 3.5), ctx)


def test_the_line_follows_the_feed_connected_then_silent_in_amber(
    qtbot, app_windows: AppWindows, feeds: MonitorFeeds, clock: ManualClock
) -> None:
    line = line_of(app_windows)
    assert line.isVisibleTo(app_windows.staff)
    assert line.accessibleName() == "Monitor feed status"
    assert line.label.textFormat() is Qt.TextFormat.PlainText
    assert line.label.text() == "Monitor: not connected"
    [ack] = exchange(port_of(feeds), numerics(0))
    assert msa(ack)[0] == "AA"
    clock.advance(seconds=4)
    line.refresh()  # what its one-second timer does
    assert line.label.text() == "Monitor: connected · last value 4 s ago"
    assert line.label.property("amber") == "false"
    assert line.label.font().weight() < QFont.Weight.DemiBold  # the amber style went too
    clock.advance(minutes=2)
    line.refresh()
    assert line.label.text() == "Monitor: silent for 2 min"
    assert line.label.property("amber") == "true"
    assert line.label.font().weight() >= QFont.Weight.DemiBold
    assert line.timer.isActive() and line.timer.interval() <= 2000


def test_another_patient_is_one_quiet_notice_a_minute(
    qtbot, app_windows: AppWindows, feeds: MonitorFeeds, clock: ManualClock
) -> None:
    line = line_of(app_windows)
    notices: list[object] = []
    app_windows.store.subscribe(
        lambda c: notices.append(c) if c.kind is ChangeKind.DEVICE_NOTICE else None
    )
    acks = exchange(port_of(feeds), numerics(0, patient="ZZ-4711"), numerics(1, patient="ZZ"))
    assert [msa(a)[0] for a in acks] == ["AR", "AR"]
    qtbot.waitUntil(lambda: len(notices) == 2)  # posted to the UI thread, then heard
    assert line.notice.isVisibleTo(app_windows.staff)
    first = line.notice.text()
    assert first.startswith("Monitor sent data for another patient (")
    assert "ZZ" not in first
    clock.advance(seconds=30)
    exchange(port_of(feeds), numerics(2, patient="ZZ-4711"))
    qtbot.waitUntil(lambda: len(notices) == 3)
    assert line.notice.text() == first  # within the minute: not shown again
    clock.advance(seconds=31)
    exchange(port_of(feeds), numerics(3, patient="ZZ-4711"))
    qtbot.waitUntil(lambda: line.notice.text() != first)


def test_a_port_in_use_is_an_amber_line_and_the_panel_keeps_working(
    qtbot, app_windows: AppWindows
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = start_monitor_feeds(app_windows, ListenAddress("127.0.0.1", port))
    try:
        line = line_of(app_windows)
        assert line.label.text() == f"Monitor: port {port} is in use"
        assert line.label.property("amber") == "true"
        session = app_windows.staff.current_session
        assert session is not None
        app_windows.staff.service.log_event(session.id, "note", {"text": "ok"}, "AB")
    finally:
        started.stop()


def test_no_feed_configured_no_line(app_windows: AppWindows) -> None:
    started = start_monitor_feeds(app_windows)
    assert started.feeds == [] and app_windows.staff.feed_status is None


def test_nothing_of_the_feed_is_on_the_patient_window(
    qtbot, app_windows: AppWindows, feeds: MonitorFeeds
) -> None:
    exchange(port_of(feeds), numerics(0), numerics(1, patient="ZZ-4711"))
    qtbot.waitUntil(lambda: line_of(app_windows).notice.isVisibleTo(app_windows.staff))
    patient = app_windows.patient
    assert patient.findChildren(FeedStatusLine) == []
    texts = [label.text() for label in patient.findChildren(QLabel)]
    assert not [t for t in texts if "Monitor" in t or "patient" in t.lower()]
    assert line_of(app_windows).window() is app_windows.staff


def test_with_the_whole_header_at_1366x768_save_is_in_view_without_scrolling(
    qtbot, app_windows: AppWindows, feeds: MonitorFeeds, clock: ManualClock
) -> None:
    """The busiest header a laptop screen gets: the media strip, the monitor line, the
    overdue notice, an alert and a monitor's proposed check, all at once. Save and the
    proposal's Record are in view as the panel opens, not below the fold of its column
    (the column scrolled, Save 50 px under it, when the notice ran across the panel)."""

    panel = app_windows.staff
    session = panel.current_session
    assert session is not None and panel.now_playing_strip is not None
    size = QSize(1366, 768)
    panel.showNormal()
    panel.resize(size)
    qtbot.waitUntil(lambda: panel.size() == size)
    _dosed(panel, session.id, clock)
    panel.service.record_check(session.id, EIGHT)
    while panel.countdown.state not in OVERDUE:
        clock.advance(minutes=1)
        panel.countdown.tick()
    ctx = MessageContext("JD", clock.now(), "NIBP0001")
    [ack] = exchange(port_of(feeds), build_oru("ge", NibpReading(0, 142, 88, 106, 80), ctx))
    assert msa(ack)[0] == "AA"
    qtbot.waitUntil(lambda: len(panel.proposed_checks.rows) == 1)
    settle_layouts()
    assert panel.size() == size
    for part in (panel.now_playing_strip, line_of(app_windows), panel.notice):
        assert part.isVisibleTo(panel), part.objectName()
    assert panel.alerts.cards
    assert panel.left_scroll.verticalScrollBar().value() == 0
    assert fully_in_view(panel.vitals_form.save_button, panel) == []
    assert fully_in_view(panel.proposed_checks.rows[0].record_button, panel) == []
