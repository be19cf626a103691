"""`session-app export ID --format pdf|csv|fhir -o PATH`: exports for clinic IT, no display.

Kept here so app.py only registers the sub-command. Errors (unknown id, a path that
cannot be written, a file that already exists) become one line on stderr and exit 2;
nothing half-written is left behind and nothing existing is replaced (see export).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMATS = ("pdf", "csv", "fhir")
EXIT_EXPORT_ERROR = 2


def add_export_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register the sub-command on the app's sub-parsers."""
    export = commands.add_parser(
        "export",
        parents=[common],
        help="export one session's summary as PDF, CSV or FHIR R4 JSON",
        description=(
            "Export one session. csv writes three files: PATH (one row per vitals check), "
            "PATH-events.csv (the timeline) and PATH-alerts.csv (alerts, acknowledgements), "
            "and a fourth, PATH-monitor.csv (15-min intervals), when a monitor fed it."
        ),
    )
    export.add_argument("session_id", type=int, metavar="ID", help="session id (see `sessions`)")
    export.add_argument("--format", required=True, choices=FORMATS, help="pdf, csv or fhir")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="PATH")
    export.add_argument(
        "--page-size",
        default="a4",
        type=str.lower,
        choices=("a4", "letter"),
        help="PDF paper size (default: a4)",
    )


def _fail(message: str) -> int:
    print(f"session-app: {message}", file=sys.stderr)
    return EXIT_EXPORT_ERROR


SQLITE_MAX_ID = 2**63 - 1  # a larger id cannot be in the store (and SQLite cannot take it)


def run_export(args: argparse.Namespace, open_store: Callable[[Path | None], Any]) -> int:
    """Export one session; returns the exit code.

    Only new files are written, and never the store's own files (export.check_target).
    """
    if args.format == "pdf" and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from session_app.domain.clock import SystemClock
    from session_app.domain.summary import SessionRecord, build_summary
    from session_app.export import ExportError, store_files

    unknown = f"no session with id {args.session_id} (list them with `session-app sessions`)."
    if not 0 < args.session_id <= SQLITE_MAX_ID:
        return _fail(unknown)
    store = open_store(args.data_dir)
    try:
        try:
            record = SessionRecord.load(store, args.session_id)
        except KeyError:
            return _fail(unknown)
        now = SystemClock().now()
        keep = store_files(store.path)
        try:
            if args.format == "csv":
                from session_app.export.csv import write_csv

                written: tuple[Path, ...] = write_csv(record, args.output, protected=keep)
            elif args.format == "fhir":
                from session_app.export.fhir import write_fhir

                written = (write_fhir(record, args.output, now, protected=keep),)
            else:
                from session_app.export.pdf import render_pdf

                summary = build_summary(record, now)
                written = (
                    render_pdf(summary, args.output, page_size=args.page_size, protected=keep),
                )
        except ExportError as exc:
            return _fail(str(exc))
    finally:
        store.close()
    for path in written:
        print(path)
    return 0
