"""The clinic server's schema: an ordered list of migrations, as on the room.

`clinic_schema_version` holds one row per migration applied, so the highest version is the
schema in force. Why not Alembic: the room already keeps its SQLite schema as a short,
ordered tuple of SQL strings (session_app/store/schema.py) that a reviewer reads top to
bottom; the server is the same records mirrored, a few tables with triggers and policies
that are plain PostgreSQL SQL (Alembic would pass them through `op.execute` anyway). One
habit for both stores, no extra dependency, no autogenerate that cannot see triggers.

The record tables mirror the room's append-only records, keyed by (room, local_id): the
room's own row id, so a resend after a crash is a harmless duplicate (a later sender
inserts ON CONFLICT DO NOTHING). `details` columns carry the rest of a room row as JSON, so
a room schema change does not need a server migration for every column. No foreign keys
between record tables: a sender pushes each table behind its own high-water mark, so an
alert may arrive before the check it points at.

Rules the server enforces itself (not trusting a room's code):
- append-only: triggers refuse UPDATE, DELETE and TRUNCATE for every role, the owner too;
- row-level security: a row goes in only if its `room` is the inserting role's room
  (`clinic_room_of(current_user)`); who may read or insert at all is set by GRANTs in roles.py;
- NOTIFY on every insert (channel `clinic_change`): room, table and local id, never PHI.

A migration, once released, is never edited.
"""

from __future__ import annotations

NOTIFY_CHANNEL = "clinic_change"

# The tables the station's board reads (station_feed); each insert NOTIFYs.
BOARD_TABLES: tuple[str, ...] = (
    "sessions",
    "vitals_checks",
    "events",
    "alerts",
    "alert_acks",
    "alert_resolutions",
    "session_ends",
    "settings_versions",  # V2
)
# V5 (issue 17's device data): what the monitor and the oximeter sent, and which values a
# check was recorded from. Mirrored like the rest, without NOTIFY: a 1 Hz feed would wake
# every station each second for rows its board does not show.
DEVICE_TABLES: tuple[str, ...] = (
    "device_messages",
    "device_observations",
    "check_observations",
    "device_proposal_outcomes",
)
# Every mirrored table: append-only, room-only inserts, read by the station role.
RECORD_TABLES: tuple[str, ...] = BOARD_TABLES + DEVICE_TABLES


def _record_table(table: str, columns: str, *, notify: bool = True) -> str:
    """A mirrored room table: the key, its columns, append-only, room-only inserts, and
    (`notify`) a NOTIFY per insert."""
    notify_trigger = f"""CREATE TRIGGER {table}_notify AFTER INSERT ON {table}
    FOR EACH ROW EXECUTE FUNCTION clinic_notify_insert();
""" if notify else ""
    return f"""
CREATE TABLE {table} (
    room         TEXT NOT NULL REFERENCES rooms(name),
    local_id     BIGINT NOT NULL CHECK (local_id > 0),
{columns}
    details      JSONB NOT NULL DEFAULT '{{}}'::jsonb,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (room, local_id)
);
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION clinic_refuse_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION clinic_refuse_change();
{notify_trigger}ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY {table}_insert_own_room ON {table} FOR INSERT
    WITH CHECK (room = clinic_room_of(current_user));
CREATE POLICY {table}_read ON {table} FOR SELECT USING (true);
"""


V1 = (
    f"""
CREATE TABLE rooms (
    name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 60),
    role_name   NAME NOT NULL UNIQUE,
    added_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX rooms_name_folded ON rooms (lower(name));

CREATE FUNCTION clinic_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: records are never changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- The room of a role: SECURITY DEFINER, so a room role needs no SELECT on rooms. The role
-- is an argument because inside the function current_user is its owner, not the caller.
CREATE FUNCTION clinic_room_of(role_name name) RETURNS text LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT name FROM public.rooms WHERE rooms.role_name = clinic_room_of.role_name
$$;

-- Identifiers only: a listener fetches the row with its own rights.
CREATE FUNCTION clinic_notify_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{NOTIFY_CHANNEL}', json_build_object(
        'room', NEW.room, 'table', TG_TABLE_NAME, 'local_id', NEW.local_id)::text);
    RETURN NULL;
END $$;
"""
    + _record_table(
        "sessions",
        "    patient_id TEXT NOT NULL,\n    protocol_name TEXT NOT NULL,\n"
        "    started_at TEXT NOT NULL,",
    )
    + _record_table(
        "vitals_checks",
        "    session_local_id BIGINT NOT NULL,\n    taken_at TEXT NOT NULL,\n"
        "    corrects_local_id BIGINT,",
    )
    + _record_table(
        "events",
        "    session_local_id BIGINT NOT NULL,\n    kind TEXT NOT NULL,\n"
        "    occurred_at TEXT NOT NULL,\n    corrects_local_id BIGINT,",
    )
    + _record_table(
        "alerts",
        "    session_local_id BIGINT NOT NULL,\n    check_local_id BIGINT,\n"
        "    severity TEXT NOT NULL,\n    rule TEXT NOT NULL,\n    raised_at TEXT NOT NULL,",
    )
    + _record_table(
        "alert_acks",
        "    alert_local_id BIGINT NOT NULL,\n    acked_by TEXT NOT NULL,\n"
        "    acked_at TEXT NOT NULL,",
    )
    + _record_table(
        "alert_resolutions",
        "    alert_local_id BIGINT NOT NULL,\n    correction_local_id BIGINT NOT NULL,\n"
        "    resolved_at TEXT NOT NULL,",
    )
    + _record_table(
        "session_ends",
        "    session_local_id BIGINT NOT NULL,\n    ended_at TEXT NOT NULL,\n"
        "    ended_by TEXT NOT NULL,",
    )
)

# The columns each record table types beside `details`, in the room's names: a server
# column `X_local_id` holds the room's `X_id` (the local id it points at); every other one
# has the room column's name. The sender builds its INSERTs from this one list.
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "sessions": ("patient_id", "protocol_name", "started_at"),
    "vitals_checks": ("session_local_id", "taken_at", "corrects_local_id"),
    "events": ("session_local_id", "kind", "occurred_at", "corrects_local_id"),
    "alerts": ("session_local_id", "check_local_id", "severity", "rule", "raised_at"),
    "alert_acks": ("alert_local_id", "acked_by", "acked_at"),
    "alert_resolutions": ("alert_local_id", "correction_local_id", "resolved_at"),
    "session_ends": ("session_local_id", "ended_at", "ended_by"),
    "settings_versions": ("saved_at",),
    # V5: the room's own `received_at` stays in `details` (the server stamps its own).
    "device_messages": ("session_local_id", "control_id", "sent_at", "outcome"),
    "device_observations": (
        "session_local_id", "message_local_id", "measure", "value", "unit", "code", "device",
        "observed_at", "implausible",
    ),
    "check_observations": ("check_local_id", "observation_local_id"),
    "device_proposal_outcomes": (
        "session_local_id", "proposal_local_id", "outcome", "check_local_id", "decided_by",
        "decided_at",
    ),
}

# SQLSTATE of a room claimed by another installation (a code of our own: class "SA").
CLAIMED_ELSEWHERE = "SA001"

# V2 (issue 16, the sender): settings versions are records too; a room claims its name for
# one installation (one data file); any role may read which schema is in force, so a
# room refuses a newer server before it sends anything.
# `clinic_claim_room` runs as its owner (a room role may not update `rooms`) and acts on
# the room of `session_user`, the role that logged in (inside a SECURITY DEFINER function
# current_user is the owner). Callable by anyone: a role that is no room is refused.
V2 = (
    _record_table("settings_versions", "    saved_at TEXT NOT NULL,")
    + f"""
ALTER TABLE rooms ADD COLUMN install_id UUID, ADD COLUMN claimed_at TIMESTAMPTZ;

CREATE FUNCTION clinic_claim_room(install uuid) RETURNS text LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    claimed public.rooms%ROWTYPE;
BEGIN
    SELECT * INTO claimed FROM public.rooms WHERE role_name = session_user FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role % is not a room of this clinic', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF claimed.install_id IS NULL THEN
        UPDATE public.rooms SET install_id = install, claimed_at = now()
            WHERE name = claimed.name;
    ELSIF claimed.install_id <> install THEN
        RAISE EXCEPTION 'room "%" is already joined from another installation', claimed.name
            USING ERRCODE = '{CLAIMED_ELSEWHERE}';
    END IF;
    RETURN claimed.name;
END $$;

GRANT SELECT ON clinic_schema_version TO PUBLIC;
"""
)


# The history read (issue 16): a room role may ask the server for the sessions of one
# patient ID, from every room, and nothing broader. Why a SECURITY DEFINER function and
# not a SELECT grant on `sessions`: a room's password sits in a passfile on a PC in a
# treatment room; a table-wide SELECT (or any RLS policy, which cannot see what the caller
# asked for) would let whoever holds that file list every patient and every room's
# records. The function answers only for an ID the caller already knows, by exact match
# (`=`, so `%` and `_` are characters, not wildcards), and only the columns the
# "Sessions" list shows. EXECUTE is revoked from PUBLIC and granted to each room role
# (here for rooms added before this migration, in `add_room` for later ones).
V_HISTORY = """
CREATE FUNCTION clinic_sessions_of_patient(wanted text)
RETURNS TABLE (room text, local_id bigint, patient_id text, protocol_name text,
               staff_initials text, started_at text, ended_at text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT s.room, s.local_id, s.patient_id, s.protocol_name,
           coalesce(s.details->>'staff_initials', ''), s.started_at, e.ended_at
    FROM public.sessions s
    LEFT JOIN public.session_ends e
        ON e.room = s.room AND e.session_local_id = s.local_id
    WHERE s.patient_id = wanted
    ORDER BY s.started_at DESC, s.room, s.local_id
$$;
REVOKE ALL ON FUNCTION clinic_sessions_of_patient(text) FROM PUBLIC;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT role_name FROM rooms LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION clinic_sessions_of_patient(text) TO %I',
                       r.role_name);
    END LOOP;
END $$;
"""


def _grant_to_rooms(function: str) -> str:
    """EXECUTE on `function` for the rooms added before the migration that makes it."""
    return f"""
REVOKE ALL ON FUNCTION {function} FROM PUBLIC;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT role_name FROM rooms LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION {function} TO %I', r.role_name);
    END LOOP;
END $$;
"""


def _received_at(table: str) -> str:
    """The trigger that stamps a record's `received_at` with the server's time (V4, V5)."""
    return (f"CREATE TRIGGER {table}_received_at BEFORE INSERT ON {table}\n"
            "    FOR EACH ROW EXECUTE FUNCTION clinic_stamp_received();\n")  # fmt: skip


# V4 (issue 16): the heartbeat, the server's receive time, a room's display name.
# - `clinic_heartbeat()`: a room's sender calls it while connected (about every minute and
#   after each batch), so a room with nothing to send (IV checks are 15 min apart) is not
#   shown stale. It sets `last_seen_at` of `session_user`'s room (SECURITY DEFINER: a room
#   role may not update `rooms`) and NOTIFYs the room's name only, no PHI.
# - `received_at` is stamped by the server on every insert, whatever a room sent: a room
#   role could otherwise write a future time and look "heard from" for ever.
# - `display_name` is what staff call the room now (`clinic rename-room`). Records stay
#   keyed by `name`, which never changes: they are append-only, and the RLS policy and the
#   room's own `clinic.room` setting go through the role, not the name. A new room's
#   display name is its name (a trigger: a column default cannot name another column).
# - The history read marks each session with its room's display name and leaves out the
#   caller's own room (compared by role, so a renamed room still finds itself).
V4 = (
    """
ALTER TABLE rooms ADD COLUMN display_name TEXT, ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE rooms SET display_name = name;
ALTER TABLE rooms ALTER COLUMN display_name SET NOT NULL,
    ADD CONSTRAINT rooms_display_name_length CHECK (length(display_name) BETWEEN 1 AND 60);
CREATE UNIQUE INDEX rooms_display_name_folded ON rooms (lower(display_name));

CREATE FUNCTION clinic_default_display_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.display_name := coalesce(NEW.display_name, NEW.name);
    RETURN NEW;
END $$;
CREATE TRIGGER rooms_display_name BEFORE INSERT ON rooms
    FOR EACH ROW EXECUTE FUNCTION clinic_default_display_name();

CREATE FUNCTION clinic_stamp_received() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.received_at := now();
    RETURN NEW;
END $$;
"""
    # the tables of V1-V2 (a released migration never changes)
    + "".join(_received_at(table) for table in BOARD_TABLES)
    + f"""
CREATE FUNCTION clinic_heartbeat() RETURNS text LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    beating text;
BEGIN
    UPDATE public.rooms SET last_seen_at = now() WHERE role_name = session_user
        RETURNING name INTO beating;
    IF beating IS NULL THEN
        RAISE EXCEPTION 'role % is not a room of this clinic', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_notify('{NOTIFY_CHANNEL}', json_build_object('room', beating)::text);
    RETURN beating;
END $$;
"""
    + _grant_to_rooms("clinic_heartbeat()")
    + """
CREATE OR REPLACE FUNCTION clinic_sessions_of_patient(wanted text)
RETURNS TABLE (room text, local_id bigint, patient_id text, protocol_name text,
               staff_initials text, started_at text, ended_at text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT r.display_name, s.local_id, s.patient_id, s.protocol_name,
           coalesce(s.details->>'staff_initials', ''), s.started_at, e.ended_at
    FROM public.sessions s
    JOIN public.rooms r ON r.name = s.room
    LEFT JOIN public.session_ends e
        ON e.room = s.room AND e.session_local_id = s.local_id
    WHERE s.patient_id = wanted AND r.role_name IS DISTINCT FROM session_user
    ORDER BY s.started_at DESC, r.display_name, s.local_id
$$;
"""
)

# V5 (issue 17): the device tables, so the clinic's copy of a room holds what its monitor
# and oximeter sent and which values each check was recorded from, as the room does. No
# NOTIFY (DEVICE_TABLES); the same append-only triggers, row-level security and server
# receive time as every record table. The rights on them (INSERT for each room, SELECT
# for the station) are granted by `clinic upgrade` (server.py), as by `init`/`add-room`.
V5 = "".join(
    _record_table(table, columns, notify=False) + _received_at(table)
    for table, columns in (
        ("device_messages",
         "    session_local_id BIGINT,\n    control_id TEXT NOT NULL,\n"
         "    sent_at TEXT NOT NULL,\n    outcome TEXT NOT NULL,"),
        ("device_observations",
         "    session_local_id BIGINT NOT NULL,\n    message_local_id BIGINT,\n"
         "    measure TEXT NOT NULL,\n    value DOUBLE PRECISION NOT NULL,\n"
         "    unit TEXT NOT NULL,\n    code TEXT NOT NULL,\n    device TEXT NOT NULL,\n"
         "    observed_at TEXT NOT NULL,\n"
         "    implausible INTEGER NOT NULL CHECK (implausible IN (0, 1)),"),
        ("check_observations",
         "    check_local_id BIGINT NOT NULL,\n    observation_local_id BIGINT NOT NULL,"),
        ("device_proposal_outcomes",
         "    session_local_id BIGINT NOT NULL,\n    proposal_local_id BIGINT NOT NULL,\n"
         "    outcome TEXT NOT NULL,\n    check_local_id BIGINT,\n"
         "    decided_by TEXT NOT NULL,\n    decided_at TEXT NOT NULL,"),
    )
)

# What a room role may call besides its INSERTs (granted by `add_room`).
ROOM_FUNCTIONS: tuple[str, ...] = ("clinic_sessions_of_patient(text)", "clinic_heartbeat()")

MIGRATIONS: tuple[str, ...] = (V1, V2, V_HISTORY, V4, V5)
SCHEMA_VERSION = len(MIGRATIONS)

VERSION_TABLE = """
CREATE TABLE clinic_schema_version (
    version     INTEGER PRIMARY KEY CHECK (version > 0),
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""
