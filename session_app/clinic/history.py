"""A patient's sessions from the other rooms of the clinic, read from the clinic server.

Qt-free: the staff "Sessions" list calls `ClinicHistory.sessions_of` off the UI thread and
shows what comes back read-only, marked with its room. The read goes through the server
function `clinic_sessions_of_patient` (schema.V_HISTORY): exact match on one patient ID,
never a wildcard search, never the room's own sessions (its SQLite file is the record of
those). A short connect and statement timeout bound the wait; any failure becomes one
`ClinicUnavailable` line for the list, never a traceback.

Until the sender's join settings land, the room's connection comes from
`history_of_joined_room(settings)`, which the staff panel asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from session_app.clinic.link import ClinicLink
from session_app.domain.clock import from_iso

TIMEOUT_S = 3  # libpq's connect_timeout counts whole seconds (2 at least)
NOT_REACHABLE = "Clinic sessions not available: server not reachable"
MAX_QUERY_LENGTH = 16  # a patient ID is at most 16 characters (domain/session.py)

_QUERY = (
    "SELECT room, local_id, patient_id, protocol_name, staff_initials, started_at, ended_at"
    " FROM clinic_sessions_of_patient(%s)"
    " WHERE room IS DISTINCT FROM clinic_room_of(current_user)"
)


class ClinicUnavailable(Exception):
    """The clinic's sessions could not be read; the text is the one line the list shows."""


@dataclass(frozen=True)
class ClinicSession:
    """One session of another room as the server holds it: what the list shows, no more."""

    room: str
    local_id: int
    patient_id: str
    protocol_name: str
    staff_initials: str
    started_at: datetime
    ended_at: datetime | None


class HistorySource(Protocol):
    """What the "Sessions" list asks (ClinicHistory; in widget tests too, over a real
    server): other rooms' sessions of one patient ID, or ClinicUnavailable."""

    def sessions_of(self, patient_id: str) -> list[ClinicSession]: ...


def patient_id_query(text: str) -> str | None:
    """What to ask the server for a search text: one word, upper-cased as IDs are stored;
    None for anything else (several words, a long text), which is only searched locally."""
    words = text.split()
    if len(words) != 1 or len(words[0]) > MAX_QUERY_LENGTH:
        return None
    return words[0].upper()


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


@dataclass(frozen=True)
class ClinicHistory:
    """The room's read connection to the clinic server: its conninfo and its passfile
    (the password never appears in the conninfo or on a command line)."""

    conninfo: str
    passfile: Path | None  # None: libpq's default (~/.pgpass), as the sender uses
    timeout_s: int = TIMEOUT_S

    def sessions_of(self, patient_id: str) -> list[ClinicSession]:
        """Other rooms' sessions of exactly this patient ID, newest first.

        Blocking (up to about `timeout_s` per host): call it off the UI thread. psycopg is
        imported here, not at the top, so the staff panel's start-up does not pay for it."""
        import psycopg

        try:
            conn = psycopg.connect(
                self.conninfo,
                **({"passfile": str(self.passfile)} if self.passfile else {}),
                connect_timeout=self.timeout_s,
                options=f"-c statement_timeout={self.timeout_s * 1000}",
            )
        except psycopg.OperationalError as exc:
            if "authentication failed" in str(exc):
                raise ClinicUnavailable(
                    "Clinic sessions not available: the server refused this room's password"
                ) from None
            raise ClinicUnavailable(NOT_REACHABLE) from None
        except psycopg.Error as exc:  # a malformed conninfo: say so, without echoing it
            raise ClinicUnavailable(f"Clinic sessions not available: {_first_line(exc)}") from None
        try:
            with conn:
                rows = conn.execute(_QUERY, (patient_id,)).fetchall()
        except psycopg.OperationalError:
            raise ClinicUnavailable(NOT_REACHABLE) from None
        except psycopg.Error as exc:  # no rights, an older server schema
            raise ClinicUnavailable(f"Clinic sessions not available: {_first_line(exc)}") from None
        try:
            return [self._session(row) for row in rows]
        except (TypeError, ValueError):
            raise ClinicUnavailable(
                "Clinic sessions not available: the server sent a session it cannot read"
            ) from None

    @staticmethod
    def _session(row: tuple[object, ...]) -> ClinicSession:
        room, local_id, pid, protocol, staff, started, ended = row
        return ClinicSession(
            room=str(room),
            local_id=int(str(local_id)),
            patient_id=str(pid),
            protocol_name=str(protocol),
            staff_initials=str(staff),
            started_at=from_iso(str(started)),
            ended_at=from_iso(str(ended)) if ended else None,
        )


def clinic_history(conninfo: str, passfile: Path | str | None) -> ClinicHistory:
    """The history read of a joined room, from its join settings (conninfo, passfile)."""
    return ClinicHistory(conninfo, Path(passfile) if passfile else None)


def history_of_joined_room(settings: Mapping[str, object]) -> ClinicHistory | None:
    """The history read for the room's join settings (`clinic join`); None on its own."""
    link = ClinicLink.from_settings(settings)
    return None if link is None else clinic_history(link.server, link.passfile)
