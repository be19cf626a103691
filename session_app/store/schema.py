"""Schema migrations, applied in order; PRAGMA user_version is the number applied.

Record tables are append-only: triggers refuse UPDATE and DELETE, so a correction
is always a new row that points at the one it corrects (`corrects_id`). The one
exception is the PIN hash in force (`staff_pin_current`): an old hash is replaced, not
kept, while `staff_pin_changes` keeps when and by whom the PIN changed.

A migration, once released, is never edited: a file made by V1 must migrate the same
way for ever (hence the V1 table list below stays as it was).
"""

from __future__ import annotations

_V1_APPEND_ONLY = (
    "sessions",
    "session_ends",
    "vitals_checks",
    "events",
    "alerts",
    "alert_acks",
    "settings_versions",
    "staff_pins",
)
_V2_APPEND_ONLY = ("staff_pin_changes", "pin_attempts")
_V3_APPEND_ONLY = ("alert_resolutions",)
_DEVICE_APPEND_ONLY = (
    "device_messages",
    "device_observations",
    "check_observations",
    "device_proposal_outcomes",
)
_CLINIC_APPEND_ONLY = ("clinic_install",)
APPEND_ONLY_TABLES = (
    *(t for t in _V1_APPEND_ONLY if t != "staff_pins"),
    *_V2_APPEND_ONLY,
    *_V3_APPEND_ONLY,
    *_DEVICE_APPEND_ONLY,
    *_CLINIC_APPEND_ONLY,
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
""" + "".join(_append_only(t) for t in _V1_APPEND_ONLY)

# V2 (issue 13): old PIN hashes leave the file; wrong PINs are kept across restarts.
# secure_delete makes SQLite zero what it frees (the dropped table's pages, a replaced
# hash), so no old digest stays readable in free space; it holds for this connection.
V2 = """
PRAGMA secure_delete = ON;

CREATE TABLE staff_pin_current (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    scheme    TEXT NOT NULL,
    salt      BLOB NOT NULL,
    pin_hash  BLOB NOT NULL,
    set_at    TEXT NOT NULL
);

CREATE TABLE staff_pin_changes (
    id          INTEGER PRIMARY KEY,
    changed_at  TEXT NOT NULL,
    changed_by  TEXT NOT NULL
);

CREATE TABLE pin_attempts (
    id       INTEGER PRIMARY KEY,
    outcome  TEXT NOT NULL CHECK (outcome IN ('failure', 'success', 'reset')),
    at       TEXT NOT NULL
);
CREATE INDEX pin_attempts_outcome ON pin_attempts(outcome, id);

INSERT INTO staff_pin_current (id, scheme, salt, pin_hash, set_at)
    SELECT 1, scheme, salt, pin_hash, set_at FROM staff_pins ORDER BY id DESC LIMIT 1;
INSERT INTO staff_pin_changes (changed_at, changed_by)
    SELECT set_at, 'not recorded (before schema 2)' FROM staff_pins ORDER BY id;

DROP TRIGGER staff_pins_no_update;
DROP TRIGGER staff_pins_no_delete;
DROP TABLE staff_pins;
""" + "".join(_append_only(t) for t in _V2_APPEND_ONLY)

# V3 (issue 14): an alert raised on a value that a correction took back is resolved by
# that correction. One row per alert at most, written with the correction; the alert row
# and its acknowledgement (if any) stay as they were.
V3 = """
CREATE TABLE alert_resolutions (
    id             INTEGER PRIMARY KEY,
    alert_id       INTEGER NOT NULL UNIQUE REFERENCES alerts(id),
    correction_id  INTEGER NOT NULL REFERENCES vitals_checks(id),
    resolved_by    TEXT NOT NULL,
    resolved_at    TEXT NOT NULL
);
""" + "".join(_append_only(t) for t in _V3_APPEND_ONLY)

# V4 (issue 15): what was done about an alert ("repeated SpO2 after deep breaths"), kept
# with its acknowledgement. Optional: '' when nothing was said, as for every acknowledgement
# made before schema 4. The append-only triggers of alert_acks still hold.
V4 = """
ALTER TABLE alert_acks ADD COLUMN response TEXT NOT NULL DEFAULT '';
"""

# Issue 17: every value a monitor or an oximeter sent for the open session, as it came
# (converted to the measure's unit), and what became of an NIBP set proposed as a check.
# - device_messages: one row per HL7 message taken in; a repeat (same sender, MSH-10 and
#   MSH-7) finds its row and stores nothing more. Rows exist only for accepted messages.
# - device_observations: one row per value; message_id is NULL for the serial oximeter;
#   obr_group is the OBR it came under (an NIBP set is one OBR's systolic and diastolic).
#   implausible: outside the plausibility limits (never proposed, never alerted);
#   clock_skew: its time was far from the room's clock (flagged, never shifted).
# - check_observations: the observations a check was recorded from ("from monitor").
# - device_proposal_outcomes: a proposed check recorded (its check) or dismissed, once;
#   the proposal is named by its systolic observation.
V_DEVICE_OBSERVATIONS = """
CREATE TABLE device_messages (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER REFERENCES sessions(id),
    sender       TEXT NOT NULL,
    control_id   TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    peer         TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL CHECK (outcome IN ('AA', 'AE', 'AR')),
    UNIQUE (sender, control_id, sent_at)
);

CREATE TABLE device_observations (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    message_id   INTEGER REFERENCES device_messages(id),
    obr_group    INTEGER,
    measure      TEXT NOT NULL,
    value        REAL NOT NULL,
    unit         TEXT NOT NULL,
    code         TEXT NOT NULL,
    device       TEXT NOT NULL,
    source       TEXT NOT NULL,
    observed_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    implausible  INTEGER NOT NULL DEFAULT 0 CHECK (implausible IN (0, 1)),
    clock_skew   INTEGER NOT NULL DEFAULT 0 CHECK (clock_skew IN (0, 1))
);
CREATE INDEX device_observations_session ON device_observations(session_id, measure, observed_at);
CREATE INDEX device_observations_message ON device_observations(message_id);

CREATE TABLE check_observations (
    id              INTEGER PRIMARY KEY,
    check_id        INTEGER NOT NULL REFERENCES vitals_checks(id),
    observation_id  INTEGER NOT NULL REFERENCES device_observations(id),
    UNIQUE (check_id, observation_id)
);
CREATE INDEX check_observations_check ON check_observations(check_id);

CREATE TABLE device_proposal_outcomes (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    proposal_id  INTEGER NOT NULL UNIQUE REFERENCES device_observations(id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('recorded', 'dismissed')),
    check_id     INTEGER REFERENCES vitals_checks(id),
    decided_by   TEXT NOT NULL,
    decided_at   TEXT NOT NULL,
    CHECK ((outcome = 'recorded') = (check_id IS NOT NULL))
);
CREATE INDEX device_proposal_outcomes_session ON device_proposal_outcomes(session_id);
""" + "".join(_append_only(t) for t in _DEVICE_APPEND_ONLY)

# Clinic mode (issue 16): what the room's sender keeps beside the records.
# - clinic_marks: per record table, the highest local id the clinic server has committed.
#   The second mutable table of the file, for the same kind of reason as staff_pin_current:
#   it is not a record but a bookmark. It only moves forward (the sender writes max(old,
#   new)), and a mark that is lost or behind costs a harmless resend (the server inserts
#   ON CONFLICT DO NOTHING), never a lost or doubled record.
# - clinic_install: this file's install id, made once on the first `clinic join`, so the
#   server can refuse a second PC claiming the same room. Append-only: never changed.
V_CLINIC_MARKS = """
CREATE TABLE clinic_marks (
    table_name  TEXT PRIMARY KEY,
    sent_id     INTEGER NOT NULL CHECK (sent_id >= 0)
);

CREATE TABLE clinic_install (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    install_id  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
""" + "".join(_append_only(t) for t in _CLINIC_APPEND_ONLY)

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V_DEVICE_OBSERVATIONS, V_CLINIC_MARKS)
SCHEMA_VERSION = len(MIGRATIONS)
