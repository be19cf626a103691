"""`session-app clinic init|add-room`: clinic IT sets the server up with the app's commands.

Kept here so app.py only registers the group. Every refusal or failure is one line on
stderr and exit 2; the connection string is never echoed (it may hold a password).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    room = actions.add_parser("add-room", help="create a room's role and write its passfile (0600)")
    room.add_argument("name", metavar="NAME", help='the room\'s name, e.g. "Room 2"')
    room.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    room.add_argument(
        "--passfile",
        type=Path,
        metavar="PATH",
        help="new file for the room's password (default: ROLE.pgpass here); never replaced",
    )


def run_clinic(args: argparse.Namespace) -> int:
    """Run one clinic action; returns the exit code."""
    from session_app.clinic.server import ClinicError, add_room, init_clinic

    try:
        if args.clinic_command == "init":
            role = init_clinic(args.server)
            print(f"Clinic schema created; read-only station role: {role}.")
        else:
            role, path = add_room(args.server, args.name, args.passfile)
            print(
                f"Room {args.name.strip()!r} added as role {role}; its password is in {path} "
                "(0600). Copy that file to the room's PC only."
            )
    except ClinicError as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return EXIT_CLINIC_ERROR
    return 0
