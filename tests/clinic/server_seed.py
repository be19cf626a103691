"""Rooms on a real clinic server, for the station's tests: no mock of the server.

A room here is a real room store (a tmp SQLite file) driven through the real
MonitoringService, and `RoomOnServer.send()` inserts its new rows as the room's own role
in the agreed record format (the sender's, being written alongside): `details` is the
whole local row as a JSON object (column -> value as stored), `local_id` the row id,
`*_local_id` the ids it points at. Each table is sent in id order behind a mark, as the
sender does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from session_app.clinic.server import add_room, init_clinic
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.clinic.conftest import Cluster
from tests.seeding import record

# Server table -> its typed columns, each from a local column.
TYPED: dict[str, dict[str, str]] = {
    "sessions": {"patient_id": "patient_id", "protocol_name": "protocol_name",
                 "started_at": "started_at"},
    "vitals_checks": {"session_local_id": "session_id", "taken_at": "taken_at",
                      "corrects_local_id": "corrects_id"},
    "events": {"session_local_id": "session_id", "kind": "kind",
               "occurred_at": "occurred_at", "corrects_local_id": "corrects_id"},
    "alerts": {"session_local_id": "session_id", "check_local_id": "check_id",
               "severity": "severity", "rule": "rule", "raised_at": "raised_at"},
    "alert_acks": {"alert_local_id": "alert_id", "acked_by": "acked_by",
                   "acked_at": "acked_at"},
    "alert_resolutions": {"alert_local_id": "alert_id",
                          "correction_local_id": "correction_id",
                          "resolved_at": "resolved_at"},
    "session_ends": {"session_local_id": "session_id", "ended_at": "ended_at",
                     "ended_by": "ended_by"},
}  # fmt: skip

BASELINE = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14,
            "moaas": 5}  # fmt: skip
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
IV_DOSE = {"drug": "Ketamine", "dose": "0.5", "unit": "mg/kg", "route": "IV infusion"}


def init_server(cluster: Cluster, db: str) -> str:
    """`clinic init` on the test's database and a login role for the station (a member of
    the read-only station role, as clinic IT would make one). Returns its conninfo."""
    role = init_clinic(cluster.admin_conninfo(db))
    login = f"{db}_nurse"
    with psycopg.connect(cluster.admin_conninfo(db), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
            sql.Identifier(login), sql.Identifier(role)))
    return f"host={cluster.socket_dir} port={cluster.port} dbname={db} user={login}"


@dataclass
class RoomOnServer:
    """One room: its store, service and clock, and its role on the clinic server."""

    name: str
    store: SessionStore
    service: MonitoringService
    clock: ManualClock
    conninfo: str
    marks: dict[str, int] = field(default_factory=dict)

    def send(self) -> int:
        """Insert every local row not sent yet, table by table in id order, as the room's
        role (row-level security checks the room). Returns how many rows went."""
        local = sqlite3.connect(self.store.path)
        local.row_factory = sqlite3.Row
        sent = 0
        try:
            with psycopg.connect(self.conninfo) as conn:
                for table, typed in TYPED.items():
                    mark = self.marks.get(table, 0)
                    for row in local.execute(
                        f"SELECT * FROM {table} WHERE id > ? ORDER BY id", (mark,)
                    ):
                        details = dict(row)
                        columns = ["room", "local_id", *typed, "details"]
                        values = [self.name, details["id"],
                                  *(details[c] for c in typed.values()), json.dumps(details)]
                        conn.execute(
                            sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                                sql.Identifier(table),
                                sql.SQL(", ").join(map(sql.Identifier, columns)),
                                sql.SQL(", ").join(sql.Placeholder() * len(columns)),
                            ),
                            values,
                        )
                        self.marks[table] = details["id"]
                        sent += 1
        finally:
            local.close()
        return sent


@dataclass
class Clinic:
    """A clinic server with rooms added through `clinic add-room`."""

    cluster: Cluster
    db: str
    station_conninfo: str
    folder: Path
    start: datetime
    rooms: dict[str, RoomOnServer] = field(default_factory=dict)

    def add_room(self, name: str, *, clock_offset: timedelta = timedelta(0)) -> RoomOnServer:
        passfile = self.folder / f"{len(self.rooms) + 1}.pgpass"
        role, _ = add_room(self.cluster.admin_conninfo(self.db), name, passfile)
        data = self.folder / f"room{len(self.rooms) + 1}"
        data.mkdir(mode=0o700)
        clock = ManualClock(self.start + clock_offset)
        store = SessionStore.open(data, clock=clock)
        conninfo = self.cluster.tcp_conninfo(self.db, role) + f" passfile={passfile}"
        room = RoomOnServer(name, store, MonitoringService(store, clock), clock, conninfo)
        self.rooms[name] = room
        return room

    def close(self) -> None:
        for room in self.rooms.values():
            room.store.close()


def clinic(cluster: Cluster, db: str, folder: Path, start: datetime) -> Iterator[Clinic]:
    """A clinic for one test (use as a fixture body); its room stores closed afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    made = Clinic(cluster, db, init_server(cluster, db), folder, start)
    try:
        yield made
    finally:
        made.close()


def rems_session_after_dose(
    room: RoomOnServer, patient_id: str = "RT-7", *, minutes_after: float = 40, **latest: Any
) -> int:
    """An esketamine session: baseline, dose 5 min later, a check `minutes_after` the dose
    with `latest` values over the baseline. The room's clock ends at that check."""
    service, clock = room.service, room.clock
    sid = service.start_session(NewSession(patient_id, ESKETAMINE_REMS, "AB", 70.0)).id
    record(service, sid, **BASELINE)
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=minutes_after)
    record(service, sid, **(BASELINE | latest))
    return sid


def iv_session_during_infusion(room: RoomOnServer, patient_id: str = "JD-104") -> int:
    """An IV ketamine session 10 min into its infusion, one check on it."""
    service, clock = room.service, room.clock
    sid = service.start_session(NewSession(patient_id, IV_KETAMINE, "CD", 80.0)).id
    record(service, sid, **BASELINE)
    clock.advance(minutes=3)
    service.log_event(sid, "dose", IV_DOSE, "CD")
    service.log_event(
        sid, "infusion_start", {"rate": "100", "rate_unit": "mL/h", "planned_min": "40"}, "CD"
    )
    clock.advance(minutes=10)
    record(service, sid, **(BASELINE | {"heart_rate": 80}))
    return sid


Step = Callable[[RoomOnServer], object]
