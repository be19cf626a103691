"""CSV export parses back to exactly the stored checks; events in a second file."""

from __future__ import annotations

import csv
import json
from dataclasses import fields
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.summary import SessionRecord
from session_app.domain.vitals import VitalSigns
from session_app.export import ExportError
from session_app.export.csv import ENCODING, read_checks_csv, write_csv
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session
from tests.seeding import record


def test_checks_csv_round_trips_every_stored_row(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    stored = store.checks(sid)
    checks_path, events_path, *_ = write_csv(SessionRecord.load(store, sid), tmp_path / "visit.csv")
    assert events_path == tmp_path / "visit-events.csv"
    rows = read_checks_csv(checks_path)
    assert len(rows) == len(stored) == 7
    for row, check in zip(rows, stored, strict=True):
        assert row["check_id"] == check.id
        assert row["taken_at"] == check.taken_at  # equal instants, whatever the offset
        assert row["taken_at"].utcoffset() is not None  # ISO 8601 with offset
        assert row["entered_at"] == check.entered_at
        assert row["is_baseline"] == check.is_baseline
        assert row["late"] == check.late
        assert row["corrects_id"] == check.corrects_id
        assert row["correction_reason"] == check.correction_reason
        parsed = VitalSigns(**{f.name: row[f.name] for f in fields(VitalSigns)})
        assert parsed == check.signs
    assert [r["superseded"] for r in rows].count(True) == 1


def test_events_csv_has_every_event_with_its_details(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    _, events_path, *_ = write_csv(SessionRecord.load(store, sid), tmp_path / "visit.csv")
    with events_path.open(encoding=ENCODING, newline="") as handle:
        rows = list(csv.DictReader(handle))
    stored = store.events(sid)
    assert [int(r["event_id"]) for r in rows] == [e.id for e in stored]
    dose = next(r for r in rows if r["kind"] == "dose")
    assert json.loads(dose["details_json"])["lot_number"] == "LOT-2217A"
    assert dose["description"].startswith("Dose given: Esketamine 84 mg")


def test_a_note_that_looks_like_a_formula_is_kept_as_text(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock, end=False)
    record(MonitoringService(store, clock), sid, heart_rate=70, note="=HYPERLINK(1)")
    path, *_ = write_csv(SessionRecord.load(store, sid), tmp_path / "v.csv")
    assert "'=HYPERLINK(1)" in path.read_text(encoding=ENCODING)
    assert read_checks_csv(path)[-1]["note"] == "=HYPERLINK(1)"


def test_unwritable_path_is_a_clear_error_and_leaves_nothing(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock)
    record = SessionRecord.load(store, sid)
    with pytest.raises(ExportError, match="does not exist"):
        write_csv(record, tmp_path / "missing" / "v.csv")
    folder = tmp_path / "visit.csv"
    folder.mkdir()  # a folder where the file should go
    with pytest.raises(ExportError, match="it is a folder"):
        write_csv(record, folder)
    assert not (tmp_path / "visit-events.csv").exists()  # both files or neither


NOTES = (
    "'=already quoted",
    "=HYPERLINK(1)",
    "'plain quote",
    "''",
    "'",
    "-5 mmHg",
    "+1",
    "@SUM",  # no "\tindented": a typed note is stripped, and a tab inside it is refused
    "plain",
    "",
)


def undo_escape(cell: str) -> str:
    """The documented escape, undone: one leading ' is removed (see export.csv)."""
    return cell[1:] if cell.startswith("'") else cell


def test_every_note_reads_back_exactly(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock, end=False)
    service = MonitoringService(store, clock)
    for note in NOTES:
        record(service, sid, heart_rate=70, note=note)
    path, *_ = write_csv(SessionRecord.load(store, sid), tmp_path / "v.csv")
    with path.open(encoding=ENCODING, newline="") as handle:
        cells = [row["note"] for row in csv.DictReader(handle)][-len(NOTES) :]
    assert [undo_escape(c) for c in cells] == list(NOTES)
    assert [r["note"] for r in read_checks_csv(path)][-len(NOTES) :] == list(NOTES)
    for cell in cells:  # a spreadsheet shows each as text, never runs it as a formula
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
