"""`session-app station --server CONNINFO`: the charge nurse's board (composition root).

The station reads the clinic server with its read-only role and writes no clinical data.
The one thing it keeps is its own PIN (hash and wrong tries), in a small store of its own
under --data-dir (`station.sqlite3`, never a room's file), written through the
MonitoringService's PIN methods, the one write path the staff panel's lock uses too.
Bad options are one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

EXIT_BAD_INPUT = 2
STATION_STORE = "station.sqlite3"
_SERVER_HELP = (
    "libpq connection string of the clinic database for a login in the station role, "
    "e.g. 'host=db dbname=clinic user=nurse_station'"
)


def add_station_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `station` on the app's sub-parsers."""
    station = commands.add_parser(
        "station", help="the charge nurse's board of every room (reads the clinic server)"
    )
    station.add_argument("--server", required=True, metavar="CONNINFO", help=_SERVER_HELP)
    station.add_argument(
        "--passfile", type=Path, metavar="PATH", help="libpq passfile holding the password"
    )
    station.add_argument(
        "--data-dir", type=Path, default=None,
        help="folder for the station's own PIN store (default: the user's data dir)",
    )  # fmt: skip
    station.add_argument(
        "--stale-after", type=float, default=5.0, metavar="MIN",
        help="a room not heard from for this many minutes is shown as stale (default 5)",
    )  # fmt: skip


def station_conninfo(server: str, passfile: Path | None) -> str:
    """The connection string with the passfile; ValueError in one line when unusable."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        conninfo_to_dict(server)
    except ProgrammingError:
        raise ValueError("--server is not a valid connection string") from None
    if passfile is None:
        return server
    if not os.access(passfile, os.R_OK) or not passfile.is_file():
        raise ValueError(f"--passfile {passfile} is not a readable file")
    return make_conninfo(server, passfile=str(passfile))


def run_station(args: argparse.Namespace, argv: Sequence[str]) -> int:
    try:
        conninfo = station_conninfo(args.server, args.passfile)
        if not 0 < args.stale_after <= 24 * 60:
            raise ValueError("--stale-after must be between 0 and 1440 minutes")
    except ValueError as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from session_app.config import DataDirError, default_data_dir, ensure_data_dir
    from session_app.store import SessionStore, StoreError

    try:
        folder = ensure_data_dir(args.data_dir or default_data_dir())
        store = SessionStore.open(folder / STATION_STORE)
    except (DataDirError, StoreError, OSError) as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from PySide6.QtWidgets import QApplication

    from session_app.clinic.board import Board
    from session_app.clinic.station_feed import StationFeed
    from session_app.domain.clock import SystemClock
    from session_app.monitoring import MonitoringService
    from session_app.ui.station.window import FeedBridge, StationWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("session_app station")
    clock = SystemClock()
    pins = MonitoringService(store, clock)  # the station's PIN only
    bridge = FeedBridge()
    board = Board(stale_after=timedelta(minutes=args.stale_after))
    window = StationWindow(board, bridge, pins, pins.set_pin, clock)
    feed = StationFeed(conninfo, bridge.on_update, bridge.on_status, clock=clock)
    screen = app.primaryScreen().availableGeometry()
    window.resize(min(1366, screen.width()), min(768, screen.height()))
    window.show()
    feed.start()
    code = app.exec()
    window.stop()
    feed.stop()
    store.close()
    return code
