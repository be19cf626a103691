"""The room's outbox for clinic mode: "rows of table T after id N", and the marks.

The clinic sender reads the append-only record tables in id order behind one high-water
mark per table (`clinic_marks`, schema V_CLINIC_MARKS). It does so through an `Outbox`,
which holds a SQLite connection of its own: the sender's thread never touches the UI's
connection, and each read is one short statement (WAL: it never blocks a save, and no
long read holds back a checkpoint).
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

from session_app.domain.clock import Clock, SystemClock, to_iso
from session_app.store.db import (
    StoreError,
    StoreWriteError,
    connect,
    reason_in_words,
    write_transaction,
)

# Every record table a room sends, parents first (the server has no foreign keys, but a
# reader sees a check after its session more often this way).
SENT_TABLES: tuple[str, ...] = (
    "sessions",
    "settings_versions",
    "vitals_checks",
    "events",
    "alerts",
    "alert_acks",
    "alert_resolutions",
    "session_ends",
    # what the monitor and the oximeter sent, and which values each check came from
    "device_messages",
    "device_observations",
    "check_observations",
    "device_proposal_outcomes",
)

Row = dict[str, Any]


def _table(table: str) -> str:
    """A table name goes into SQL text, so only the known ones are accepted."""
    if table not in SENT_TABLES:
        raise ValueError(f"{table!r} is not a record table the room sends")
    return table


class Outbox:
    """The sender's own connection to the room's store."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock | None = None) -> None:
        self._conn = conn
        self._clock = clock or SystemClock()

    @classmethod
    def open(cls, path: Path, clock: Clock | None = None) -> Outbox:
        """Open the store file (StoreError, in words, if it cannot be)."""
        return cls(connect(Path(path)), clock)

    def close(self) -> None:
        self._conn.close()

    def rows_after(self, table: str, after_id: int, limit: int) -> list[Row]:
        """Up to `limit` rows of `table` with id > `after_id`, in id order, each as stored
        (column name → TEXT/INTEGER/REAL value; the *_json columns as their text)."""
        names, rows = self._read(
            f"SELECT * FROM {_table(table)} WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
        )
        return [dict(zip(names, row, strict=True)) for row in rows]

    def marks(self) -> dict[str, int]:
        """The highest id the server holds, per sent table (0 for one never sent)."""
        stored = dict(self._read("SELECT table_name, sent_id FROM clinic_marks")[1])
        return {table: int(stored.get(table, 0)) for table in SENT_TABLES}

    def set_mark(self, table: str, sent_id: int) -> None:
        """Move a mark forward (never back: an older answer arriving late changes nothing)."""
        self._write(
            "INSERT INTO clinic_marks (table_name, sent_id) VALUES (?, ?)"
            " ON CONFLICT (table_name) DO UPDATE SET sent_id = max(sent_id, excluded.sent_id)",
            (_table(table), sent_id),
        )

    def waiting(self) -> int:
        """How many records the server does not hold yet (rows above the marks)."""
        marks = self.marks()
        counts = (self._read(f"SELECT count(*) FROM {t} WHERE id > ?", (marks[t],))[1][0][0]
                  for t in SENT_TABLES)  # fmt: skip
        return sum(int(count) for count in counts)

    def install_id(self) -> str:
        """This file's install id (a random UUID), made the first time it is asked for."""
        query = "SELECT install_id FROM clinic_install"
        rows = self._read(query)[1]
        if not rows:
            self._write(
                "INSERT OR IGNORE INTO clinic_install (id, install_id, created_at)"
                " VALUES (1, ?, ?)",
                (str(uuid.uuid4()), to_iso(self._clock.now())),
            )
            rows = self._read(query)[1]
        return str(rows[0][0])

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        """One short write. Its failure is the sender's, not a nurse's save: said so."""
        try:
            with write_transaction(self._conn) as conn:
                conn.execute(sql, params)
        except StoreWriteError as exc:
            reason = reason_in_words(exc.__cause__ or exc)
            raise StoreError(
                f"The clinic sender cannot note its progress in the data file ({reason}); "
                "it will send those records again."
            ) from exc

    def _read(
        self, sql: str, params: tuple[Any, ...] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """One read, whole: (column names, rows); a failure is a StoreError in words."""
        try:
            cursor = self._conn.execute(sql, params)
            return [column[0] for column in cursor.description], cursor.fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"The data file cannot be read: {reason_in_words(exc)}.") from exc
