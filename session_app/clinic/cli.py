"""`session-app clinic init|add-room|rename-room|add-station|join`: clinic IT sets the
server up with the app's commands, and each room PC joins it.

Kept here so app.py only registers the group. Every refusal or failure is one line on
stderr and exit 2; the connection string is never echoed (it may hold a password).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from session_app.store import SessionStore

StoreOpener = Callable[[Path | None], "SessionStore"]

EXIT_CLINIC_ERROR = 2
_SERVER_HELP = "libpq connection string of the clinic database, e.g. 'host=db dbname=clinic'"


def add_clinic_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `clinic` and its sub-commands on the app's sub-parsers."""
    clinic = commands.add_parser("clinic", help="set up the clinic server (PostgreSQL)")
    actions = clinic.add_subparsers(dest="clinic_command", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="create the clinic schema and the read-only station role (once, as owner)"
    )
    init.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    upgrade = actions.add_parser(
        "upgrade", help="bring the clinic schema up to this app's (after an update, as owner)"
    )
    upgrade.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    room = actions.add_parser("add-room", help="create a room's role and write its passfile (0600)")
    room.add_argument("name", metavar="NAME", help='the room\'s name, e.g. "Room 2"')
    room.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    room.add_argument(
        "--passfile",
        type=Path,
        metavar="PATH",
        help="new file for the room's password (default: ROLE.pgpass here); never replaced",
    )
    rename = actions.add_parser(
        "rename-room", help="call a room by a new name (its records keep their key)"
    )
    rename.add_argument("old", metavar="OLD", help="the room's current name")
    rename.add_argument("new", metavar="NEW", help="its new name")
    rename.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    station = actions.add_parser(
        "add-station", help="create a login for a station (read-only) and its passfile (0600)"
    )
    station.add_argument("name", metavar="NAME", help="e.g. desk_1 (lower-case, digits, _)")
    station.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    station.add_argument(
        "--passfile", type=Path, metavar="PATH",
        help="new file for the station's password (default: ROLE.pgpass here); never replaced",
    )  # fmt: skip
    join = actions.add_parser(
        "join", help="on a room's PC: join this room to the clinic server and send its records"
    )
    join.add_argument("--room", required=True, metavar="NAME", help="the name add-room was given")
    join.add_argument(
        "--server", required=True, metavar="CONNINFO",
        help="the server and the room's role, e.g. 'host=db dbname=clinic user=clinic_room_2' "
        "(no password: it is in the passfile)",
    )  # fmt: skip
    join.add_argument(
        "--passfile", type=Path, metavar="PATH",
        help="the room's passfile from add-room (0600; default: libpq's, ~/.pgpass)",
    )  # fmt: skip
    join.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS,
        help="folder holding the room's SQLite store (default: the user's data dir)",
    )  # fmt: skip


def run_clinic(args: argparse.Namespace, open_store: StoreOpener | None = None) -> int:
    """Run one clinic action; returns the exit code. `open_store` opens the room's store
    from --data-dir (the app's own opener), for `join`."""
    from session_app.clinic.server import (
        ClinicError,
        add_room,
        add_station,
        init_clinic,
        rename_room,
        upgrade_clinic,
    )
    from session_app.config import DataDirError
    from session_app.store import StoreError

    try:
        if args.clinic_command == "join":
            assert open_store is not None
            return _join(args, open_store)
        if args.clinic_command == "init":
            role = init_clinic(args.server)
            print(f"Clinic schema created; read-only station role: {role}.")
        elif args.clinic_command == "upgrade":
            before, after = upgrade_clinic(args.server)
            print(f"Clinic schema upgraded from {before} to {after}; every room and the station "
                  "keep their rights." if before != after else
                  f"The clinic schema is already {after}; nothing was changed.")  # fmt: skip
        elif args.clinic_command == "rename-room":
            rename_room(args.server, args.old, args.new)
            print(f"Room {args.old.strip()!r} is now called {args.new.strip()!r}; its records "
                  "are kept as they were.")  # fmt: skip
        elif args.clinic_command == "add-station":
            role, path = add_station(args.server, args.name, args.passfile)
            print(f"Station login {role} added; its password is in {path} (0600). Copy that "
                  "file to the station's PC only.")  # fmt: skip
        else:
            role, path = add_room(args.server, args.name, args.passfile)
            print(
                f"Room {args.name.strip()!r} added as role {role}; its password is in {path} "
                "(0600). Copy that file to the room's PC only."
            )
    except (ClinicError, StoreError, DataDirError) as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return EXIT_CLINIC_ERROR
    return 0


def _join(args: argparse.Namespace, open_store: StoreOpener) -> int:
    from session_app.clinic.join import join_room
    from session_app.domain.clock import SystemClock
    from session_app.monitoring import MonitoringService

    store = open_store(getattr(args, "data_dir", None))
    try:
        joined = join_room(MonitoringService(store, SystemClock()), args.room, args.server,
                           args.passfile)  # fmt: skip
    finally:
        store.close()
    print(f"Room {joined.room!r} joined the clinic server: {joined.sent} records sent, "
          f"{joined.waiting} waiting.")  # fmt: skip
    if joined.problem:
        print(f"Sending stopped ({joined.problem}); the app sends the rest when it runs.")
    print("From now on session_app sends every record as it is saved (restart it if it is "
          "running on this PC now).")  # fmt: skip
    return 0
