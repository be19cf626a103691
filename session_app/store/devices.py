"""Device messages, observations and proposal outcomes: the store's part of the monitor feed.

A mixin of `SessionStore` (same connection, transactions and announcements), kept in
its own module so the monitor's tables read as one piece. Every write is append-only
and committed before it is announced; a message and all its values are one
transaction, so a crash leaves either the whole message or none of it (and the
monitor's resend then stores it once). The store knows nothing of HL7: the inbox
(devices.inbox) hands it plain rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from session_app.domain.clock import Clock, from_iso, to_iso

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from session_app.store.repository import Change

MONITOR = "monitor"  # who a device write is announced as (Change.by)

Poster = Callable[[Callable[[], None]], None]
"""Runs a callable on the store owner's thread (in the app: queued to the UI thread)."""


@dataclass(frozen=True)
class NewObservation:
    """One value to store: already in its measure's canonical unit, flags decided."""

    measure: str
    value: float
    unit: str
    code: str
    device: str
    observed_at: datetime
    source: str  # "hl7" or "serial"
    group: int | None = None  # the OBR of its message (None: no message)
    implausible: bool = False
    clock_skew: bool = False


@dataclass(frozen=True)
class DeviceObservation:
    """A stored device value (`received_at`: the room's clock when it came in)."""

    id: int
    session_id: int
    message_id: int | None
    group: int | None
    measure: str
    value: float
    unit: str
    code: str
    device: str
    source: str
    observed_at: datetime
    received_at: datetime
    implausible: bool
    clock_skew: bool


class TraceValue(NamedTuple):
    """A device value as the live trace reads it: what it draws and the rules it follows
    (devices.codes.continuous_values) — an 8 h session holds ~85k of them, and a full
    DeviceObservation each cost a chart opening two seconds."""

    id: int
    measure: str
    value: float
    code: str
    device: str
    observed_at: datetime
    implausible: bool


@dataclass(frozen=True)
class ProposalOutcome:
    """What became of a proposed check: recorded (as `check_id`) or dismissed, by whom."""

    proposal_id: int
    outcome: str  # "recorded" or "dismissed"
    check_id: int | None
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class MonitorLink:
    """A check being recorded from a proposal: the proposal and the observations used."""

    proposal_id: int
    observation_ids: tuple[int, ...]


_OBSERVATION_SQL = (
    "SELECT id, session_id, message_id, obr_group, measure, value, unit, code, device, source,"
    " observed_at, received_at, implausible, clock_skew FROM device_observations"
)
_OUTCOME_SQL = (
    "SELECT proposal_id, outcome, check_id, decided_by, decided_at FROM device_proposal_outcomes"
)


class DeviceRecords:
    """The monitor feed's reads and writes; mixed into SessionStore."""

    clock: Clock

    if TYPE_CHECKING:  # provided by SessionStore

        def _writing(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _announce(self, change: Change) -> None: ...
        def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]: ...
        def _require_open(self, session_id: int) -> None: ...

    def add_device_message(
        self,
        session_id: int,
        sender: str,
        control_id: str,
        sent_at: datetime,
        observations: Sequence[NewObservation],
        *,
        peer: str = "",
    ) -> tuple[int, bool]:
        """Store one HL7 message and all its values in ONE transaction; (its row id, True).

        A message already stored (same sender, MSH-10 and MSH-7: a resend after a lost
        ACK) stores nothing and returns (that row's id, False): the caller answers AA
        again. MSH-7 is part of the identity because monitors restart their MSH-10
        counter after a reboot, and a new message must not be taken for a repeat.
        """
        self._require_open(session_id)
        now = to_iso(self.clock.now())
        with self._writing() as conn:
            cursor = conn.execute(
                "INSERT INTO device_messages (session_id, sender, control_id, sent_at,"
                " received_at, peer, outcome) VALUES (?, ?, ?, ?, ?, ?, 'AA')"
                " ON CONFLICT (sender, control_id, sent_at) DO NOTHING",
                (session_id, sender, control_id, to_iso(sent_at), now, peer),
            )
            if not cursor.rowcount:
                [(existing,)] = conn.execute(
                    "SELECT id FROM device_messages WHERE sender = ? AND control_id = ?"
                    " AND sent_at = ?",
                    (sender, control_id, to_iso(sent_at)),
                ).fetchall()
                return int(existing), False
            message_id = int(cursor.lastrowid or 0)
            _insert_observations(conn, session_id, message_id, observations, now)
        self._announce(_change("device_data", session_id, message_id, MONITOR))
        return message_id, True

    def add_device_samples(
        self, session_id: int, observations: Sequence[NewObservation]
    ) -> list[int]:
        """Store values that came without a message (the serial oximeter), in one
        transaction; their row ids. One announcement, naming the last."""
        self._require_open(session_id)
        if not observations:
            return []
        now = to_iso(self.clock.now())
        with self._writing() as conn:
            ids = _insert_observations(conn, session_id, None, observations, now)
        self._announce(_change("device_data", session_id, ids[-1], MONITOR))
        return ids

    def device_observations(
        self,
        session_id: int,
        *,
        measures: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[DeviceObservation]:
        """The session's device values in the order they came in; optionally only some
        measures, or only those observed at or after `since` (for a trace) and at or
        before `until`."""
        clauses, params = ["session_id = ?"], [session_id]
        if measures:
            clauses.append(f"measure IN ({', '.join('?' * len(measures))})")
            params.extend(measures)
        if since is not None:
            clauses.append("observed_at >= ?")
            params.append(to_iso(since))
        if until is not None:
            clauses.append("observed_at <= ?")
            params.append(to_iso(until))
        rows = self._read(f"{_OBSERVATION_SQL} WHERE {' AND '.join(clauses)} ORDER BY id", params)
        return [_observation(r) for r in rows]

    def trace_values(
        self,
        session_id: int,
        measures: Sequence[str],
        *,
        since: datetime | None = None,
        after_id: int = 0,
    ) -> list[TraceValue]:
        """The session's `measures` as light rows, in the order they came in; only those
        observed at or after `since`, and stored after row `after_id`, when given (the
        live trace's reads). Rows after `after_id` are found by the row id itself: a
        monitor's clock window held ten times the new rows when a feed ran at 10×."""
        marks = ", ".join("?" * len(measures))
        if after_id:  # "+": the id range, not the session's index, finds the rows
            where = f"id > ? AND +session_id = ? AND +measure IN ({marks})"
            params: list[Any] = [after_id, session_id, *measures]
        else:
            where = f"session_id = ? AND measure IN ({marks})"
            params = [session_id, *measures]
        sql = (
            "SELECT id, measure, value, code, device, observed_at, implausible"
            f" FROM device_observations WHERE {where}"
        )
        if since is not None:
            sql += " AND observed_at >= ?"
            params.append(to_iso(since))
        rows = self._read(sql + " ORDER BY id", params)
        return [
            TraceValue(i, measure, value, code, device, from_iso(at), bool(flag))
            for i, measure, value, code, device, at, flag in rows
        ]

    def latest_device_values(
        self,
        session_id: int,
        measures: Sequence[str],
        *,
        device: str,
        since: datetime,
        until: datetime,
    ) -> list[DeviceObservation]:
        """Of each of `measures`, `device`'s newest plausible value observed in [since,
        until], if any: the candidates a proposal's missing numerics are joined from
        (devices.proposals.with_numerics_before decides). One row each, found from the
        newest end of the index: a monitor sending every second put ~60 rows in a half
        minute, and all of them were read at each proposal shown."""
        rows = []
        for measure in measures:
            rows += self._read(
                f"{_OBSERVATION_SQL} WHERE session_id = ? AND measure = ? AND observed_at >= ?"
                " AND observed_at <= ? AND device = ? AND implausible = 0"
                " ORDER BY observed_at DESC, id DESC LIMIT 1",
                (session_id, measure, to_iso(since), to_iso(until), device),
            )
        return [_observation(r) for r in rows]

    def device_observation(self, observation_id: int) -> DeviceObservation:
        rows = self._read(f"{_OBSERVATION_SQL} WHERE id = ?", (observation_id,))
        if not rows:
            raise KeyError(f"no device observation with id {observation_id}")
        return _observation(rows[0])

    def undecided_nibp_ids(self, session_id: int) -> list[tuple[int, int]]:
        """(systolic id, message id) of the session's systolics not yet recorded or
        dismissed: ids only, so a refresh of the proposals reads their messages' values
        only for messages it has not seen."""
        return [
            (int(systolic), int(message))
            for systolic, message in self._read(
                f"SELECT s.id, s.message_id {_UNDECIDED_SYSTOLICS} ORDER BY s.id", (session_id,)
            )
        ]

    def message_values(
        self, message_ids: Sequence[int], measures: Sequence[str]
    ) -> list[DeviceObservation]:
        """The `measures` of these messages, in the order they came in (by the message
        index)."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(message_ids), 500):  # well within SQLite's variable limit
            rows += self._read(*message_values_query(message_ids[start : start + 500], measures))
        return [_observation(r) for r in sorted(rows)]

    def proposal_outcomes(self, session_id: int) -> list[ProposalOutcome]:
        """What became of the session's proposed checks, in the order decided."""
        rows = self._read(f"{_OUTCOME_SQL} WHERE session_id = ? ORDER BY id", (session_id,))
        return [_outcome(r) for r in rows]

    def proposal_outcome(self, proposal_id: int) -> ProposalOutcome | None:
        rows = self._read(f"{_OUTCOME_SQL} WHERE proposal_id = ?", (proposal_id,))
        return _outcome(rows[0]) if rows else None

    def dismiss_proposal(self, proposal_id: int, by: str) -> ProposalOutcome:
        """Dismiss a proposed check: its observations stay, no check is added. Once only
        (a second decision fails the UNIQUE and is a StoreWriteError)."""
        session_id = self.device_observation(proposal_id).session_id
        self._require_open(session_id)
        with self._writing() as conn:
            row_id = conn.execute(
                "INSERT INTO device_proposal_outcomes (session_id, proposal_id, outcome,"
                " check_id, decided_by, decided_at) VALUES (?, ?, 'dismissed', NULL, ?, ?)",
                (session_id, proposal_id, by, to_iso(self.clock.now())),
            ).lastrowid
        self._announce(_change("proposal_decided", session_id, int(row_id or 0), by))
        outcome = self.proposal_outcome(proposal_id)
        assert outcome is not None
        return outcome

    def checks_from_monitor(self, session_id: int) -> dict[int, tuple[int, ...]]:
        """{check id: the observation ids it was recorded from} for the session's checks
        recorded from the monitor; a check not in it was typed."""
        rows = self._read(
            "SELECT l.check_id, l.observation_id FROM check_observations l"
            " JOIN vitals_checks c ON c.id = l.check_id WHERE c.session_id = ? ORDER BY l.id",
            (session_id,),
        )
        linked: dict[int, tuple[int, ...]] = {}
        for check_id, observation_id in rows:
            linked[check_id] = (*linked.get(check_id, ()), observation_id)
        return linked

    def checks_from_skewed_clock(self, session_id: int) -> set[int]:
        """The session's checks recorded from monitor values whose time was far from the
        room's clock (the values' `clock_skew` flag): such a check keeps the monitor's time."""
        rows = self._read(
            "SELECT DISTINCT l.check_id FROM check_observations l"
            " JOIN vitals_checks c ON c.id = l.check_id"
            " JOIN device_observations o ON o.id = l.observation_id"
            " WHERE c.session_id = ? AND o.clock_skew = 1",
            (session_id,),
        )
        return {int(check_id) for (check_id,) in rows}

    def add_monitor_alert(
        self, session_id: int, severity: str, rule: str, measure: str, value: float, message: str
    ) -> int:
        """Store an alert the monitor's numerics raised (a sustained breach): it belongs
        to no check. Announced as an "alert" by MONITOR, like a check's alerts, so the
        alerts panel shows it; its row id."""
        self._require_open(session_id)
        with self._writing() as conn:
            row_id = conn.execute(
                "INSERT INTO alerts (session_id, check_id, severity, rule, measure, value,"
                " message, raised_at) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)",
                (session_id, severity, rule, measure, value, message, to_iso(self.clock.now())),
            ).lastrowid
        self._announce(_change("alert", session_id, int(row_id or 0), MONITOR))
        return int(row_id or 0)

    def announce_other_patient(self, session_id: int) -> None:
        """Tell the views, quietly, that a monitor sent another patient's data: nothing
        was stored (row id 0), and nothing about that patient is said or logged."""
        self._announce(_change("device_notice", session_id, 0, MONITOR))


def _change(kind: str, session_id: int, row_id: int, by: str) -> Change:
    """A Change of `kind` (imported here: the repository imports this module)."""
    from session_app.store.repository import Change, ChangeKind

    return Change(ChangeKind(kind), session_id, row_id, by)


def link_check_to_monitor(
    conn: sqlite3.Connection,
    session_id: int,
    check_id: int,
    link: MonitorLink,
    by: str,
    at: datetime,
) -> int:
    """Inside the check's own transaction: the check's observations and the proposal's
    outcome 'recorded'; the outcome's row id (for its announcement)."""
    conn.executemany(
        "INSERT INTO check_observations (check_id, observation_id) VALUES (?, ?)",
        [(check_id, observation_id) for observation_id in link.observation_ids],
    )
    row_id = conn.execute(
        "INSERT INTO device_proposal_outcomes (session_id, proposal_id, outcome, check_id,"
        " decided_by, decided_at) VALUES (?, ?, 'recorded', ?, ?, ?)",
        (session_id, link.proposal_id, check_id, by, to_iso(at)),
    ).lastrowid
    return int(row_id or 0)


def _insert_observations(
    conn: sqlite3.Connection,
    session_id: int,
    message_id: int | None,
    observations: Sequence[NewObservation],
    received_at: str,
) -> list[int]:
    ids: list[int] = []
    for o in observations:
        cursor = conn.execute(
            "INSERT INTO device_observations (session_id, message_id, obr_group, measure,"
            " value, unit, code, device, source, observed_at, received_at, implausible,"
            " clock_skew) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                message_id,
                o.group,
                o.measure,
                o.value,
                o.unit,
                o.code,
                o.device,
                o.source,
                to_iso(o.observed_at),
                received_at,
                int(o.implausible),
                int(o.clock_skew),
            ),
        )
        ids.append(int(cursor.lastrowid or 0))
    return ids


# The session's systolics (with their message) not yet recorded or dismissed: what the
# open proposals are found from (one parameter, the session id).
_UNDECIDED_SYSTOLICS = (
    "FROM device_observations s WHERE s.session_id = ? AND s.measure = 'systolic'"
    " AND s.message_id IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM device_proposal_outcomes p WHERE p.proposal_id = s.id)"
)


def message_values_query(
    message_ids: Sequence[int], measures: Sequence[str]
) -> tuple[str, tuple[object, ...]]:
    """The SQL (and its parameters) of `message_values`: by the message index, not the
    session's (that one read through every numeric: ~100k in 8 h, 0.2 s a refresh)."""
    sql = (
        f"{_OBSERVATION_SQL} WHERE message_id IN ({', '.join('?' * len(message_ids))})"
        f" AND measure IN ({', '.join('?' * len(measures))}) ORDER BY id"
    )
    return sql, (*message_ids, *measures)


def _observation(row: tuple[Any, ...]) -> DeviceObservation:
    return DeviceObservation(
        id=row[0],
        session_id=row[1],
        message_id=row[2],
        group=row[3],
        measure=row[4],
        value=row[5],
        unit=row[6],
        code=row[7],
        device=row[8],
        source=row[9],
        observed_at=from_iso(row[10]),
        received_at=from_iso(row[11]),
        implausible=bool(row[12]),
        clock_skew=bool(row[13]),
    )


def _outcome(row: tuple[Any, ...]) -> ProposalOutcome:
    return ProposalOutcome(row[0], row[1], row[2], row[3], from_iso(row[4]))
