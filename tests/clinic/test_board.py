"""The station's board model and feed against a real clinic server (rooms seeded through
the real MonitoringService and inserted as each room's role)."""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from session_app.clinic.board import Board, FeedUpdate, Phase, ServerStatus
from session_app.clinic.station_feed import StationFeed
from session_app.domain.clock import ManualClock
from tests.clinic.conftest import Cluster
from tests.clinic.server_seed import (
    Clinic,
    clinic,
    iv_session_during_infusion,
    rems_session_after_dose,
)
from tests.seeding import record

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WAIT_S = 10.0


@pytest.fixture
def site(pg_cluster: Cluster, clinic_db: str, tmp_path: Path) -> Iterator[Clinic]:
    yield from clinic(pg_cluster, clinic_db, tmp_path, START)


class Fed:
    """A real feed on its thread; the test takes its updates in order."""

    def __init__(self, conninfo: str, poll_every: timedelta = timedelta(hours=1)) -> None:
        self.updates: queue.Queue[FeedUpdate] = queue.Queue()
        self.statuses: queue.Queue[ServerStatus] = queue.Queue()
        self.feed = StationFeed(
            conninfo, self.updates.put, self.statuses.put, poll_every=poll_every
        )
        self.board = Board()
        self.feed.start()

    def take(self, now: datetime) -> set[str]:
        return self.board.apply(self.updates.get(timeout=WAIT_S), now)

    def status(self) -> ServerStatus:
        return self.statuses.get(timeout=WAIT_S)


@pytest.fixture
def fed(site: Clinic) -> Iterator[Fed]:
    made = Fed(site.station_conninfo)
    yield made
    made.feed.stop()


def test_a_tile_shows_the_rooms_latest_values_phase_and_next_check(site: Clinic) -> None:
    room = site.add_room("Room 2")
    rems_session_after_dose(room, "RT-7", minutes_after=40, systolic=152, diastolic=94)
    room.send()
    fed = Fed(site.station_conninfo)
    try:
        fed.take(room.clock.now())
    finally:
        fed.feed.stop()
    tile = fed.board.tile("Room 2", room.clock.now())
    assert (tile.patient_id, tile.protocol) == ("RT-7", "Esketamine nasal spray (REMS)")
    assert tile.phase is Phase.POST_INFUSION and tile.phase_text == "After dosing"
    assert tile.dose_text == "40 min since dose"
    readings = {r.label: (r.value, r.at) for r in tile.readings}
    assert readings["BP"][0] == "152/94 mmHg" and readings["HR"][0] == "72 /min"
    assert readings["SpO2"][0] == "98 %" and readings["MOAA/S"][0] == "5"
    assert not tile.stale
    # a time of day, not a countdown: the board is redrawn every few seconds, not each second
    assert re.fullmatch(r"Next check due \d\d:\d\d( \(in \d+ min\))?", tile.next_check_text)
    assert tile.rems_text.startswith("REMS form incomplete")


def test_an_iv_session_is_in_its_infusion_and_an_unstarted_room_before_dose(
    site: Clinic, fed: Fed
) -> None:
    iv, empty = site.add_room("Room 1"), site.add_room("Room 3")
    iv_session_during_infusion(iv)
    iv.send()
    fed.feed.poll_soon()
    now = iv.clock.now()
    while "Room 1" not in fed.board.rooms or fed.board.tile("Room 1", now).session_id is None:
        fed.take(now)
    assert fed.board.tile("Room 1", now).phase is Phase.INFUSION
    assert fed.board.tile("Room 3", now).phase is Phase.NO_SESSION
    assert fed.board.tile("Room 3", now).stale  # never heard from is never "fine"
    assert empty.name in fed.board.rooms


def test_open_alerts_are_listed_highest_severity_first_and_acknowledged_ones_leave(
    site: Clinic,
) -> None:
    room = site.add_room("Room 4")
    sid = rems_session_after_dose(room, minutes_after=20, spo2=90)  # an alert
    room.clock.advance(minutes=5)
    saved = record(room.service, sid, systolic=186, diastolic=96, heart_rate=70, spo2=97,
                   resp_rate=14, moaas=0)  # fmt: skip  (high BP, urgent MOAA/S 0)
    room.send()
    fed = Fed(site.station_conninfo)
    try:
        fed.take(room.clock.now())
        severities = [a.severity for a in fed.board.tile("Room 4", room.clock.now()).alerts]
        assert severities[0] == "Urgent" and severities[-1] == "Alert"
        assert severities == sorted(severities, key=["Urgent", "High", "Alert"].index)
        room.service.acknowledge_all([a.id for a in saved.alerts], "AB")
        room.send()
        fed.take(room.clock.now())
    finally:
        fed.feed.stop()
    assert [a.severity for a in fed.board.tile("Room 4", room.clock.now()).alerts] == ["Alert"]


def test_a_notification_updates_the_tile_without_a_poll(site: Clinic, fed: Fed) -> None:
    room = site.add_room("Room 5")
    sid = rems_session_after_dose(room, minutes_after=10)
    room.send()
    now = room.clock.now()
    while not fed.board.rooms or fed.board.tile("Room 5", now).session_id is None:
        fed.take(now)
    polls = fed.feed.polls
    room.clock.advance(minutes=5)
    record(room.service, sid, systolic=171, diastolic=99, heart_rate=88, spo2=97, resp_rate=15)
    room.send()
    while fed.board.tile("Room 5", room.clock.now()).readings[0].value != "171/99 mmHg":
        fed.take(room.clock.now())
    assert fed.feed.polls == polls and fed.feed.room_fetches >= 1


def test_a_room_not_heard_from_for_the_set_time_is_stale(site: Clinic, fed: Fed) -> None:
    room = site.add_room("Room 6")
    rems_session_after_dose(room)
    room.send()
    station = ManualClock(datetime.now(UTC))
    while not fed.board.rooms or fed.board.tile("Room 6", station.now()).session_id is None:
        fed.take(station.now())
    assert not fed.board.tile("Room 6", station.now()).stale
    station.advance(minutes=6)  # the server's clock moves with the station's
    tile = fed.board.tile("Room 6", station.now())
    assert tile.stale and tile.heard_text.startswith("STALE: not heard from since")


def test_server_lost_keeps_the_last_values_and_says_since_when(
    site: Clinic, fed: Fed, pg_cluster: Cluster, clinic_db: str
) -> None:
    room = site.add_room("Room 7")
    rems_session_after_dose(room, systolic=150, diastolic=90)
    room.send()
    now = room.clock.now()
    while not fed.board.rooms or fed.board.tile("Room 7", now).session_id is None:
        fed.take(now)
    assert fed.status().reachable
    login = f"{clinic_db}_nurse"
    with psycopg.connect(pg_cluster.admin_conninfo(clinic_db), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(login)))
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE usename = %s", (login,))  # fmt: skip
        lost = fed.status()
        assert not lost.reachable and lost.since is not None and lost.problem
        fed.board.set_status(lost)
        assert fed.board.server_note().startswith("Clinic server not reachable since")
        assert fed.board.tile("Room 7", now).readings[0].value == "150/90 mmHg"
        admin.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(login)))
    while not (status := fed.status()).reachable:
        pass
    fed.board.set_status(status)
    assert fed.board.server_note() == ""
