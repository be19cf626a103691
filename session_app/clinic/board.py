"""The charge nurse's board: one tile per room, from the clinic server's rows. Qt-free.

The server keeps each room row whole (`details`: the local row as JSON), so a room's
records are rebuilt with the room's own converters (store.rows) and every rule is the
domain's: the schedule (domain.schedule), the rows in force (domain.corrections), the
severity order (domain.alert_groups), the REMS form (domain.summary / domain.rems). A tile
holds only plain text and flags for the widget to show.

"Last heard from" is the server's `received_at`, compared with the server's clock (a
room's clock may be off): the feed reports the server's time with each fetch and the board
keeps the offset to the station's clock. A room not heard from for `stale_after` is stale,
and a stale tile says so first; it never looks fine.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from session_app.domain.alert_groups import by_severity
from session_app.domain.clock import format_local
from session_app.domain.corrections import AlertResolution, current
from session_app.domain.discharge import latest_with
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.records import AlertRecord, SessionEvent
from session_app.domain.schedule import DueState, session_schedule
from session_app.domain.session import TreatmentSession
from session_app.domain.session_protocol import session_protocol
from session_app.domain.summary import SessionRecord, SessionSummary, build_summary
from session_app.domain.vitals import VitalsCheck
from session_app.store import rows as stored

log = logging.getLogger("session_app.clinic.board")

DEFAULT_STALE_AFTER = timedelta(minutes=5)


class Phase(Enum):
    NO_SESSION = "No session"
    BEFORE_DOSE = "Before dose"
    INFUSION = "Infusion"
    POST_INFUSION = "Post-infusion"
    READY_TO_LEAVE = "Ready to leave"
    ENDED = "Ended"


@dataclass(frozen=True)
class ServerRow:
    """One record row as the server holds it: its table, the room's id, the local row."""

    table: str
    local_id: int
    details: Mapping[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class RoomRows:
    """The rows of one room that a fetch brought (only those not seen before)."""

    room: str
    rows: tuple[ServerRow, ...] = ()


@dataclass(frozen=True)
class FeedUpdate:
    """What one fetch brought: the rooms the server knows, their new rows, the server's
    clock at the fetch, when each room was last heard from (server time: its latest
    record or heartbeat) and what each room is called now (`clinic rename-room`)."""

    server_now: datetime
    room_names: tuple[str, ...]
    rooms: tuple[RoomRows, ...] = ()
    last_heard: Mapping[str, datetime] = field(default_factory=dict)
    display_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerStatus:
    """Whether the clinic server answers; `since` is the first failure of this outage."""

    reachable: bool
    since: datetime | None = None
    problem: str = ""


@dataclass(frozen=True)
class Reading:
    """One latest value on a tile: "BP", "152/94 mmHg", "10:42"."""

    label: str
    value: str
    at: str


@dataclass(frozen=True)
class TileAlert:
    severity: str  # Severity.title: "Urgent", "High", "Alert", "Advisory"
    message: str


@dataclass(frozen=True)
class RoomTile:
    """What the board shows for one room, as plain text and flags."""

    room: str
    phase: Phase
    phase_text: str
    stale: bool
    heard_text: str  # "Last heard 10:42", "Not heard from since 10:12 (14 min)"
    session_id: int | None = None
    patient_id: str = ""
    protocol: str = ""
    dose_text: str = ""  # "42 min since dose"
    next_check_text: str = ""
    overdue: bool = False
    readings: tuple[Reading, ...] = ()
    alerts: tuple[TileAlert, ...] = ()
    rems_text: str = ""  # "" when not a REMS session
    display_name: str = ""  # what staff call the room now; `room` stays its key

    @property
    def alert_count(self) -> int:
        return len(self.alerts)


# Tile readings: label, the measures shown together, unit.
READINGS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("BP", ("systolic", "diastolic"), "mmHg"),
    ("HR", ("heart_rate",), "/min"),
    ("SpO2", ("spo2",), "%"),
    ("RR", ("resp_rate",), "/min"),
    ("MOAA/S", ("moaas",), ""),
)


class RoomRecords:
    """One room's records from the server: the read side a summary needs (RecordSource),
    keyed by the room's local ids. Each row is parsed once, when it arrives."""

    def __init__(self, room: str) -> None:
        self.room = room
        self.version = 0  # grows with every row added: caches compare it
        self.unreadable = 0
        self._sessions: dict[int, Mapping[str, Any]] = {}
        self._ends: dict[int, Mapping[str, Any]] = {}  # by session id
        self._checks: dict[int, list[VitalsCheck]] = {}
        self._events: dict[int, list[SessionEvent]] = {}
        self._alerts: dict[int, Mapping[str, Any]] = {}
        self._acks: dict[int, Mapping[str, Any]] = {}  # by alert id (the first one)
        self._resolutions: list[Mapping[str, Any]] = []

    def add(self, row: ServerRow) -> None:
        """Take one row; a row this version cannot read is counted and logged (no value)."""
        d = row.details
        try:
            if row.table == "sessions":
                stored.session_record(d)  # refuse it now, not at every read
                self._sessions[d["id"]] = d
            elif row.table == "session_ends":
                self._ends.setdefault(d["session_id"], d)
            elif row.table == "vitals_checks":
                self._checks.setdefault(d["session_id"], []).append(stored.check_record(d))
            elif row.table == "events":
                self._events.setdefault(d["session_id"], []).append(stored.event_record(d))
            elif row.table == "alerts":
                stored.alert_record(d)
                self._alerts[d["id"]] = d
            elif row.table == "alert_acks":
                self._acks.setdefault(d["alert_id"], d)
            elif row.table == "alert_resolutions":
                self._resolutions.append(d)
            else:
                return
        except (KeyError, TypeError, ValueError):
            self.unreadable += 1
            log.warning("unreadable %s row #%s from a room", row.table, row.local_id)
            return
        self.version += 1

    # -- RecordSource --------------------------------------------------------------
    def session(self, session_id: int) -> TreatmentSession:
        if session_id not in self._sessions:
            raise KeyError(f"no session with id {session_id}")
        return stored.session_record(self._sessions[session_id], self._ends.get(session_id))

    def checks(self, session_id: int) -> list[VitalsCheck]:
        return sorted(self._checks.get(session_id, ()), key=lambda c: (c.taken_at, c.id))

    def events(self, session_id: int) -> list[SessionEvent]:
        return sorted(self._events.get(session_id, ()), key=lambda e: (e.occurred_at, e.id))

    def alerts(self, session_id: int) -> list[AlertRecord]:
        found = [
            stored.alert_record(d, self._acks.get(d["id"]))
            for d in self._alerts.values()
            if d["session_id"] == session_id
        ]
        return sorted(found, key=lambda a: (a.raised_at, a.id))

    def alert_resolutions(self, session_id: int) -> list[AlertResolution]:
        mine = [
            d
            for d in self._resolutions
            if self._alerts.get(d["alert_id"], {}).get("session_id") == session_id
        ]
        return [stored.resolution_record(d) for d in sorted(mine, key=lambda d: d["id"])]

    def discharge(self, session_id: int) -> dict[str, Any]:
        end = self._ends.get(session_id)
        return dict(json.loads(end.get("discharge_json") or "{}")) if end else {}

    # -- the room's session on the board -------------------------------------------
    def current_session(self) -> TreatmentSession | None:
        """The latest open session, else the latest one (ended)."""
        sessions = sorted(
            (self.session(i) for i in self._sessions), key=lambda s: (s.started_at, s.id)
        )
        open_ = [s for s in sessions if s.is_open]
        return (open_ or sessions or [None])[-1]


def _natural(name: str) -> tuple[Any, ...]:
    """"Room 2" before "Room 10"."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", name))


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _reading(checks: list[VitalsCheck], label: str, names: tuple[str, ...], unit: str) -> Reading:
    check = latest_with(checks, names[0])
    if check is None:
        return Reading(label, "—", "")
    value = "/".join(str(getattr(check.signs, n)) for n in names)
    return Reading(label, f"{value} {unit}".strip(), format_local(check.taken_at, with_date=False))


def _phase(
    session: TreatmentSession, uses_infusion: bool, dose_at: datetime | None,
    infusion_end_at: datetime | None, monitoring_ends_at: datetime | None, now: datetime,
) -> Phase:  # fmt: skip
    """Ready to leave: the protocol's minimum monitoring time has passed (the discharge
    checklist is the nurse's, in the room)."""
    if not session.is_open:
        return Phase.ENDED
    if dose_at is None:
        return Phase.BEFORE_DOSE
    if uses_infusion and infusion_end_at is None:
        return Phase.INFUSION
    if monitoring_ends_at is not None and now >= monitoring_ends_at:
        return Phase.READY_TO_LEAVE
    return Phase.POST_INFUSION


class Board:
    """Every room's records and how recently each was heard from; tiles on demand."""

    def __init__(self, stale_after: timedelta = DEFAULT_STALE_AFTER) -> None:
        self.stale_after = stale_after
        self.status = ServerStatus(reachable=False)
        self._rooms: dict[str, RoomRecords] = {}
        self._heard: dict[str, datetime] = {}
        self._display: dict[str, str] = {}
        self._offset: timedelta | None = None  # server clock minus the station's
        self._rems: dict[tuple[str, int, int], str] = {}  # (room, session, version) -> text

    def apply(self, update: FeedUpdate, station_now: datetime) -> set[str]:
        """Take a fetch; returns the rooms whose records or heard-from time changed."""
        self._offset = update.server_now - station_now
        changed: set[str] = set()
        for name in update.room_names:
            if name not in self._rooms:
                self._rooms[name] = RoomRecords(name)
                changed.add(name)
        for part in update.rooms:
            records = self._rooms.setdefault(part.room, RoomRecords(part.room))
            for row in part.rows:
                records.add(row)
            if part.rows:
                changed.add(part.room)
        for name, display in update.display_names.items():
            if self._display.get(name) != display:
                self._display[name] = display
                changed.add(name)
        for name, heard in update.last_heard.items():
            if self._heard.get(name) != heard:
                self._heard[name] = heard
                changed.add(name)
        return changed

    def set_status(self, status: ServerStatus) -> None:
        self.status = status

    @property
    def rooms(self) -> list[str]:
        return sorted(self._rooms, key=_natural)

    def display_name(self, room: str) -> str:
        """What the room is called now (its key until the server says otherwise)."""
        return self._display.get(room, room)

    def records(self, room: str) -> RoomRecords:
        return self._rooms[room]

    def server_note(self) -> str:
        """One plain line while the server does not answer (tiles keep their values)."""
        if self.status.reachable:
            return ""
        since = self.status.since
        when = f" since {format_local(since, with_date=False)}" if since else ""
        why = f" ({self.status.problem})" if self.status.problem else ""
        return f"Clinic server not reachable{when}{why}. Tiles show the last values received."

    def tiles(self, now: datetime) -> list[RoomTile]:
        return [self.tile(room, now) for room in self.rooms]

    def tile(self, room: str, now: datetime) -> RoomTile:
        """The tile of one room at `now` (the station's clock)."""
        records = self._rooms[room]
        stale, heard_text = self._heard_from(room, now)
        session = records.current_session()
        if session is None:
            return RoomTile(room, Phase.NO_SESSION, Phase.NO_SESSION.value, stale, heard_text,
                            display_name=self.display_name(room))  # fmt: skip
        protocol = session_protocol(session)
        checks = records.checks(session.id)
        schedule = session_schedule(protocol, records.events(session.id), now)
        phase = _phase(
            session, protocol.uses_infusion, schedule.dose_at, schedule.infusion_end_at,
            schedule.monitoring_ends_at(), now,
        )  # fmt: skip
        phase_text = phase.value
        if phase is Phase.POST_INFUSION and not protocol.uses_infusion:
            phase_text = "After dosing"
        if phase is Phase.ENDED and session.ended_at is not None:
            phase_text = f"Ended {format_local(session.ended_at, with_date=False)}"
        dose_text = ""
        if schedule.dose_at is not None and session.is_open:
            dose_text = f"{_minutes(now - schedule.dose_at)} min since dose"
        next_text, overdue = "", False
        if session.is_open:
            status = schedule.status(checks, now)
            next_text = _next_check_text(status.next_due, now) or status.text
            overdue = status.state in (DueState.OVERDUE_AMBER, DueState.OVERDUE_RED)
        in_force = current(checks)
        resolved = {r.alert_id for r in records.alert_resolutions(session.id)}
        still_open = [
            a for a in records.alerts(session.id) if not a.acknowledged and a.id not in resolved
        ]
        return RoomTile(
            room=room,
            phase=phase,
            phase_text=phase_text,
            stale=stale,
            heard_text=heard_text,
            session_id=session.id,
            patient_id=session.patient_id,
            protocol=session.protocol_name,
            dose_text=dose_text,
            next_check_text=next_text,
            overdue=overdue,
            readings=tuple(_reading(in_force, *spec) for spec in READINGS),
            alerts=tuple(
                TileAlert(a.severity.title, a.message) for a in sorted(still_open, key=by_severity)
            ),
            rems_text=self._rems_text(records, session, now),
            display_name=self.display_name(room),
        )

    def _heard_from(self, room: str, now: datetime) -> tuple[bool, str]:
        heard = self._heard.get(room)
        if heard is None:
            return True, "Never heard from"
        server_now = now + (self._offset or timedelta(0))
        silent = server_now - heard
        at = format_local(heard, with_date=False)
        if silent > self.stale_after:
            return True, f"STALE: not heard from since {at} ({_minutes(silent)} min)"
        return False, f"Last heard {at}"

    def _rems_text(self, records: RoomRecords, session: TreatmentSession, now: datetime) -> str:
        if session.protocol_name != ESKETAMINE_REMS:
            return ""
        key = (records.room, session.id, records.version)
        if key not in self._rems:
            rems = self.summary(records.room, session.id, now).rems
            if rems is None:
                text = ""
            elif rems.complete:
                text = "REMS form complete"
            else:
                text = f"REMS form incomplete ({len(rems.missing)} missing)"
            self._rems = {k: v for k, v in self._rems.items() if k[:2] != key[:2]}
            self._rems[key] = text
        return self._rems[key]

    def summary(self, room: str, session_id: int, now: datetime) -> SessionSummary:
        """The session's read-only summary from the server's rows (domain.summary)."""
        return build_summary(SessionRecord.load(self._rooms[room], session_id), now)


def _next_check_text(due: datetime | None, now: datetime) -> str:
    """ "Next check due 15:35 (in 39 min)" or "Check overdue since 15:35 (7 min)": a time of
    day, which stays true between the board's redraws (a seconds countdown would not)."""
    if due is None:
        return ""
    at = format_local(due, with_date=False)
    minutes = int(abs((due - now).total_seconds()) // 60)
    if due >= now:
        return f"Next check due {at} (in {minutes} min)" if minutes else f"Next check due {at}"
    return f"Check overdue since {at} ({minutes} min)"
