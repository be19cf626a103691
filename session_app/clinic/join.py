"""`session-app clinic join`: a room PC joins its clinic's server, then sends its history.

Everything is checked before anything is saved: the arguments (no password in the
connection string; a 0600 passfile, which libpq would otherwise ignore silently), that the
room is not already joined elsewhere, the server's schema, that the passfile's role is this
room, and that no other install holds the room (the server's `clinic_claim_room`). Only
then is the link saved in the room's settings (a new settings version, through the
monitoring service), and every local record the server lacks is sent.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from session_app.clinic.link import ClinicLink
from session_app.clinic.sender import _send_problem, connect_room, send_pending
from session_app.clinic.server import ClinicError, _one_line, validate_room_name
from session_app.domain.errors import ValidationError
from session_app.monitoring import MonitoringService
from session_app.store.outbox import Outbox

_EXAMPLE = "e.g. 'host=clinic-db dbname=clinic user=clinic_room_2'"
SAVED_BY = "clinic join (command line)"  # announced with the settings version


@dataclass(frozen=True)
class Joined:
    """What `clinic join` did: the room's name on the server, the records sent now, those
    still waiting (the app sends them), and why sending stopped ('' if it did not)."""

    room: str
    sent: int
    waiting: int
    problem: str = ""


def check_server(server: str) -> dict[str, Any]:
    """The connection string's parts; refused when malformed or holding a password.
    libpq's own message is not shown: it may quote a piece of the string."""
    try:
        parts = conninfo_to_dict(server)
    except psycopg.ProgrammingError:
        raise ClinicError(f"--server is not a valid connection string ({_EXAMPLE})") from None
    if parts.get("password"):
        raise ClinicError(
            "--server holds a password: leave it out, the room's passfile (0600) holds it"
        )
    return parts


def check_passfile(path: Path | None) -> Path | None:
    """The passfile as an absolute path, readable by this user only."""
    if path is None:
        return None
    path = path.expanduser().resolve()
    try:
        mode = path.stat().st_mode
    except OSError:
        raise ClinicError(
            f"no passfile at {path}: copy the file `clinic add-room` wrote to this PC"
        ) from None
    if not stat.S_ISREG(mode) or not os.access(path, os.R_OK):
        raise ClinicError(f"{path} is not a file this user can read")
    if mode & 0o077:
        raise ClinicError(
            f"{path} can be read by other users, so libpq would ignore it: make it 0600 "
            f"(chmod 600 '{path}')"
        )
    return path


def _same_server(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(key, "") == b.get(key, "") for key in ("host", "hostaddr", "port", "dbname"))


def _refuse_another_link(saved: ClinicLink | None, room: str, parts: Mapping[str, Any]) -> None:
    """A room joins one clinic, under one name; joining it again the same way is fine."""
    if saved is None:
        return
    try:
        saved_parts = conninfo_to_dict(saved.server)
    except psycopg.ProgrammingError:
        saved_parts = {}
    if _same_server(saved_parts, parts) and saved.room.casefold() == room.casefold():
        return
    where = ", ".join(f"{k} {saved_parts[k]}" for k in ("host", "dbname") if saved_parts.get(k))
    raise ClinicError(
        f"this room is already joined to a clinic as {saved.room!r} ({where or 'another'} "
        "server); nothing was changed"
    )


def join_room(
    service: MonitoringService, room: str, server: str, passfile: Path | None = None
) -> Joined:
    """Join the room to the clinic server and send its history (see module docstring)."""
    room = validate_room_name(room)
    parts = check_server(server)
    path = check_passfile(passfile)
    stored = service.load_settings()
    _refuse_another_link(ClinicLink.from_settings(stored), room, parts)
    link = ClinicLink(room, server.strip(), str(path) if path else "")
    outbox = Outbox.open(service.store.path)
    try:
        return _claim_and_send(service, stored, link, outbox)
    finally:
        outbox.close()


def _claim_and_send(
    service: MonitoringService, stored: Mapping[str, Any], link: ClinicLink, outbox: Outbox
) -> Joined:
    """Claim the room, save the link, send what the server lacks."""
    try:
        conn, server_room = connect_room(link, outbox.install_id())
    except psycopg.Error as exc:  # the server failed midway (its words name no record)
        raise ClinicError(f"the clinic server failed: {_one_line(exc)}") from None
    with conn:
        _save_link(service, stored, ClinicLink(server_room, link.server, link.passfile))
        before, problem = outbox.waiting(), ""
        try:
            send_pending(conn, outbox, server_room)
        except psycopg.Error as exc:  # joined all the same: the app sends the rest
            problem = _send_problem(exc)
    waiting = outbox.waiting()
    return Joined(server_room, max(before - waiting, 0), waiting, problem)


def _save_link(service: MonitoringService, stored: Mapping[str, Any], link: ClinicLink) -> None:
    """A new settings version: what was stored, plus the link."""
    values = {
        **stored,
        "clinic.room": link.room,
        "clinic.server": link.server,
        "clinic.passfile": link.passfile,
    }
    try:
        service.save_settings(values, by=SAVED_BY)
    except ValidationError as exc:
        first = exc.errors[0].message if exc.errors else "a setting was refused"
        raise ClinicError(f"the room's settings cannot be saved: {first}") from None
