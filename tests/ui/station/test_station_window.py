"""The station window against a real clinic server: rooms seeded through the real
MonitoringService and inserted as each room's role, the real feed thread, real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from session_app.app import main
from session_app.clinic.board import Board, FeedUpdate, Phase, Reading, RoomTile, TileAlert
from session_app.clinic.station_feed import StationFeed
from session_app.domain.clock import ManualClock, format_local
from session_app.domain.pin import hash_pin
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.station.tile import RoomTileWidget
from session_app.ui.station.window import FeedBridge, StationWindow
from tests.clinic.conftest import Cluster, _free_port
from tests.clinic.server_seed import Clinic, clinic, rems_session_after_dose
from tests.seeding import record
from tests.ui.test_locked_accessibility import bus_texts

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PIN = "4821"
WAIT_MS = 10_000


@pytest.fixture
def site(pg_cluster: Cluster, clinic_db: str, tmp_path: Path) -> Iterator[Clinic]:
    yield from clinic(pg_cluster, clinic_db, tmp_path / "clinic", START)


@dataclass
class Station:
    window: StationWindow
    feed: StationFeed
    clock: ManualClock
    pins: MonitoringService

    qtbot: object

    def unlock(self) -> None:
        """Type the PIN and Enter, as staff do (typing is input: the idle time restarts)."""
        self.qtbot.keyClicks(self.window.lock_screen.pin, PIN)  # type: ignore[attr-defined]
        self.qtbot.keyClick(self.window.lock_screen.pin, Qt.Key.Key_Return)  # type: ignore[attr-defined]
        assert not self.window.is_locked

    def tile(self, room: str) -> RoomTileWidget:
        return self.window.tiles[room]


@pytest.fixture
def station(qtbot, site: Clinic, tmp_path: Path) -> Iterator[Station]:
    """A locked station window (its PIN set) following the clinic with a real feed that
    polls only once an hour: anything sooner came by NOTIFY."""
    store = SessionStore.open(tmp_path / "station.sqlite3")
    store.set_pin(hash_pin(PIN))
    clock = ManualClock(START)
    pins = MonitoringService(store, clock)
    bridge = FeedBridge()
    window = StationWindow(Board(), bridge, pins, pins.set_pin, clock)
    qtbot.addWidget(window)
    feed = StationFeed(site.station_conninfo, bridge.on_update, bridge.on_status,
                       poll_every=timedelta(hours=1), clock=clock)  # fmt: skip
    window.resize(1366, 768)
    window.show()
    feed.start()
    yield Station(window, feed, clock, pins, qtbot)
    window.stop()
    feed.stop()
    store.close()


def _wait_for_text(qtbot, tile: RoomTileWidget, text: str) -> None:
    qtbot.waitUntil(lambda: text in tile.text(), timeout=WAIT_MS)


def test_a_tile_shows_a_seeded_rooms_latest_values(qtbot, site: Clinic, station: Station) -> None:
    room = site.add_room("Room 2")
    rems_session_after_dose(room, "RT-7", minutes_after=40, systolic=152, diastolic=94)
    station.clock.set(room.clock.now())
    room.send()
    station.unlock()
    station.feed.poll_soon()
    qtbot.waitUntil(lambda: "Room 2" in station.window.tiles, timeout=WAIT_MS)
    tile = station.tile("Room 2")
    _wait_for_text(qtbot, tile, "BP 152/94 mmHg")
    assert tile.patient.text() == "RT-7 · Esketamine nasal spray (REMS)"
    assert tile.phase.text() == "After dosing" and tile.dose.text() == "40 min since dose"
    assert tile.readings["BP"].text().startswith("BP 152/94 mmHg (")  # with its time
    assert tile.readings["SpO2"].text().startswith("SpO2 98 %")
    assert tile.rems.text().startswith("REMS form incomplete")
    assert not station.window.server_note.isVisible()


def test_a_notification_updates_the_tile_without_a_poll(
    qtbot, site: Clinic, station: Station
) -> None:
    room = site.add_room("Room 3")
    sid = rems_session_after_dose(room, minutes_after=10)
    room.send()
    station.clock.set(room.clock.now())
    station.unlock()
    qtbot.waitUntil(lambda: "Room 3" in station.window.tiles, timeout=WAIT_MS)
    _wait_for_text(qtbot, station.tile("Room 3"), "BP 124/78 mmHg")
    polls = station.feed.polls
    room.clock.advance(minutes=5)
    record(room.service, sid, systolic=171, diastolic=99, heart_rate=88, spo2=97, resp_rate=15)
    room.send()
    _wait_for_text(qtbot, station.tile("Room 3"), "BP 171/99 mmHg")
    assert station.feed.polls == polls


def test_a_room_not_heard_from_is_shown_stale_never_fine(
    qtbot, site: Clinic, station: Station
) -> None:
    room = site.add_room("Room 4")
    rems_session_after_dose(room)
    room.send()
    station.unlock()
    station.feed.poll_soon()
    qtbot.waitUntil(lambda: "Room 4" in station.window.tiles, timeout=WAIT_MS)
    tile = station.tile("Room 4")
    _wait_for_text(qtbot, tile, "Last heard")
    assert tile.property("stale") is False
    station.clock.advance(minutes=6)
    station.window.redraw()
    assert tile.heard.text().startswith("STALE: not heard from since")
    assert tile.property("stale") is True and tile.heard.property("stale") is True
    assert tile.accessibleDescription().startswith("STALE")


def test_open_alerts_are_shown_highest_severity_first(
    qtbot, site: Clinic, station: Station
) -> None:
    room = site.add_room("Room 5")
    sid = rems_session_after_dose(room, minutes_after=20, spo2=90)
    room.clock.advance(minutes=5)
    record(room.service, sid, systolic=186, diastolic=96, heart_rate=70, spo2=97,
           resp_rate=14, moaas=0)  # fmt: skip
    room.send()
    station.clock.set(room.clock.now())
    station.unlock()
    station.feed.poll_soon()
    qtbot.waitUntil(lambda: "Room 5" in station.window.tiles, timeout=WAIT_MS)
    tile = station.tile("Room 5")
    _wait_for_text(qtbot, tile, "Urgent")
    lines = tile.alerts.text().splitlines()
    assert lines[0].startswith("Urgent: ") and lines[1].startswith("High: ")
    assert lines[-1].endswith("more open alerts")
    assert tile.property("level") == "urgent"


def test_a_tile_opens_the_sessions_read_only_summary(
    qtbot, site: Clinic, station: Station
) -> None:
    room = site.add_room("Room 6")
    rems_session_after_dose(room, "QZ-55", systolic=149, diastolic=91)
    room.send()
    station.clock.set(room.clock.now())
    station.unlock()
    station.feed.poll_soon()
    qtbot.waitUntil(lambda: "Room 6" in station.window.tiles, timeout=WAIT_MS)
    tile = station.tile("Room 6")
    _wait_for_text(qtbot, tile, "QZ-55")
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    view = station.window.summaries["Room 6"]
    assert view.isVisible() and "QZ-55" in view.title.text()
    assert "149/91" in view.document_text()
    assert view.document.isReadOnly() and not view.findChildren(QAbstractButton)


def test_the_lock_takes_the_board_and_summaries_out_of_reach(
    qtbot, site: Clinic, station: Station
) -> None:
    room = site.add_room("Room 7")
    rems_session_after_dose(room, "LK-31")
    room.send()
    station.clock.set(room.clock.now())
    station.unlock()
    station.feed.poll_soon()
    qtbot.waitUntil(lambda: "Room 7" in station.window.tiles, timeout=WAIT_MS)
    _wait_for_text(qtbot, station.tile("Room 7"), "LK-31")
    station.window.open_summary("Room 7")
    station.window.lock_button.click()
    assert station.window.is_locked and not station.window.board_page.isVisible()
    assert not [t for t in bus_texts() if "LK-31" in t]  # nothing clinical on the bus
    assert station.window.open_summary("Room 7") is None
    station.unlock()
    assert station.tile("Room 7").isVisible()
    station.clock.advance(minutes=6)  # no input for longer than the idle time
    station.window.idle.poll()
    assert station.window.is_locked


def test_every_control_has_a_name_and_twelve_rooms_fit_1366x768(
    qtbot, station: Station
) -> None:
    station.unlock()
    names = tuple(f"Room {n}" for n in range(1, 13))
    station.window.feed_update(FeedUpdate(START, names))  # twelve rooms, nothing sent yet
    qtbot.waitUntil(lambda: len(station.window.tiles) == 12)
    for tile in station.window.tiles.values():
        tile.show_tile(_busy_tile(tile.room))
    station.window.resize(1366, 768)
    qtbot.wait(50)
    grid, viewport = station.window.grid_widget, station.window.grid_widget.parentWidget()
    assert grid.minimumSizeHint().height() <= viewport.height()
    assert grid.minimumSizeHint().width() <= viewport.width()
    unnamed = [w.objectName() for w in station.window.findChildren(QWidget)
               if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisible()
               and not w.accessibleName()]  # fmt: skip
    assert unnamed == []


def test_room_text_is_shown_as_written_never_as_markup(qtbot) -> None:
    widget = RoomTileWidget("<b>Room</b>")
    qtbot.addWidget(widget)
    widget.show_tile(_busy_tile("<b>Room</b>", patient="<img src=x>"))
    labels = widget.findChildren(QLabel)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert widget.patient.text().startswith("<img src=x>")


def test_an_unreachable_server_is_said_plainly_with_since_when(qtbot, tmp_path: Path) -> None:
    store = SessionStore.open(tmp_path / "station.sqlite3")
    store.set_pin(hash_pin(PIN))
    pins = MonitoringService(store, ManualClock(START))
    bridge = FeedBridge()
    window = StationWindow(Board(), bridge, pins, pins.set_pin, pins.clock)
    qtbot.addWidget(window)
    nobody = f"host=127.0.0.1 port={_free_port()} dbname=clinic user=nurse connect_timeout=2"
    feed = StationFeed(nobody, bridge.on_update, bridge.on_status, clock=pins.clock)
    window.show()
    Station(window, feed, pins.clock, pins, qtbot).unlock()
    feed.start()
    try:
        qtbot.waitUntil(lambda: window.server_note.isVisible(), timeout=WAIT_MS)
    finally:
        window.stop()
        feed.stop()
        store.close()
    since = format_local(START, with_date=False)
    assert window.server_note.text().startswith(f"Clinic server not reachable since {since}")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--server", "host"], "not a valid connection string"),
        (["--server", "host=db", "--passfile", "/nonexistent/pgpass"], "not a readable file"),
        (["--server", "host=db", "--stale-after", "0"], "--stale-after"),
    ],
)
def test_station_refuses_bad_options_in_one_line(capsys, argv: list[str], words: str) -> None:
    assert main(["station", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("session-app: ") and "Traceback" not in err
    assert words in err


def _busy_tile(room: str, patient: str = "AB-1234") -> RoomTile:
    """A tile with every line filled: the largest a tile gets."""
    return RoomTile(
        room=room, phase=Phase.POST_INFUSION, phase_text="Post-infusion", stale=False,
        heard_text="Last heard 10:42", session_id=1, patient_id=patient,
        protocol="Esketamine nasal spray (REMS)", dose_text="42 min since dose",
        next_check_text="Check overdue by 7 min", overdue=True,
        readings=(Reading("BP", "186/96 mmHg", "10:40"), Reading("HR", "70 /min", "10:40"),
                  Reading("SpO2", "97 %", "10:40"), Reading("RR", "14 /min", "10:40"),
                  Reading("MOAA/S", "0", "10:40")),
        alerts=(TileAlert("Urgent", "MOAA/S 0: no response"),
                TileAlert("High", "Systolic BP 186 mmHg ≥ 180"),
                TileAlert("Alert", "SpO2 90 % < 92")),
        rems_text="REMS form incomplete (9 missing)",
    )  # fmt: skip


def test_a_tile_keeps_its_own_height_however_few_rooms_there_are(
    qtbot, site: Clinic, station: Station
) -> None:
    room = site.add_room("Room 1")
    rems_session_after_dose(room, "RT-8", minutes_after=20, systolic=130, diastolic=80)
    station.clock.set(room.clock.now())
    room.send()
    station.unlock()
    station.feed.poll_soon()
    qtbot.waitUntil(lambda: "Room 1" in station.window.tiles, timeout=WAIT_MS)
    station.window.resize(1366, 768)
    tile = station.tile("Room 1")
    _wait_for_text(qtbot, tile, "BP 130/80 mmHg")
    qtbot.waitUntil(lambda: tile.height() < station.window.height() / 2, timeout=WAIT_MS)
