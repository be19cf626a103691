"""ClinicSender: the room's records pushed to the clinic server, off the UI thread.

Local-first: a save is acknowledged on its local commit and never waits for this thread.
The store's change announcements only set an Event here (they run on the writer's
thread), and the sender reads the file through its own connection (store.outbox).

For each record table the sender reads the rows above the table's high-water mark in id
order, a batch at a time, and INSERTs them ON CONFLICT DO NOTHING (the one unique key is
(room, local_id)) in one server transaction per batch; only after that commit does it move
the local mark. A crash
between the two re-sends the batch, which the server ignores: the server never holds a
record twice, nor one the room does not hold. When the server is unreachable it retries
with capped exponential back-off and logs one line per outage (reasons from libpq or
SQLSTATEs: never a patient ID or a value).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.types.json import Jsonb

from session_app.clinic.link import ClinicLink
from session_app.clinic.schema import CLAIMED_ELSEWHERE, RECORD_COLUMNS, SCHEMA_VERSION
from session_app.clinic.server import ClinicError, _one_line, connect
from session_app.clinic.status import SyncState
from session_app.domain.clock import Clock, SystemClock
from session_app.store import SessionStore, StoreError
from session_app.store.outbox import SENT_TABLES, Outbox, Row

__all__ = ["NOT_JOINED", "Backoff", "ClinicLink", "ClinicSender", "start_sender"]

log = logging.getLogger("session_app.clinic.sender")

# Rows per server transaction: 10,000 waiting records are 100 round trips. Not more: the
# driver builds a batch's parameters holding the GIL (500 rows held it 120-300 ms, a stall
# of the room's screen while it catches up).
BATCH_ROWS = 100
# After a save wakes the sender it waits this long, so the save's own chart and flowsheet
# repaint first (the station still shows the record well within a second).
AFTER_WAKE_S = 0.15
POLL_S = 2.0  # a change announcement wakes the sender at once; this is the fallback
# How often a connected room says "still here" (schema.V4 clinic_heartbeat) when it has
# nothing to send: well inside the station's 5-minute stale rule.
HEARTBEAT_S = 60.0
LOCAL_ID_SUFFIX = "_local_id"


@dataclass(frozen=True)
class Backoff:
    """Retry delays: first_s, doubling per failure, never above cap_s."""

    first_s: float = 0.5
    cap_s: float = 30.0

    def delay(self, failures: int) -> float:
        return float(min(self.cap_s, self.first_s * 2 ** min(max(failures - 1, 0), 30)))


def _schema_problem(conn: psycopg.Connection) -> str:
    """'' when the server's schema is the one this app sends to, else why not (one line)."""
    try:
        row = conn.execute("SELECT max(version) FROM clinic_schema_version").fetchone()
    except (errors.UndefinedTable, errors.InsufficientPrivilege):
        row = None  # no clinic schema, or schema 1 (it let no room read its version)
    version = int(row[0]) if row and row[0] is not None else 0
    if version > SCHEMA_VERSION:
        return (
            f"the clinic server has schema {version}, newer than this app's {SCHEMA_VERSION}: "
            "update session_app on this PC (the room keeps saving here)"
        )
    if version < SCHEMA_VERSION:
        return (
            f"the clinic server's schema is older than this app's {SCHEMA_VERSION} (or "
            "missing): clinic IT must run `session-app clinic upgrade` first"
        )
    return ""


def _claim(conn: psycopg.Connection, room: str, install_id: str) -> str:
    """Claim the room for this install (the server refuses another one); its name there."""
    with conn.transaction():
        row = conn.execute("SELECT clinic_room_of(current_user)").fetchone()
        server_room = row[0] if row else None
        if server_room is None:
            raise ClinicError(f"the role {conn.info.user} is not a room of this clinic")
        if server_room.casefold() != room.casefold():
            raise ClinicError(
                f"this passfile and server log in as room {server_room!r}, not {room!r}: "
                "use that room's passfile; nothing was changed"
            )
        try:
            conn.execute("SELECT clinic_claim_room(%s::uuid)", (install_id,))
        except psycopg.Error as exc:
            if exc.sqlstate != CLAIMED_ELSEWHERE:
                raise
            raise ClinicError(
                f"room {server_room!r} is already joined from another installation (another "
                "PC or data folder); nothing was changed"
            ) from None
    return str(server_room)


def connect_room(link: ClinicLink, install_id: str) -> tuple[psycopg.Connection, str]:
    """A connection as the room's role to a server of our schema, with the room claimed
    for this install; and the room's name on the server. ClinicError says why not."""
    try:
        conninfo = link.conninfo()
    except psycopg.ProgrammingError:
        raise ClinicError("the saved clinic server is not a valid connection string") from None
    conn = connect(conninfo)
    try:
        conn.autocommit = True  # each batch is one explicit transaction
        problem = _schema_problem(conn)
        if problem:
            raise ClinicError(problem)
        room = _claim(conn, link.room, install_id)
    except BaseException:
        conn.close()
        raise
    return conn, room


def _local_column(server_column: str) -> str:
    """The room's name of a typed server column: `session_local_id` is `session_id`."""
    if server_column.endswith(LOCAL_ID_SUFFIX):
        return server_column.removesuffix(LOCAL_ID_SUFFIX) + "_id"
    return server_column


def _insert(table: str) -> sql.Composed:
    """The idempotent INSERT. `ON CONFLICT DO NOTHING` names no conflict target: naming one
    needs SELECT on its columns, which a room role (INSERT only) does not have. The key
    (room, local_id) is the only unique constraint of a record table, so it is the one that
    makes a resend a no-op (tests/clinic/test_sender.py checks there is no other)."""
    columns = ["room", "local_id", *RECORD_COLUMNS[table], "details"]
    return sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )


def _values(table: str, room: str, row: Row) -> list[Any]:
    """The agreed record format: the key, the typed columns, the whole row as `details`."""
    typed = [row[_local_column(column)] for column in RECORD_COLUMNS[table]]
    return [room, row["id"], *typed, Jsonb(row)]


def send_pending(
    conn: psycopg.Connection,
    outbox: Outbox,
    room: str,
    *,
    batch: int = BATCH_ROWS,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """Send every record above the marks, one transaction per batch, each mark moved
    after its batch's commit; the number of rows sent. psycopg.Error if the server fails
    (the marks then hold what was committed)."""
    sent = 0
    marks = outbox.marks()
    for table in SENT_TABLES:
        while keep_going():
            rows = outbox.rows_after(table, marks[table], batch)
            if not rows:
                break
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(_insert(table), [_values(table, room, r) for r in rows])
            marks[table] = int(rows[-1]["id"])
            outbox.set_mark(table, marks[table])
            sent += len(rows)
    return sent


_CONNECTION_CLASSES = ("08", "57", "28")  # connection lost, server shutting down, auth


def _send_problem(exc: psycopg.Error) -> str:
    """One line for a failure while sending. A server error's own text may quote a value
    ("invalid input syntax … '88'"), so only a lost connection keeps libpq's words."""
    code = exc.sqlstate
    if code is None or code[:2] in _CONNECTION_CLASSES:
        return f"lost the clinic server: {_one_line(exc)}"
    return f"the clinic server refused a batch of records (SQLSTATE {code})"


class _NotJoined:
    """The sender's status for a room on its own (for the staff strip)."""

    def state(self) -> SyncState:
        return SyncState(joined=False)


NOT_JOINED = _NotJoined()


class ClinicSender(threading.Thread):
    """Pushes the room's records to the clinic server until `stop()`; `state()` at any
    time, from any thread. Never raises into the app."""

    def __init__(
        self,
        store_path: Path,
        link: ClinicLink,
        *,
        subscribe: Callable[[Callable[[Any], None]], Callable[[], None]] | None = None,
        clock: Clock | None = None,
        backoff: Backoff = Backoff(),
        poll_s: float = POLL_S,
        batch: int = BATCH_ROWS,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        super().__init__(name="clinic-sender", daemon=True)
        self._path, self._link, self._clock = Path(store_path), link, clock or SystemClock()
        self._backoff, self._poll_s, self._batch = backoff, poll_s, batch
        self._heartbeat_s, self._last_beat = heartbeat_s, float("-inf")
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._changed = threading.Condition()  # guards the fields below it
        self._state = SyncState(joined=True, room=link.room)
        self._rounds_started = self._rounds_done = 0
        self._failures = 0
        self._outbox: Outbox | None = None  # the thread's own, like the connection
        self._conn: psycopg.Connection | None = None
        self._server_room = ""
        self._unsubscribe = subscribe(lambda _change: self._wake.set()) if subscribe else None

    # -- any thread ------------------------------------------------------------
    def state(self) -> SyncState:
        with self._changed:
            return self._state

    def wait_for(self, predicate: Callable[[SyncState], bool], timeout_s: float) -> bool:
        """Block until the state satisfies `predicate` (True) or `timeout_s` passes."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self._state), timeout_s)

    def wait_until_sent(self, timeout_s: float) -> bool:
        """True once a round begun after this call left nothing waiting (tests, exit)."""
        with self._changed:
            target = self._rounds_started + 1
        self._wake.set()
        with self._changed:
            return self._changed.wait_for(
                lambda: self._rounds_done >= target
                and self._state.reachable
                and self._state.waiting == 0,
                timeout_s,
            )

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop listening, finish the current batch, close both connections."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopping.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout_s)

    # -- the sender's thread -----------------------------------------------------
    def run(self) -> None:
        try:
            next_try = 0.0
            while not self._stopping.is_set():
                self._wake.clear()
                self._update(started=True)
                if time.monotonic() >= next_try:
                    next_try = time.monotonic() + self._attempt()
                self._update(done=True, waiting=self._count_waiting())
                remaining = next_try - time.monotonic()
                woken = self._wake.wait(
                    min(self._poll_s, remaining) if remaining > 0 else self._poll_s
                )
                if woken:
                    self._stopping.wait(AFTER_WAKE_S)  # the save that woke it paints first
        finally:
            self._disconnect()
            if self._outbox is not None:
                self._outbox.close()

    def _attempt(self) -> float:
        """Connect if need be and send what waits; the delay before the next attempt."""
        try:
            if self._outbox is None:
                self._outbox = Outbox.open(self._path, self._clock)
            if self._conn is None or self._conn.closed:
                self._conn, self._server_room = connect_room(
                    self._link, self._outbox.install_id()
                )
            sent = send_pending(
                self._conn,
                self._outbox,
                self._server_room,
                batch=self._batch,
                keep_going=lambda: not self._stopping.is_set(),
            )
            if sent or time.monotonic() - self._last_beat >= self._heartbeat_s:
                self._conn.execute("SELECT clinic_heartbeat()")
                self._last_beat = time.monotonic()
        except (ClinicError, StoreError) as exc:
            problem = str(exc)
        except psycopg.Error as exc:
            problem = _send_problem(exc)
        except Exception as exc:  # a bug must not stop the room's records for good
            problem = f"the clinic sender failed ({type(exc).__name__}); it will try again"
        else:
            self._reachable(sent)
            return 0.0
        self._disconnect()
        self._failures += 1
        self._unreachable(problem)
        return self._backoff.delay(self._failures)

    def _count_waiting(self) -> int | None:
        try:
            return None if self._outbox is None else self._outbox.waiting()
        except StoreError:
            return None  # the next attempt reports it

    def _update(
        self, *, started: bool = False, done: bool = False, waiting: int | None = None
    ) -> None:
        with self._changed:
            self._rounds_started += started
            self._rounds_done += done
            if waiting is not None:
                self._state = replace(self._state, waiting=waiting)
            self._changed.notify_all()

    def _reachable(self, sent: int) -> None:
        with self._changed:
            outage = self._state.unreachable_since
            last = self._clock.now() if sent else self._state.last_sent_at
            self._state = replace(
                self._state, reachable=True, unreachable_since=None, problem="", last_sent_at=last
            )
            self._failures = 0
            self._changed.notify_all()
        if outage is not None:
            log.info("clinic server reachable again; sending what waited")

    def _unreachable(self, problem: str) -> None:
        with self._changed:
            first = self._state.unreachable_since is None
            since = self._state.unreachable_since or self._clock.now()
            self._state = replace(
                self._state, reachable=False, unreachable_since=since, problem=problem
            )
            self._changed.notify_all()
        if first:  # one line per outage, however many retries
            log.warning("clinic server not reachable, records wait here: %s", problem)

    def _disconnect(self) -> None:
        self._last_beat = float("-inf")  # a new connection says so at once
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None


def start_sender(store: SessionStore) -> ClinicSender | None:
    """The running sender of a room that has joined a clinic; None for a room on its own."""
    link = ClinicLink.from_settings(store.load_settings())
    if link is None:
        return None
    sender = ClinicSender(store.path, link, subscribe=store.subscribe)
    sender.start()
    return sender
