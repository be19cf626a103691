"""The station end to end (issue 16): `clinic add-station` makes its login; a check saved
in a joined room goes through the real sender, the real server and the real StationFeed
(LISTEN/NOTIFY) to the room's tile; and `assert_station_shows_latest`, which the fault test
runs after convergence, reads the board from the server as the station and compares each
tile with the room's own SQLite file."""

from __future__ import annotations

import queue
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from session_app.app import main
from session_app.clinic.board import Board, FeedUpdate, RoomTile, ServerStatus
from session_app.clinic.server import add_station
from session_app.clinic.station_feed import StationFeed
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.clinic.conftest import ClinicServer
from tests.clinic.test_sender import BASELINE, SETTLE_S, joined_sender


def station_conninfo(clinic: ClinicServer, folder: Path, name: str = "desk") -> str:
    """A station login made by `clinic add-station`, over TCP with its passfile."""
    role, passfile = add_station(clinic.cluster.admin_conninfo(clinic.db), name,
                                 folder / f"{name}.pgpass")  # fmt: skip
    return clinic.cluster.tcp_conninfo(clinic.db, role) + f" passfile={passfile}"


class Fed:
    """A real feed on its thread and the board it feeds, as the station window has."""

    def __init__(self, conninfo: str) -> None:
        self.updates: queue.Queue[FeedUpdate] = queue.Queue()
        self.statuses: queue.Queue[ServerStatus] = queue.Queue()
        # No poll in the test's time: what arrives after the first fetch came by NOTIFY.
        self.feed = StationFeed(conninfo, self.updates.put, self.statuses.put,
                                poll_every=timedelta(hours=1))  # fmt: skip
        self.board = Board()
        self.feed.start()

    def take(self) -> None:
        self.board.apply(self.updates.get(timeout=SETTLE_S), datetime.now(UTC))

    def tile(self, room: str) -> RoomTile:
        return self.board.tile(room, datetime.now(UTC))

    def stop(self) -> None:
        self.feed.stop()


def readings(tile: RoomTile) -> dict[str, str]:
    return {r.label: r.value for r in tile.readings}


def latest_in_sqlite(path: Path) -> dict[str, str]:
    """The latest BP/HR/SpO2 of the room's latest session, read straight from its file: the
    newest check that no other check corrects (the fault test voids nothing)."""
    with sqlite3.connect(path) as raw:
        session = raw.execute("SELECT max(id) FROM sessions").fetchone()[0]
        systolic, diastolic, hr, spo2 = raw.execute(
            "SELECT systolic, diastolic, heart_rate, spo2 FROM vitals_checks WHERE session_id = ?"
            " AND systolic IS NOT NULL AND id NOT IN"
            " (SELECT corrects_id FROM vitals_checks WHERE corrects_id IS NOT NULL)"
            " ORDER BY taken_at DESC, id DESC LIMIT 1", (session,)).fetchone()  # fmt: skip
    return {"BP": f"{systolic}/{diastolic} mmHg", "HR": f"{hr} /min", "SpO2": f"{spo2} %"}


def assert_station_shows_latest(clinic: ClinicServer, paths: dict[str, Path], folder: Path) -> None:
    """Each room's tile, built from the server as a station login, shows that room's latest
    BP/HR/SpO2 as its own SQLite file holds them."""
    fed = Fed(station_conninfo(clinic, folder, "fault_check"))
    try:
        fed.take()
        for room, path in paths.items():
            shown = readings(fed.tile(room))
            assert {k: shown[k] for k in ("BP", "HR", "SpO2")} == latest_in_sqlite(path), room
    finally:
        fed.stop()


def test_a_check_saved_in_a_joined_room_reaches_the_stations_tile(
    clinic: ClinicServer, tmp_path: Path
) -> None:
    folder = tmp_path / "pc1"
    folder.mkdir(mode=0o700)
    clock = ManualClock()
    store = SessionStore.open(folder, clock=clock)
    service = MonitoringService(store, clock)
    assert main(clinic.join_argv("Room 1", folder)) == 0
    sender = joined_sender(store)
    fed = Fed(station_conninfo(clinic, tmp_path))
    try:
        fed.take()  # the first, full fetch: nothing yet
        assert readings(fed.tile("Room 1")) == {}
        sid = service.start_session(NewSession("RT-7", ESKETAMINE_REMS, "AB", 70.0)).id
        service.record_check(sid, {**BASELINE, "systolic": "151", "heart_rate": "91"})
        while readings(fed.tile("Room 1")).get("HR") != "91 /min":
            fed.take()  # each update here came from a notification, not a poll
        shown = readings(fed.tile("Room 1"))
        assert (shown["BP"], shown["SpO2"]) == ("151/80 mmHg", "98 %")
        assert fed.feed.polls == 1 and fed.feed.room_fetches >= 1
    finally:
        fed.stop()
        sender.stop()
        store.close()
    assert latest_in_sqlite(store.path) == {k: shown[k] for k in ("BP", "HR", "SpO2")}


def test_add_station_makes_a_read_only_login_with_a_0600_passfile(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = clinic.cluster.admin_conninfo(clinic.db)
    passfile = tmp_path / "desk.pgpass"
    assert main(["clinic", "add-station", "desk_1", "--server", server,
                 "--passfile", str(passfile)]) == 0  # fmt: skip
    role = f"{clinic.db}_station_desk_1"
    assert role in capsys.readouterr().out
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    written = passfile.read_text()
    conninfo = clinic.cluster.tcp_conninfo(clinic.db, role) + f" passfile={passfile}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM rooms").fetchone() == (2,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO sessions (room, local_id, patient_id, protocol_name,"
                         " started_at) VALUES ('Room 1', 1, 'X', 'Y', 'Z')")  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT clinic_heartbeat()")
    # Twice: refused in one line; the passfile is never replaced.
    assert main(["clinic", "add-station", "desk_1", "--server", server,
                 "--passfile", str(tmp_path / "other.pgpass")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "Traceback" not in err
    assert main(["clinic", "add-station", "desk_2", "--server", server,
                 "--passfile", str(passfile)]) == 2  # fmt: skip
    assert "already exists" in capsys.readouterr().err and passfile.read_text() == written
    with clinic.admin() as conn:
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                            (f"{clinic.db}_station_desk_2",)).fetchone() is None  # fmt: skip


@pytest.mark.parametrize("name", ["Desk 1", "", "d;drop", "x" * 21])
def test_a_bad_station_name_is_one_line_and_exit_2(
    clinic: ClinicServer, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    server = clinic.cluster.admin_conninfo(clinic.db)
    assert main(["clinic", "add-station", name, "--server", server]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "station name" in err and "Traceback" not in err
