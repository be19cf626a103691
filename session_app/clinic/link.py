"""Where a room sends its records: the clinic settings `clinic join` saved.

A module of its own, importing no psycopg at load: the app asks "has this room joined?"
at every start, and a room on its own must not pay for the driver's import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from session_app.domain.settings import resolve_settings

APPLICATION_NAME = "session_app room sender"  # in the server's pg_stat_activity


@dataclass(frozen=True)
class ClinicLink:
    """The room's name in the clinic, the server's connection string (never a password)
    and the room's passfile ('' for libpq's default)."""

    room: str
    server: str
    passfile: str = ""

    @classmethod
    def from_settings(cls, stored: Mapping[str, object]) -> ClinicLink | None:
        """The link in the room's settings, or None where the room has not joined."""
        values = resolve_settings(stored)
        room, server = values["clinic.room"], values["clinic.server"]
        return cls(room, server, values["clinic.passfile"]) if room and server else None

    def conninfo(self) -> str:
        """The connection string to use: the server's, with the passfile (make_conninfo
        quotes it, so a path with spaces is one value). psycopg.ProgrammingError if the
        saved string is malformed."""
        from psycopg.conninfo import make_conninfo

        extra = {"passfile": self.passfile} if self.passfile else {}
        return make_conninfo(self.server, application_name=APPLICATION_NAME, **extra)
