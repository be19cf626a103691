"""The station's feed: LISTEN on the clinic server, fetch what changed, on its own thread.

One thread owns two connections: one only LISTENs (`clinic_change`, whose payload names
the room), the other fetches. A notification makes the feed fetch that room's new rows at
once; a slow timer fetches every room (the fallback if a notification is lost), and so
does every (re)connection. Each table is fetched behind a mark per room (local ids only
grow: a room sends each table in id order). The UI thread never waits on the network:
it gets `FeedUpdate`s and `ServerStatus`es through the callbacks, which run on the feed's
thread and only queue them (ui.station.window.FeedBridge; its UI-thread timer takes them
off). Qt-free.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from session_app.clinic.board import FeedUpdate, RoomRows, ServerRow, ServerStatus
from session_app.clinic.schema import BOARD_TABLES, NOTIFY_CHANNEL
from session_app.clinic.server import _one_line
from session_app.domain.clock import Clock, SystemClock

log = logging.getLogger("session_app.clinic.station_feed")

POLL_EVERY = timedelta(seconds=30)
RETRY_FIRST_S, RETRY_MAX_S = 1.0, 30.0
WAIT_STEP_S = 0.25  # how often the listening loop looks at the stop flag


class StationFeed:
    """Keeps the station's board fed; `start()` once, `stop()` at exit."""

    def __init__(
        self,
        conninfo: str,
        on_update: Callable[[FeedUpdate], None],
        on_status: Callable[[ServerStatus], None],
        *,
        poll_every: timedelta = POLL_EVERY,
        clock: Clock | None = None,
    ) -> None:
        self._conninfo = conninfo
        self._on_update = on_update
        self._on_status = on_status
        self._poll_every = poll_every.total_seconds()
        self._clock = clock or SystemClock()
        self._stop = threading.Event()
        self._poll_now = threading.Event()
        self._thread = threading.Thread(target=self._run, name="station-feed", daemon=True)
        self._marks: dict[tuple[str, str], int] = {}  # (room, table) -> highest local id
        self._heard: dict[str, datetime] = {}
        self.polls = 0  # full fetches so far (tests tell a notification from a poll)
        self.room_fetches = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def poll_soon(self) -> None:
        """Fetch every room at the next turn (the window's Refresh)."""
        self._poll_now.set()

    # -- the thread ----------------------------------------------------------------
    def _run(self) -> None:
        retry, since = RETRY_FIRST_S, None
        while not self._stop.is_set():
            try:
                self._serve()
                retry = RETRY_FIRST_S
            except psycopg.Error as exc:
                problem = _one_line(exc)
                if since is None:
                    since = self._clock.now()
                    log.warning("clinic server not reachable: %s", problem)
                self._on_status(ServerStatus(False, since, problem))
                self._stop.wait(retry)
                retry = min(retry * 2, RETRY_MAX_S)
                continue
            since = None

    def _serve(self) -> None:
        """One connection's life: LISTEN, fetch everything, then follow notifications."""
        with (
            psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10) as listen,
            psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10) as fetch,
        ):
            listen.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
            self._fetch(fetch, None)
            self._on_status(ServerStatus(True))
            last_poll = time.monotonic()
            while not self._stop.is_set():
                rooms: set[str] = set()
                for note in listen.notifies(timeout=WAIT_STEP_S, stop_after=1):
                    rooms.add(_room_of(note.payload))
                if "" in rooms or self._poll_now.is_set() or (
                    time.monotonic() - last_poll >= self._poll_every
                ):
                    self._poll_now.clear()
                    self._fetch(fetch, None)
                    last_poll = time.monotonic()
                elif rooms:
                    self._fetch(fetch, rooms)

    def _fetch(self, conn: psycopg.Connection, rooms: Iterable[str] | None) -> None:
        """New rows of `rooms` (None: every room), then one update to the board."""
        known = conn.execute(
            "SELECT name, display_name, last_seen_at FROM rooms ORDER BY name"
        ).fetchall()
        names = tuple(name for name, _, _ in known)
        for name, _, seen in known:  # the room's heartbeat (schema.V4): heard, no record
            self._hear(name, seen)
        wanted = names if rooms is None else tuple(r for r in rooms if r in names)
        if rooms is None:
            self.polls += 1
        else:
            self.room_fetches += 1
        parts = []
        for room in wanted:
            found: list[ServerRow] = []
            for table in BOARD_TABLES:  # not the device tables: the board shows none
                mark = self._marks.get((room, table), 0)
                rows = conn.execute(
                    sql.SQL(
                        "SELECT local_id, details, received_at FROM {} WHERE room = %s"
                        " AND local_id > %s ORDER BY local_id"
                    ).format(sql.Identifier(table)),
                    (room, mark),
                ).fetchall()
                for local_id, details, received in rows:
                    found.append(ServerRow(table, local_id, details, received))
                    self._marks[(room, table)] = local_id
                    self._hear(room, received)
            parts.append(RoomRows(room, tuple(found)))
        server_now = conn.execute("SELECT now()").fetchone()
        assert server_now is not None
        self._on_update(FeedUpdate(server_now[0], names, tuple(parts), dict(self._heard),
                                   {name: display for name, display, _ in known}))  # fmt: skip

    def _hear(self, room: str, at: datetime | None) -> None:
        """Last heard = the latest of a record's received_at and the room's last_seen_at,
        both the server's clock."""
        if at is not None and (room not in self._heard or at > self._heard[room]):
            self._heard[room] = at


def _room_of(payload: str) -> str:
    """The room a notification names; '' (fetch every room) when it cannot be read."""
    try:
        room = json.loads(payload).get("room")
    except (ValueError, AttributeError):
        return ""
    return room if isinstance(room, str) else ""
