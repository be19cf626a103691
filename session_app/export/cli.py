"""`session-app export ID --format pdf|csv|fhir -o PATH`: exports for clinic IT, no display.

Kept here so app.py only registers the sub-command. Errors (unknown id, a path that
cannot be written) become one line on stderr and a non-zero exit; nothing half-written
is left behind (exports are written to a temp file and renamed).
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
            "Export one session. csv writes two files: PATH (one row per vitals check) and "
            "PATH-events.csv (the timeline)."
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


def run_export(args: argparse.Namespace, open_store: Callable[[Path | None], Any]) -> int:
    """Export one session; returns the exit code."""
    if args.format == "pdf" and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from session_app.domain.clock import SystemClock
    from session_app.domain.summary import SessionRecord, build_summary
    from session_app.export import ExportError

    store = open_store(args.data_dir)
    try:
        try:
            record = SessionRecord.load(store, args.session_id)
        except KeyError:
            return _fail(
                f"no session with id {args.session_id} (list them with `session-app sessions`)."
            )
        now = SystemClock().now()
        try:
            if args.format == "csv":
                from session_app.export.csv import write_csv

                written = write_csv(record, args.output)
            elif args.format == "fhir":
                from session_app.export.fhir import write_fhir

                written = (write_fhir(record, args.output, now),)
            else:
                from session_app.export.pdf import render_pdf

                summary = build_summary(record, now)
                written = (render_pdf(summary, args.output, page_size=args.page_size),)
        except ExportError as exc:
            return _fail(str(exc))
    finally:
        store.close()
    for path in written:
        print(path)
    return 0
