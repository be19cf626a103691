"""Schema migrations, applied in order; PRAGMA user_version is the number applied.

Record tables are append-only: triggers refuse UPDATE and DELETE, so a correction
is always a new row that points at the one it corrects (`corrects_id`).
"""

from __future__ import annotations

APPEND_ONLY_TABLES = (
    "sessions",
    "session_ends",
    "vitals_checks",
    "events",
    "alerts",
    "alert_acks",
    "settings_versions",
    "staff_pins",
)


def _append_only(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a correction instead'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: records are never deleted'); END;
"""


V1 = """
CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    patient_id      TEXT NOT NULL,
    protocol_name   TEXT NOT NULL,
    protocol_json   TEXT NOT NULL DEFAULT '{}',
    staff_initials  TEXT NOT NULL,
    weight_kg       REAL,
    started_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX sessions_patient ON sessions(patient_id);

CREATE TABLE session_ends (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL UNIQUE REFERENCES sessions(id),
    ended_at        TEXT NOT NULL,
    ended_by        TEXT NOT NULL,
    discharge_json  TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL
);

CREATE TABLE vitals_checks (
    id                INTEGER PRIMARY KEY,
    session_id        INTEGER NOT NULL REFERENCES sessions(id),
    taken_at          TEXT NOT NULL,
    entered_at        TEXT NOT NULL,
    is_baseline       INTEGER NOT NULL DEFAULT 0,
    systolic          INTEGER,
    diastolic         INTEGER,
    heart_rate        INTEGER,
    spo2              INTEGER,
    on_oxygen         INTEGER,
    resp_rate         INTEGER,
    temperature_c     REAL,
    moaas             INTEGER,
    dissociation      INTEGER,
    cadss             INTEGER,
    anxiety           INTEGER,
    nausea            INTEGER,
    pain              INTEGER,
    note              TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL,
    due_at            TEXT,
    late              INTEGER NOT NULL DEFAULT 0,
    corrects_id       INTEGER REFERENCES vitals_checks(id),
    correction_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX vitals_session ON vitals_checks(session_id, taken_at);

CREATE TABLE events (
    id                INTEGER PRIMARY KEY,
    session_id        INTEGER NOT NULL REFERENCES sessions(id),
    kind              TEXT NOT NULL,
    occurred_at       TEXT NOT NULL,
    entered_at        TEXT NOT NULL,
    details_json      TEXT NOT NULL DEFAULT '{}',
    recorded_by       TEXT NOT NULL,
    corrects_id       INTEGER REFERENCES events(id),
    correction_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_session ON events(session_id, occurred_at);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    check_id    INTEGER REFERENCES vitals_checks(id),
    severity    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    measure     TEXT NOT NULL,
    value       REAL,
    message     TEXT NOT NULL,
    raised_at   TEXT NOT NULL
);
CREATE INDEX alerts_session ON alerts(session_id);

CREATE TABLE alert_acks (
    id        INTEGER PRIMARY KEY,
    alert_id  INTEGER NOT NULL UNIQUE REFERENCES alerts(id),
    acked_by  TEXT NOT NULL,
    acked_at  TEXT NOT NULL
);

CREATE TABLE settings_versions (
    id             INTEGER PRIMARY KEY,
    settings_json  TEXT NOT NULL,
    saved_at       TEXT NOT NULL
);

CREATE TABLE staff_pins (
    id        INTEGER PRIMARY KEY,
    scheme    TEXT NOT NULL,
    salt      BLOB NOT NULL,
    pin_hash  BLOB NOT NULL,
    set_at    TEXT NOT NULL
);
""" + "".join(_append_only(t) for t in APPEND_ONLY_TABLES)

MIGRATIONS: tuple[str, ...] = (V1,)
SCHEMA_VERSION = len(MIGRATIONS)
