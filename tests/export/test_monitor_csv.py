"""Monitor data in the CSV export (issue 17): the checks file says which checks came from
the monitor (device, observation ids), and PATH-monitor.csv holds the trace's 15-min
intervals, written like PATH-alerts.csv: all files or none, never over a file the app did
not create. A session without a monitor writes no monitor file."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from session_app.domain.clock import ManualClock
from session_app.domain.summary import SessionRecord
from session_app.export import ExportError
from session_app.export.csv import ENCODING, csv_paths, read_checks_csv, write_csv
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.summary.view import SummaryView
from tests.export.monitor_seed import (
    GE_DEVICE,
    seed_monitor_artefact,
    seed_monitor_session,
    send_nibp,
)
from tests.export.service_seed import seed_session


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding=ENCODING, newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_checks_file_says_which_checks_came_from_the_monitor(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    record = SessionRecord.load(store, seeded.session_id)
    write_csv(record, tmp_path / "visit.csv")
    by_id = {r["check_id"]: r for r in read_checks_csv(tmp_path / "visit.csv")}
    monitor, typed = by_id[seeded.monitor_check_id], by_id[seeded.typed_check_id]
    assert (monitor["source"], monitor["device"]) == ("monitor", GE_DEVICE)
    linked = store.checks_from_monitor(seeded.session_id)[seeded.monitor_check_id]
    assert monitor["observation_ids"] == " ".join(str(i) for i in linked)
    assert monitor["recorded_by"] == "CD"
    assert (typed["source"], typed["device"], typed["observation_ids"]) == ("typed", "", "")


def test_the_monitor_file_lists_the_intervals_beside_the_others(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=20)
    record = SessionRecord.load(store, seeded.session_id)
    written = write_csv(record, tmp_path / "visit.csv")
    monitor_path = tmp_path / "visit-monitor.csv"
    assert written == (*csv_paths(tmp_path / "visit.csv"), monitor_path)
    assert csv_paths(tmp_path / "visit.csv", record)[-1] == monitor_path
    got = rows(monitor_path)
    assert [r["measure"] for r in got] == ["heart_rate", "spo2", "heart_rate", "spo2"]
    first = got[1]
    start = datetime.fromisoformat(first["interval_start"])
    assert start == seeded.started_at and start.utcoffset() is not None  # local, with offset
    assert datetime.fromisoformat(first["interval_end"]) == start + timedelta(minutes=15)
    assert (first["unit"], first["lowest"], first["highest"]) == ("%", "96", "99")
    assert (first["values"], first["implausible"]) == ("900", "2")
    assert {r["session_id"] for r in got} == {str(seeded.session_id)}
    assert {r["patient_id"] for r in got} == {"JD"}


def test_a_session_without_a_monitor_writes_no_monitor_file(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_session(store, clock)
    record = SessionRecord.load(store, seeded.session_id)
    written = write_csv(record, tmp_path / "visit.csv")
    assert len(written) == 3 and not (tmp_path / "visit-monitor.csv").exists()
    assert {"source", "device"} <= set(read_checks_csv(written[0])[0])


def test_an_existing_monitor_file_is_never_replaced_and_nothing_is_written(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    record = SessionRecord.load(store, seeded.session_id)
    theirs = tmp_path / "visit-monitor.csv"
    theirs.write_bytes(b"someone else's")
    with pytest.raises(ExportError, match=r"visit-monitor\.csv"):
        write_csv(record, tmp_path / "visit.csv")
    assert theirs.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "visit-monitor.csv"]


def test_the_summary_window_asks_before_replacing_the_monitor_file(
    qtbot: QtBot, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=16)
    view = SummaryView(store, seeded.session_id, clock)
    qtbot.addWidget(view)
    theirs = tmp_path / "visit-monitor.csv"
    theirs.write_bytes(b"old")
    view.ask_path = lambda title, suggested, filters: str(tmp_path / "visit.csv")
    view.csv_button.click()
    [box] = [b for b in view.findChildren(QMessageBox, "ConfirmReplaceExport") if b.isVisible()]
    assert str(theirs) in box.text() and theirs.read_bytes() == b"old"
    box.button(QMessageBox.StandardButton.Yes).click()
    assert rows(theirs)[0]["measure"] == "heart_rate"
    assert "visit-monitor.csv" in view.status.text()


def test_the_monitor_file_has_a_row_for_each_nibp_set_aside(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    """After the interval rows (kind "interval", their columns as before), one row per NIBP
    the monitor sent that was set aside: its device time, values, device and why."""
    seeded, [at] = seed_monitor_artefact(store, clock)
    record = SessionRecord.load(store, seeded.session_id)
    write_csv(record, tmp_path / "visit.csv")
    got = rows(tmp_path / "visit-monitor.csv")
    intervals = [r for r in got if r["kind"] == "interval"]
    assert [r["measure"] for r in intervals] == ["heart_rate", "spo2", "heart_rate", "spo2"]
    assert all(r["observed_at"] == r["systolic"] == r["reason"] == "" for r in intervals)
    [aside] = [r for r in got if r["kind"] != "interval"]
    assert got[-1] == aside and aside["kind"] == "nibp_set_aside"
    assert datetime.fromisoformat(aside["observed_at"]) == at
    assert datetime.fromisoformat(aside["observed_at"]).utcoffset() is not None
    assert (aside["systolic"], aside["diastolic"], aside["unit"]) == ("312", "15", "mmHg")
    assert (aside["device"], aside["reason"]) == (GE_DEVICE, "outside the plausibility limits")
    assert aside["implausible"] == "2"  # both values flagged
    assert (aside["interval_start"], aside["measure"], aside["values"]) == ("", "", "")
    by_id = {o.id: o for o in store.device_observations(seeded.session_id)}
    ids = [int(i) for i in aside["observation_ids"].split()]
    assert [by_id[i].measure for i in ids] == ["systolic", "diastolic"]
    assert (aside["session_id"], aside["patient_id"]) == (str(seeded.session_id), "JD")


def test_a_device_name_like_a_formula_is_written_as_text(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded, _ = seed_monitor_artefact(store, clock, sets=((90, 95),), device="=1+1^B40")
    record = SessionRecord.load(store, seeded.session_id)
    write_csv(record, tmp_path / "visit.csv")
    [aside] = [r for r in rows(tmp_path / "visit-monitor.csv") if r["kind"] == "nibp_set_aside"]
    assert (aside["device"], aside["reason"]) == ("'=1+1^B40", "diastolic not below systolic")
    assert aside["implausible"] == "0"


def test_a_check_from_a_device_named_like_a_formula_keeps_its_name_as_text(
    store: SessionStore, clock: ManualClock, service: MonitoringService, tmp_path: Path
) -> None:
    """The checks file's `device` is outside text too: escaped, and read back as sent."""
    seeded = seed_monitor_session(store, clock, trace_minutes=16, end=False)
    send_nibp(store, clock, 120, 80, number=100, device="=1+1^B40")
    [proposal] = [p for p in service.proposed_checks(seeded.session_id) if p.device != GE_DEVICE]
    check_id = service.record_proposed(proposal.id, {"moaas": "5"}, "cd").check.id
    store.end_session(seeded.session_id, "AB")
    write_csv(SessionRecord.load(store, seeded.session_id), tmp_path / "visit.csv")
    [raw] = [r for r in rows(tmp_path / "visit.csv") if r["check_id"] == str(check_id)]
    assert raw["device"] == "'=1+1^B40"
    [back] = [r for r in read_checks_csv(tmp_path / "visit.csv") if r["check_id"] == check_id]
    assert back["device"] == "=1+1^B40"
