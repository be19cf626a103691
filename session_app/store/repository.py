"""SessionStore: the one place that reads and writes the SQLite file.

Every write runs in its own transaction and is committed before the method
returns; then listeners are told what changed (the Anki habit), so every view
refreshes from the store rather than from its own copy.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from session_app.domain.clock import Clock, SystemClock, from_iso, to_iso
from session_app.domain.corrections import AlertResolution
from session_app.domain.pin import SET_IN_PANEL, PinAttempts, PinHash
from session_app.domain.records import AlertRecord, SessionEvent
from session_app.domain.session import NewSession, TreatmentSession
from session_app.domain.vitals import VitalsCheck, VitalSigns
from session_app.store import rows as stored
from session_app.store.db import (
    BUSY_TIMEOUT_MS,
    StoreError,
    StoreWriteError,
    connect,
    create_sqlite_file,
    reason_in_words,
    write_transaction,
)
from session_app.store.devices import DeviceRecords, MonitorLink, Poster, link_check_to_monitor

DB_FILENAME = "session_app.sqlite3"
log = logging.getLogger("session_app.store")

Listener = Callable[["Change"], None]

_CHECK_COLUMNS = stored.SIGNS_COLUMNS


class ChangeKind(StrEnum):
    """What kind of record a write added (a str, so `kind == "check"` still holds)."""

    SESSION = "session"
    SESSION_END = "session_end"
    CHECK = "check"
    EVENT = "event"
    ALERT = "alert"
    ALERT_ACK = "alert_ack"
    ALERT_RESOLVED = "alert_resolved"
    SETTINGS = "settings"
    PIN = "pin"
    PIN_ATTEMPT = "pin_attempt"
    DEVICE_DATA = "device_data"  # values from a monitor or oximeter (row: message or last value)
    DEVICE_NOTICE = "device_notice"  # a monitor sent another patient's data (nothing stored)
    PROPOSAL_DECIDED = "proposal_decided"  # a proposed check recorded or dismissed


@dataclass(frozen=True)
class Change:
    """What a write changed: the record kind, the session, the new row id, and who made
    it (staff initials, or the route of a setting or PIN such as "staff panel"; "" when
    nobody in particular, e.g. a PIN attempt)."""

    kind: ChangeKind
    session_id: int | None
    row_id: int
    # Not part of the identity: a change is the row it added, whoever made it.
    by: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # A kind typed as a plain string is checked here: a typo fails at once.
        object.__setattr__(self, "kind", ChangeKind(self.kind))


PARSED_CHECKS_KEPT = 4096  # parsed check rows kept in memory (a typed session has ~100)


class SessionStore(DeviceRecords):
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock | None = None) -> None:
        self._conn = conn
        self.path = path
        self.clock: Clock = clock or SystemClock()
        self._listeners: list[Listener] = []
        self._revisions: dict[int | None, int] = {}  # announced changes, per session
        # Parsed check rows by id, each with the row it came from (see `_check`).
        self._parsed_checks: dict[int, tuple[tuple[Any, ...], VitalsCheck]] = {}
        self._failure_listeners: list[Callable[[str], None]] = []

    @classmethod
    def open(
        cls,
        path: Path | str,
        clock: Clock | None = None,
        *,
        busy_timeout_ms: int | None = None,
        for_reading: bool = False,
    ) -> SessionStore:
        """Open the store file (a file path, or a data directory holding it).

        `busy_timeout_ms` is how long a write waits for another program's lock before it
        fails with a clear "locked" error (default: db.BUSY_TIMEOUT_MS). `for_reading`:
        the caller only reads, so a missing store is refused rather than created and a
        read-only folder is opened read-only (see db.connect).
        """
        path = Path(path)
        if os.path.isdir(path) and path.name != DB_FILENAME:  # a folder so named is refused
            path = path / DB_FILENAME
        timeout = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        return cls(connect(path, timeout, for_reading=for_reading), path, clock)

    def close(self) -> None:
        self._conn.close()

    def for_thread(self, post: Poster, *, busy_timeout_ms: int = 2000) -> SessionStore:
        """The same store through a connection of its own, for one other thread (the
        monitor listener's): its transactions never interleave with this one's, and
        SQLite's lock orders the two writers. What it writes is announced to THIS
        store's listeners, through `post`, which must run the call on the thread the
        views live on (in the app, queued to the UI thread): a view is never called
        from the listener's thread. It waits longer for the lock than the UI does
        (no one is typing on that thread); close it when that thread stops."""
        sibling = SessionStore(connect(self.path, busy_timeout_ms), self.path, self.clock)
        sibling.subscribe(lambda change: post(lambda: self._deliver(change)))
        return sibling

    # -- change announcements ------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _announce(self, change: Change) -> None:
        """Tell every listener, after the commit. A listener that fails is logged and the
        others still hear it: a broken view must not make a committed save look failed."""
        # Kinds and row ids only: never a patient ID, a value or a note in the logs. A
        # monitor's values come every second: at DEBUG, or they would rotate the log away.
        level = logging.DEBUG if change.kind is ChangeKind.DEVICE_DATA else logging.INFO
        log.log(level, "saved %s #%d (session %s)", change.kind, change.row_id, change.session_id)
        self._deliver(change)

    def revision(self, session_id: int) -> int:
        """How many changes to the session's record (or the clinic's settings) this store
        has announced: a view that keeps what it read knows, without a read, when to read
        again. A monitor's values are not changes to the record."""
        return self._revisions.get(session_id, 0) + self._revisions.get(None, 0)

    def _deliver(self, change: Change) -> None:
        if change.kind not in (ChangeKind.DEVICE_DATA, ChangeKind.DEVICE_NOTICE):
            key = change.session_id
            self._revisions[key] = self._revisions.get(key, 0) + 1  # before any listener
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as exc:  # any view's bug: the save is already committed
                # The exception's type and where it was raised, never its text: that could
                # quote a value or a patient ID.
                where = traceback.extract_tb(exc.__traceback__)[-1]
                log.error(
                    "a view failed on saved %s #%d (%s at %s:%d); the save stands",
                    change.kind,
                    change.row_id,
                    type(exc).__name__,
                    os.path.basename(where.filename),
                    where.lineno or 0,
                )

    def subscribe_failures(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Hear every failed write (its message); the next successful write is a Change."""
        self._failure_listeners.append(listener)
        return lambda: (
            self._failure_listeners.remove(listener)
            if listener in self._failure_listeners
            else None
        )

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction whose failure is announced before it is raised."""
        try:
            with write_transaction(self._conn) as conn:
                yield conn
        except StoreWriteError as exc:
            log.warning("write failed and was rolled back: %s", exc)
            for listener in list(self._failure_listeners):
                listener(str(exc))
            raise

    def _insert(
        self,
        kind: str,
        session_id: int | None,
        sql: str,
        params: Iterable[Any],
        by: str = "",
    ) -> int:
        with self._writing() as conn:
            row_id = conn.execute(sql, tuple(params)).lastrowid
        assert row_id is not None
        self._announce(Change(ChangeKind(kind), session_id, row_id, by))
        return row_id

    # -- sessions ------------------------------------------------------------
    def start_session(
        self,
        new: NewSession,
        protocol: Mapping[str, Any] | None = None,
        started_at: datetime | None = None,
    ) -> TreatmentSession:
        now = self.clock.now()
        started = started_at or now
        session_id = self._insert(
            "session",
            None,
            "INSERT INTO sessions (patient_id, protocol_name, protocol_json, staff_initials,"
            " weight_kg, started_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                new.patient_id,
                new.protocol_name,
                json.dumps(dict(protocol or {})),
                new.staff_initials,
                new.weight_kg,
                to_iso(started),
                to_iso(now),
            ),
            by=new.staff_initials,
        )
        return self.session(session_id)

    def end_session(
        self,
        session_id: int,
        ended_by: str,
        discharge: Mapping[str, Any] | None = None,
        ended_at: datetime | None = None,
    ) -> TreatmentSession:
        if not self.session(session_id).is_open:
            raise StoreWriteError(f"Session {session_id} has already ended; it is read-only.")
        now = self.clock.now()
        self._insert(
            "session_end",
            session_id,
            "INSERT INTO session_ends (session_id, ended_at, ended_by, discharge_json, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                session_id,
                to_iso(ended_at or now),
                ended_by,
                json.dumps(dict(discharge or {})),
                to_iso(now),
            ),
            by=ended_by,
        )
        return self.session(session_id)

    _SESSION_SQL = (
        f"SELECT {', '.join('s.' + c for c in stored.SESSION_COLUMNS)},"
        f" {', '.join('e.' + c for c in stored.SESSION_END_COLUMNS)} FROM sessions s"
        " LEFT JOIN session_ends e ON e.session_id = s.id"
    )

    @staticmethod
    def _session_from_row(row: tuple[Any, ...]) -> TreatmentSession:
        cut = len(stored.SESSION_COLUMNS)
        end = stored.named(stored.SESSION_END_COLUMNS, row[cut:]) if row[cut] else None
        return stored.session_record(stored.named(stored.SESSION_COLUMNS, row[:cut]), end)

    def session(self, session_id: int) -> TreatmentSession:
        row = self._read_one(self._SESSION_SQL + " WHERE s.id = ?", (session_id,))
        if row is None:
            raise KeyError(f"no session with id {session_id}")
        return self._session_from_row(row)

    def sessions(self, patient_id: str = "") -> list[TreatmentSession]:
        """All sessions, newest first; optionally those whose patient ID contains the text."""
        rows = self._read(
            self._SESSION_SQL + " WHERE s.patient_id LIKE ? ORDER BY s.started_at DESC, s.id DESC",
            (f"%{patient_id.strip().upper()}%",),
        )
        return [self._session_from_row(r) for r in rows]

    def open_session(self) -> TreatmentSession | None:
        """The most recent session that has not ended (resumed after a restart)."""
        row = self._read_one(
            self._SESSION_SQL + " WHERE e.id IS NULL ORDER BY s.started_at DESC, s.id DESC LIMIT 1"
        )
        return self._session_from_row(row) if row else None

    def discharge(self, session_id: int) -> dict[str, Any]:
        row = self._read_one(
            "SELECT discharge_json FROM session_ends WHERE session_id = ?", (session_id,)
        )
        return json.loads(row[0]) if row else {}

    # -- vitals checks -------------------------------------------------------
    _CHECK_SQL = f"SELECT {', '.join(stored.CHECK_COLUMNS)} FROM vitals_checks"

    @staticmethod
    def _check_from_row(row: tuple[Any, ...]) -> VitalsCheck:
        return stored.check_record(stored.named(stored.CHECK_COLUMNS, row))

    def check(self, check_id: int) -> VitalsCheck:
        row = self._read_one(self._CHECK_SQL + " WHERE id = ?", (check_id,))
        if row is None:
            raise KeyError(f"no vitals check with id {check_id}")
        return self._check(row)

    def checks(self, session_id: int) -> list[VitalsCheck]:
        """Every stored check row (originals and corrections), in time order."""
        rows = self._read(
            self._CHECK_SQL + " WHERE session_id = ? ORDER BY taken_at, id", (session_id,)
        )
        return [self._check(r) for r in rows]

    def _check(self, row: tuple[Any, ...]) -> VitalsCheck:
        """A row as a VitalsCheck, parsed once: a save reads the session's checks three
        times (issue 7). Rows never change, and a cached check is reused only for a row
        equal to the one it was parsed from."""
        cached = self._parsed_checks.get(row[0])
        if cached is not None and cached[0] == row:
            return cached[1]
        check = self._check_from_row(row)
        if len(self._parsed_checks) >= PARSED_CHECKS_KEPT:
            self._parsed_checks.clear()  # bounded: a monitor-fed session has thousands
        self._parsed_checks[row[0]] = (row, check)
        return check

    def add_check_with_alerts(
        self,
        session_id: int,
        signs: VitalSigns,
        alerts: Iterable[Mapping[str, Any]],
        *,
        taken_at: datetime,
        is_baseline: bool = False,
        due_at: datetime | None = None,
        late: bool = False,
        corrects_id: int | None = None,
        correction_reason: str = "",
        resolves: Sequence[int] = (),
        from_monitor: MonitorLink | None = None,
    ) -> tuple[VitalsCheck, list[AlertRecord]]:
        """A check (or a correction of one) and the alerts it raised, committed together
        or not at all.

        Each alert mapping has severity, rule, measure, value and message. `resolves`
        names earlier alerts this correction resolves (see domain.corrections), recorded
        in the same transaction with its initials and time. `from_monitor`: the check is
        recorded from a proposed check; its observations and the proposal's outcome are
        written in the same transaction. Listeners hear "check", each "alert", each
        "alert_resolved" (and "proposal_decided") only after the commit, so a view that
        refreshes on the check already finds its alerts.
        """
        self._require_open(session_id)
        now = self.clock.now()
        columns = ", ".join(_CHECK_COLUMNS)
        alert_ids: list[int] = []
        with self._writing() as conn:
            check_id = conn.execute(
                f"INSERT INTO vitals_checks (session_id, taken_at, entered_at, is_baseline,"
                f" {columns}, due_at, late, corrects_id, correction_reason)"
                f" VALUES (?, ?, ?, ?, {', '.join('?' * len(_CHECK_COLUMNS))}, ?, ?, ?, ?)",
                (
                    session_id,
                    to_iso(taken_at),
                    to_iso(now),
                    int(is_baseline),
                    *(getattr(signs, name) for name in _CHECK_COLUMNS),
                    to_iso(due_at) if due_at else None,
                    int(late),
                    corrects_id,
                    correction_reason,
                ),
            ).lastrowid
            for alert in alerts:
                alert_ids.append(
                    conn.execute(
                        "INSERT INTO alerts (session_id, check_id, severity, rule, measure,"
                        " value, message, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            session_id,
                            check_id,
                            str(alert["severity"]),
                            alert["rule"],
                            alert["measure"],
                            alert["value"],
                            alert["message"],
                            to_iso(now),
                        ),
                    ).lastrowid
                )
            resolution_ids = [
                conn.execute(
                    "INSERT INTO alert_resolutions (alert_id, correction_id, resolved_by,"
                    " resolved_at) VALUES (?, ?, ?, ?)",
                    (alert_id, check_id, signs.recorded_by, to_iso(now)),
                ).lastrowid
                for alert_id in resolves
            ]
            decided = (
                link_check_to_monitor(
                    conn, session_id, check_id or 0, from_monitor, signs.recorded_by, now
                )
                if from_monitor is not None
                else None
            )
        assert check_id is not None
        by = signs.recorded_by
        self._announce(Change(ChangeKind.CHECK, session_id, check_id, by))
        for alert_id in alert_ids:
            self._announce(Change(ChangeKind.ALERT, session_id, alert_id or 0, by))
        for resolution_id in resolution_ids:
            self._announce(Change(ChangeKind.ALERT_RESOLVED, session_id, resolution_id or 0, by))
        if decided is not None:
            self._announce(Change(ChangeKind.PROPOSAL_DECIDED, session_id, decided, by))
        return self.check(check_id), [self._alerts_where("a.id = ?", i)[0] for i in alert_ids]

    # -- events --------------------------------------------------------------
    def add_event(
        self,
        session_id: int,
        kind: str,
        recorded_by: str,
        details: Mapping[str, Any] | None = None,
        *,
        occurred_at: datetime | None = None,
        corrects_id: int | None = None,
        correction_reason: str = "",
    ) -> SessionEvent:
        self._require_open(session_id)
        now = self.clock.now()
        row_id = self._insert(
            "event",
            session_id,
            "INSERT INTO events (session_id, kind, occurred_at, entered_at, details_json,"
            " recorded_by, corrects_id, correction_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                kind,
                to_iso(occurred_at or now),
                to_iso(now),
                json.dumps(dict(details or {})),
                recorded_by,
                corrects_id,
                correction_reason,
            ),
            by=recorded_by,
        )
        return self._events_where("id = ?", row_id)[0]

    def events(self, session_id: int) -> list[SessionEvent]:
        return self._events_where("session_id = ?", session_id)

    def _events_where(self, clause: str, value: int) -> list[SessionEvent]:
        found = self._read(
            f"SELECT {', '.join(stored.EVENT_COLUMNS)} FROM events WHERE {clause}"
            " ORDER BY occurred_at, id",
            (value,),
        )
        return [stored.event_record(stored.named(stored.EVENT_COLUMNS, r)) for r in found]

    # -- alerts --------------------------------------------------------------
    def acknowledge_alert(self, alert_id: int, acked_by: str, response: str = "") -> AlertRecord:
        return self.acknowledge_alerts([alert_id], acked_by, response)[0]

    def acknowledge_alerts(
        self, alert_ids: Sequence[int], acked_by: str, response: str = ""
    ) -> list[AlertRecord]:
        """Acknowledge every alert of `alert_ids` in ONE transaction: all or none (the
        alerts of one check are acknowledged together, issue 15). An alert already
        acknowledged keeps its first acknowledgement. KeyError for an unknown id, before
        anything is written."""
        wanted = list(dict.fromkeys(alert_ids))
        alerts = [self._alerts_where("a.id = ?", alert_id) for alert_id in wanted]
        if missing := [i for i, found in zip(wanted, alerts, strict=True) if not found]:
            raise KeyError(f"no alert with id {missing[0]}")
        added: list[tuple[int, int]] = []  # (session id, ack row id)
        now = to_iso(self.clock.now())
        with self._writing() as conn:
            for [alert] in alerts:
                cursor = conn.execute(  # skipped if acknowledged meanwhile (another station)
                    "INSERT INTO alert_acks (alert_id, acked_by, acked_at, response)"
                    " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
                    " (SELECT 1 FROM alert_acks WHERE alert_id = ?)",
                    (alert.id, acked_by, now, response, alert.id),
                )
                if cursor.rowcount and cursor.lastrowid is not None:
                    added.append((alert.session_id, cursor.lastrowid))
        for session_id, row_id in added:
            self._announce(Change(ChangeKind.ALERT_ACK, session_id, row_id, acked_by))
        return [self._alerts_where("a.id = ?", alert_id)[0] for alert_id in wanted]

    def alerts(self, session_id: int, *, unacknowledged_only: bool = False) -> list[AlertRecord]:
        """Every alert of the session; with `unacknowledged_only`, the open ones: neither
        acknowledged nor resolved by a correction."""
        still_open = (
            " AND k.id IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = a.id)"
        )
        return self._alerts_where(
            "a.session_id = ?" + (still_open if unacknowledged_only else ""), session_id
        )

    def alert_resolutions(self, session_id: int) -> list[AlertResolution]:
        """The session's alerts resolved by a correction, in the order they were resolved."""
        found = self._read(
            f"SELECT {', '.join('r.' + c for c in stored.RESOLUTION_COLUMNS)}"
            " FROM alert_resolutions r JOIN alerts a ON a.id = r.alert_id"
            " WHERE a.session_id = ? ORDER BY r.id",
            (session_id,),
        )
        return [stored.resolution_record(stored.named(stored.RESOLUTION_COLUMNS, r)) for r in found]

    def _alerts_where(self, clause: str, value: int) -> list[AlertRecord]:
        found = self._read(
            f"SELECT {', '.join('a.' + c for c in stored.ALERT_COLUMNS)},"
            f" {', '.join('k.' + c for c in stored.ACK_COLUMNS)} FROM alerts a"
            f" LEFT JOIN alert_acks k ON k.alert_id = a.id WHERE {clause}"
            " ORDER BY a.raised_at, a.id",
            (value,),
        )
        cut = len(stored.ALERT_COLUMNS)
        return [
            stored.alert_record(
                stored.named(stored.ALERT_COLUMNS, r[:cut]),
                stored.named(stored.ACK_COLUMNS, r[cut:]) if r[cut + 1] else None,
            )
            for r in found
        ]

    # -- clinic settings -----------------------------------------------------
    def save_settings(self, settings: Mapping[str, Any], *, by: str = "") -> None:
        """Append a new version of the clinic settings; the newest version is in force.
        `by` (where it was saved from) is announced, not stored."""
        self._insert(
            "settings",
            None,
            "INSERT INTO settings_versions (settings_json, saved_at) VALUES (?, ?)",
            (json.dumps(dict(settings), sort_keys=True), to_iso(self.clock.now())),
            by=by,
        )

    def load_settings(self) -> dict[str, Any]:
        row = self._read_one("SELECT settings_json FROM settings_versions ORDER BY id DESC LIMIT 1")
        return json.loads(row[0]) if row else {}

    # -- staff PIN -----------------------------------------------------------
    def set_pin(self, pin_hash: PinHash, changed_by: str = SET_IN_PANEL) -> None:
        """Put `pin_hash` in force and note when and by whom (the PIN itself is never stored).

        The previous hash is replaced, not kept: secure_delete zeroes its bytes and the WAL
        is checkpointed and emptied, so it is not left readable anywhere in the files. A
        new PIN also clears the wrong-PIN count (IT resetting a forgotten PIN).
        """
        now = to_iso(self.clock.now())
        self._conn.execute("PRAGMA secure_delete = ON")
        with self._writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO staff_pin_current (id, scheme, salt, pin_hash, set_at)"
                " VALUES (1, ?, ?, ?, ?)",
                (pin_hash.scheme, pin_hash.salt, pin_hash.digest, now),
            )
            row_id = conn.execute(
                "INSERT INTO staff_pin_changes (changed_at, changed_by) VALUES (?, ?)",
                (now, changed_by),
            ).lastrowid
            conn.execute("INSERT INTO pin_attempts (outcome, at) VALUES ('reset', ?)", (now,))
        # Best effort: with a reader holding an old snapshot it checkpoints what it can.
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert row_id is not None
        self._announce(Change(ChangeKind.PIN, None, row_id, changed_by))

    def current_pin(self) -> PinHash | None:
        row = self._read_one("SELECT scheme, salt, pin_hash FROM staff_pin_current WHERE id = 1")
        return PinHash(row[0], bytes(row[1]), bytes(row[2])) if row else None

    def pin_changes(self) -> list[tuple[datetime, str]]:
        """When the PIN was set or changed, and by whom (which route), oldest first."""
        rows = self._read("SELECT changed_at, changed_by FROM staff_pin_changes ORDER BY id")
        return [(from_iso(at), by) for at, by in rows]

    def record_pin_attempt(self, *, succeeded: bool) -> None:
        """Append one PIN try: a right PIN ends the run of wrong ones."""
        self._insert(
            "pin_attempt",
            None,
            "INSERT INTO pin_attempts (outcome, at) VALUES (?, ?)",
            ("success" if succeeded else "failure", to_iso(self.clock.now())),
        )

    def pin_attempts(self) -> PinAttempts:
        """Wrong PINs since the last right one or PIN change, and when the latest was typed."""
        failures, last = self._read_one(
            """
            WITH run AS (
                SELECT id, at FROM pin_attempts
                WHERE outcome = 'failure' AND id > COALESCE(
                    (SELECT MAX(id) FROM pin_attempts WHERE outcome != 'failure'), 0)
            )
            SELECT COUNT(*), (SELECT at FROM run ORDER BY id DESC LIMIT 1) FROM run
            """
        )
        return PinAttempts(failures, from_iso(last) if last else None)

    # -- backup ----------------------------------------------------------------
    def backup(self, target: Path | str) -> Path:
        """Copy the whole store to `target` with SQLite's online backup (safe while in use).

        The copy appears at `target` only once complete and checked (db.create_sqlite_file):
        a full disk or a failed check leaves nothing there, so trying again just works.
        """
        target = Path(target)
        if os.path.lexists(target):
            raise StoreWriteError(f"Not backed up: {target} already exists; choose a new name.")

        def copy_and_check(copy: sqlite3.Connection) -> None:
            self._conn.backup(copy)
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise StoreWriteError(
                    f"Not backed up: the copy failed its integrity check ({problem}); "
                    f"nothing was left at {target}."
                )

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            create_sqlite_file(target, copy_and_check)
        except FileExistsError as exc:
            raise StoreWriteError(
                f"Not backed up: {target} already exists; choose a new name."
            ) from exc
        except (OSError, sqlite3.Error) as exc:
            reason = self._space_problem(target.parent) or reason_in_words(exc)
            raise StoreWriteError(f"Not backed up to {target}: {reason}.") from exc
        return target

    def _space_problem(self, folder: Path) -> str | None:
        """A full disk often surfaces as a mere "disk I/O error": say what it was."""
        [pages] = self._conn.execute("PRAGMA page_count").fetchone()
        [page_size] = self._conn.execute("PRAGMA page_size").fetchone()
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return None
        needed = pages * page_size
        if free >= needed:
            return None
        return f"the disk is full ({free // 1024} kB free; the copy needs {needed // 1024} kB)"

    # -- helpers -------------------------------------------------------------
    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a read. A read that fails (the store closed as the app shuts down,
        a file damaged since it was opened) is a StoreError, as a failed write is, so no
        view needs to know the store is SQLite."""
        try:
            return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            reason = reason_in_words(exc).rstrip(".")
            raise StoreError(f"The data file cannot be read: {reason}.") from exc

    def _read_one(self, sql: str, params: Iterable[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a read (see `_read`), or None."""
        rows = self._read(sql, params)
        return rows[0] if rows else None

    def _require_open(self, session_id: int) -> None:
        if not self.session(session_id).is_open:
            raise StoreWriteError(f"Session {session_id} has ended; it is read-only.")

