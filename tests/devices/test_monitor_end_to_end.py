"""The monitor feed end to end (issue 17): the simulator's GE profile over a real socket
to the listener started the app's way (`app.start_monitor_feeds`), the real inbox and
store, the SQLite file read back; a child process killed between commit and ACK; the
sustained rule on device time; an oximeter on a real pty, unplugged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from session_app.app import AppWindows, MonitorFeeds, build_windows, start_monitor_feeds
from session_app.devices.listen import ListenAddress
from session_app.devices.oximeter import OximeterPort
from session_app.devices.profiles import MessageContext, build_oru
from session_app.devices.simulator import NibpReading, Numerics
from session_app.domain.clock import ManualClock, SystemClock, format_local
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.store import SessionStore
from session_app.store.repository import ChangeKind
from tests.devices.feed_driver import KILL_ENV
from tests.devices.mllp_client import exchange, msa
from tests.ui.windows import shut_down

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def ge_nibp(control_id: str = "GE-NIBP-1", patient: str = "JD", at: datetime = T0) -> str:
    reading = NibpReading(0, 142, 88, 106, 80)
    return build_oru("ge", reading, MessageContext(patient, at, control_id))


def ge_numerics(at_s: int, spo2: int) -> str:
    ctx = MessageContext("JD", T0 + timedelta(seconds=at_s), f"GE-N{at_s:04d}")
    return build_oru("ge", Numerics(at_s, 72, 72, spo2, 14, 3.5), ctx)


def count(path: Path, table: str) -> int:
    raw = sqlite3.connect(path)
    try:
        return int(raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        raw.close()


@pytest.fixture
def app_windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    clock.set(T0)
    store = SessionStore.open(data_dir, clock=clock)
    built = build_windows(store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    qtbot.addWidget(built.patient)
    built.staff.show()
    qtbot.waitExposed(built.staff)
    yield built
    shut_down(built)


@pytest.fixture
def hl7(app_windows: AppWindows) -> Iterator[MonitorFeeds]:
    started = start_monitor_feeds(app_windows, ListenAddress("127.0.0.1", 0))
    yield started
    started.stop()


def port_of(feeds: MonitorFeeds) -> int:
    return int(feeds.feeds[0].feed_state().source.rsplit(":", 1)[1])


def start(windows: AppWindows) -> int:
    session = windows.staff.service.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0))
    windows.staff.show_session(session)
    return session.id


def test_no_open_session_is_ar_and_nothing_stored(
    app_windows: AppWindows, hl7: MonitorFeeds
) -> None:
    [ack] = exchange(port_of(hl7), ge_nibp())
    assert msa(ack) == ("AR", "GE-NIBP-1")
    assert count(app_windows.store.path, "device_observations") == 0


def test_a_ge_message_is_stored_then_aa_a_repeat_once_another_patient_ar(
    qtbot, app_windows: AppWindows, hl7: MonitorFeeds
) -> None:
    session_id = start(app_windows)
    heard: list[ChangeKind] = []
    app_windows.store.subscribe(lambda c: heard.append(c.kind))
    port = port_of(hl7)
    [ack] = exchange(port, ge_nibp())
    assert msa(ack) == ("AA", "GE-NIBP-1")  # MSA-2 echoes MSH-10
    path = app_windows.store.path
    stored = count(path, "device_observations")
    assert stored >= 3 and count(path, "device_messages") == 1
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute(
            "SELECT measure, value FROM device_observations WHERE session_id = ?", (session_id,)
        ).fetchall()
    finally:
        raw.close()
    assert ("systolic", 142.0) in rows and ("diastolic", 88.0) in rows
    [again] = exchange(port, ge_nibp())
    assert msa(again) == ("AA", "GE-NIBP-1")
    assert count(path, "device_observations") == stored  # stored once
    [other] = exchange(port, ge_nibp("GE-NIBP-2", patient="ZZ-4711"))
    assert msa(other) == ("AR", "GE-NIBP-2")
    assert count(path, "device_observations") == stored
    qtbot.waitUntil(lambda: ChangeKind.DEVICE_NOTICE in heard)
    assert heard.count(ChangeKind.DEVICE_DATA) == 1
    qtbot.waitUntil(
        lambda: (
            app_windows.staff.feed_status is not None
            and app_windows.staff.feed_status.notice.isVisibleTo(app_windows.staff)
        )
    )


def test_a_sustained_spo2_breach_on_device_time_is_one_alert_on_the_panel(
    qtbot, app_windows: AppWindows, hl7: MonitorFeeds
) -> None:
    session_id = start(app_windows)
    texts = [ge_numerics(s, 97) for s in range(5)]
    texts += [ge_numerics(5, 86)]  # one low sample: nothing
    texts += [ge_numerics(s, 97) for s in range(6, 20)]
    texts += [ge_numerics(s, 89) for s in range(20, 40)]  # 19 s below 92
    acks = exchange(port_of(hl7), *texts)
    assert [msa(a)[0] for a in acks] == ["AA"] * len(texts)
    [alert] = app_windows.store.alerts(session_id)
    assert alert.message == "From monitor: SpO2 below 92 % for 15 s (lowest 89 %)"
    alerts = app_windows.staff.alerts
    qtbot.waitUntil(lambda: [c.alert.id for c in alerts.cards] == [alert.id])
    assert "From monitor" in alerts.cards[0].message.text()


def test_killed_between_commit_and_ack_the_resend_is_aa_and_stored_once(
    data_dir: Path,
) -> None:
    store = SessionStore.open(data_dir, clock=SystemClock())
    store.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0), {})
    store.close()
    now = datetime.now(UTC).replace(microsecond=0)
    message = ge_nibp("GE-KILL-1", at=now)

    def driver(kill: bool) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if k != KILL_ENV}
        if kill:
            env[KILL_ENV] = "1"
        return subprocess.Popen(
            [sys.executable, "-m", "tests.devices.feed_driver", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    first = driver(kill=True)
    assert first.stdout is not None
    port = int(first.stdout.readline())
    assert exchange(port, message) == []  # committed, then killed: no ACK
    assert first.wait(timeout=30) == -9
    path = data_dir / "session_app.sqlite3"
    assert count(path, "device_messages") == 1
    stored = count(path, "device_observations")
    assert stored >= 3

    second = driver(kill=False)
    assert second.stdout is not None and second.stdin is not None
    try:
        port = int(second.stdout.readline())
        [ack] = exchange(port, message)  # the monitor resends: no ACK came
        assert msa(ack) == ("AA", "GE-KILL-1")
    finally:
        second.stdin.close()
        assert second.wait(timeout=30) == 0
    assert count(path, "device_messages") == 1
    assert count(path, "device_observations") == stored


def test_an_oximeter_on_a_pty_feeds_the_store_and_unplugged_the_header_says_so(
    qtbot, app_windows: AppWindows, tmp_path: Path
) -> None:
    session_id = start(app_windows)
    master, slave = os.openpty()
    link = tmp_path / "ttyOXI"
    link.symlink_to(os.ttyname(slave))
    started = start_monitor_feeds(app_windows, oximeter=OximeterPort(str(link), "nonin"))
    try:
        line = app_windows.staff.feed_status
        assert line is not None
        store = app_windows.store
        qtbot.waitUntil(lambda: started.feeds[0].feed_state().connected, timeout=5000)
        os.write(master, b"SPO2=097 HR=072\r\n")
        qtbot.waitUntil(lambda: len(store.device_observations(session_id)) == 2, timeout=5000)
        assert {(o.measure, o.value) for o in store.device_observations(session_id)} == {
            ("spo2", 97.0),
            ("heart_rate", 72.0),
        }
        os.close(master)  # the cable pulled: EIO on the reader's next read
        os.close(slave)
        qtbot.waitUntil(lambda: "unplugged" in (line.refresh(), line.label.text())[1], timeout=5000)
        assert line.label.text() == "Monitor: oximeter unplugged — retrying"
        assert line.label.property("amber") == "true"
    finally:
        started.stop()


def test_an_nibp_sent_over_the_socket_is_proposed_on_the_staff_panel(
    qtbot, app_windows: AppWindows, hl7: MonitorFeeds
) -> None:
    start(app_windows)
    [ack] = exchange(port_of(hl7), ge_nibp())
    assert msa(ack) == ("AA", "GE-NIBP-1")
    strip = app_windows.staff.proposed_checks
    qtbot.waitUntil(lambda: len(strip.rows) == 1, timeout=10_000)
    at = format_local(T0, with_date=False)
    assert strip.rows[0].label.text().startswith(f"Monitor {at} — 142/88 · HR 80")
