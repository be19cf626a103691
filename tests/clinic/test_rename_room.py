"""`session-app clinic rename-room OLD NEW --server` against a real server (issue 16): the
records stay keyed by the room's first name (append-only, never rewritten); what staff see,
the station's tile and the history read, is the new name; the room keeps sending."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from session_app.app import main
from session_app.clinic.board import Board, FeedUpdate, ServerStatus
from session_app.clinic.history import clinic_history
from session_app.clinic.server import rename_room
from session_app.clinic.station_feed import StationFeed
from session_app.domain.clock import ManualClock
from session_app.domain.pin import hash_pin
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.station.tile import RoomTileWidget
from session_app.ui.station.window import FeedBridge, StationWindow
from tests.clinic.conftest import ClinicServer, Cluster
from tests.clinic.server_seed import Clinic, rems_session_after_dose
from tests.clinic.server_seed import clinic as seeded_clinic
from tests.clinic.test_heartbeat import station_login
from tests.clinic.test_sender import SETTLE_S, joined_sender, write_session

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _rename(clinic: ClinicServer, old: str, new: str) -> int:
    server = clinic.cluster.admin_conninfo(clinic.db)
    return main(["clinic", "rename-room", old, new, "--server", server])


def _one_line_refusal(capsys: pytest.CaptureFixture[str], *words: str) -> None:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("session-app: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


def test_a_renamed_room_shows_its_new_name_keeps_its_records_and_keeps_sending(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], qtbot: QtBot
) -> None:
    folder = tmp_path / "pc2"
    folder.mkdir(mode=0o700)
    clock = ManualClock()
    store = SessionStore.open(folder, clock=clock)
    service = MonitoringService(store, clock)
    assert main(clinic.join_argv("Room 2", folder)) == 0
    sender = joined_sender(store)
    try:
        write_session(service, clock, "RT-7")
        assert sender.wait_until_sent(SETTLE_S)
        before = {t: clinic.keys(t) for t in ("sessions", "vitals_checks")}
        capsys.readouterr()
        assert _rename(clinic, "room 2", "Recovery bay") == 0  # the old name case-folded
        assert "Recovery bay" in capsys.readouterr().out
        # The room's own setting still says "Room 2": it keeps sending, as the same room.
        write_session(service, clock, "RT-8")
        assert sender.wait_until_sent(SETTLE_S)
        assert sender.state().problem == ""
    finally:
        sender.stop()
        store.close()
    after = {t: clinic.keys(t) for t in ("sessions", "vitals_checks")}
    for table, keys in before.items():
        assert set(keys) < set(after[table])  # old records kept, new ones added
        assert {room for room, _ in after[table]} == {"Room 2"}  # keyed as before
    # The station's tile says the new name.
    updates: queue.Queue[FeedUpdate] = queue.Queue()
    statuses: queue.Queue[ServerStatus] = queue.Queue()
    feed = StationFeed(station_login(clinic), updates.put, statuses.put,
                       poll_every=timedelta(hours=1))  # fmt: skip
    board = Board()
    feed.start()
    try:
        board.apply(updates.get(timeout=SETTLE_S), clock.now())
    finally:
        feed.stop()
    tile = board.tile("Room 2", clock.now())
    assert tile.display_name == "Recovery bay" and tile.patient_id == "RT-8"
    widget = RoomTileWidget("Room 2")
    qtbot.addWidget(widget)
    widget.show_tile(tile)
    assert widget.name.text() == "Recovery bay" and "Recovery bay" in widget.text()
    # Another room's history read marks the sessions with the new name.
    history = clinic_history(clinic.room_conninfo("Room 1"), clinic.passfiles["Room 1"])
    assert [s.room for s in history.sessions_of("RT-7")] == ["Recovery bay"]
    # The renamed room's own sessions are still its own: it does not see them as another's.
    own = clinic_history(clinic.room_conninfo("Room 2"), clinic.passfiles["Room 2"])
    assert own.sessions_of("RT-7") == []


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("Room 9", "Bay 9", ("no room named", "Room 9")),
        ("Room 2", "room 1", ("already", "Room 1")),  # taken, case-folded
        ("Room 2", "  ", ("empty",)),
        ("Room 2", "Bay\x072", ("control characters",)),
        ("Room 2", "B" * 61, ("at most 60",)),
    ],
)
def test_a_rename_that_cannot_be_is_one_line_and_exit_2(
    clinic: ClinicServer, capsys: pytest.CaptureFixture[str], old: str, new: str,
    words: tuple[str, ...],
) -> None:  # fmt: skip
    capsys.readouterr()
    assert _rename(clinic, old, new) == 2
    _one_line_refusal(capsys, *words)
    with clinic.admin() as conn:
        names = conn.execute("SELECT name, display_name FROM rooms ORDER BY name").fetchall()
    assert names == [("Room 1", "Room 1"), ("Room 2", "Room 2")]  # nothing changed


def test_a_new_room_cannot_take_a_renamed_rooms_name(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rename(clinic, "Room 2", "Bay") == 0
    server = clinic.cluster.admin_conninfo(clinic.db)
    capsys.readouterr()
    argv = ["clinic", "add-room", "bay", "--server", server, "--passfile", str(tmp_path / "x")]
    assert main(argv) == 2
    _one_line_refusal(capsys, "already exists")
    assert not (tmp_path / "x").exists()
    assert _rename(clinic, "Bay", "Room 2") == 0  # back to its first name: its own


@pytest.fixture
def site(pg_cluster: Cluster, clinic_db: str, tmp_path: Path) -> Iterator[Clinic]:
    yield from seeded_clinic(pg_cluster, clinic_db, tmp_path / "clinic", START)


def test_the_station_window_shows_a_rename_at_once_and_in_the_summary(
    qtbot: QtBot, site: Clinic, tmp_path: Path
) -> None:
    """The rename's notification redraws the tile (no poll in the test's time) and the
    summary it opens is titled with the new name."""
    room = site.add_room("Room 6")
    rems_session_after_dose(room, "QZ-55", systolic=149, diastolic=91)
    room.send()
    store = SessionStore.open(tmp_path / "station.sqlite3")
    store.set_pin(hash_pin("4821"))
    pins = MonitoringService(store, ManualClock(room.clock.now()))
    bridge = FeedBridge()
    window = StationWindow(Board(), bridge, pins, pins.set_pin, ManualClock(room.clock.now()))
    qtbot.addWidget(window)
    feed = StationFeed(site.station_conninfo, bridge.on_update, bridge.on_status,
                       poll_every=timedelta(hours=1))  # fmt: skip
    window.show()
    feed.start()
    try:
        qtbot.keyClicks(window.lock_screen.pin, "4821")
        qtbot.keyClick(window.lock_screen.pin, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "Room 6" in window.tiles and "QZ-55" in window.tiles["Room 6"]
                        .text(), timeout=10_000)  # fmt: skip
        polls = feed.polls
        rename_room(site.cluster.admin_conninfo(site.db), "Room 6", "Bay 6")
        tile = window.tiles["Room 6"]
        qtbot.waitUntil(lambda: tile.name.text() == "Bay 6", timeout=10_000)
        assert "Bay 6" in tile.text() and feed.polls == polls
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        assert "Bay 6" in window.summaries["Room 6"].title.text()
    finally:
        window.stop()
        feed.stop()
        store.close()
