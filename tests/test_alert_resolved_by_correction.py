"""An alert raised on a typo: SpO2 79 typed for 97 raises "SpO2 low"; the correction to 97
resolves it (who, when, which correction), so it leaves the open list, and the summary,
the PDF and the CSV say it was "raised on a value later corrected". Real service, store,
files and panel.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.corrections import RESOLVED_BY_CORRECTION
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.domain.summary import SessionRecord, load_summary
from session_app.export.csv import read_checks_csv, write_csv
from session_app.export.document import summary_html
from session_app.export.pdf import render_pdf
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.schema import SCHEMA_VERSION

VITALS = {
    "systolic": "128",
    "diastolic": "78",
    "heart_rate": "72",
    "spo2": "97",
    "resp_rate": "14",
    "moaas": "5",
    "recorded_by": "ab",
}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


@pytest.fixture
def session_id(service: MonitoringService, clock: ManualClock) -> int:
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB", 72.0)).id
    clock.advance(minutes=5)
    service.record_check(sid, VITALS)  # baseline
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    return sid


def typo_then_fix(service: MonitoringService, clock: ManualClock, sid: int, fixed: str):
    """SpO2 79 typed, then corrected to `fixed` two minutes later by CD."""
    typo = service.record_check(sid, {**VITALS, "spo2": "79"})
    assert [a.rule for a in typo.alerts] == ["spo2_low"]
    clock.advance(minutes=2)
    correction = service.correct_check(
        typo.check.id, {**VITALS, "spo2": fixed}, reason="typed 79 for 97", recorded_by="cd"
    )
    return typo, correction


def test_a_correction_below_the_threshold_resolves_the_alert(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    typo, fixed = typo_then_fix(service, clock, session_id, "97")
    assert fixed.alerts == []
    assert service.open_alerts(session_id) == []
    [resolution] = store.alert_resolutions(session_id)
    assert resolution.alert_id == typo.alerts[0].id
    assert resolution.correction_id == fixed.check.id
    assert resolution.resolved_by == "CD"
    assert resolution.resolved_at == fixed.check.entered_at == clock.now()
    [alert] = store.alerts(session_id)  # the alert itself stays in the record
    assert alert.message == typo.alerts[0].message and not alert.acknowledged


def test_a_correction_that_still_crosses_keeps_its_alert(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    typo, fixed = typo_then_fix(service, clock, session_id, "85")
    assert [a.rule for a in fixed.alerts] == ["spo2_low"]
    assert [a.id for a in service.open_alerts(session_id)] == [
        typo.alerts[0].id,
        fixed.alerts[0].id,
    ]
    assert store.alert_resolutions(session_id) == []
    # a second correction, to the true value, resolves both versions' alerts
    clock.advance(minutes=1)
    final = service.correct_check(
        fixed.check.id, {**VITALS, "spo2": "97"}, reason="probe slipped", recorded_by="cd"
    )
    assert service.open_alerts(session_id) == []
    assert {(r.alert_id, r.correction_id) for r in store.alert_resolutions(session_id)} == {
        (typo.alerts[0].id, final.check.id),
        (fixed.alerts[0].id, final.check.id),
    }


def test_an_acknowledged_alert_resolved_later_keeps_both_facts(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    typo = service.record_check(session_id, {**VITALS, "spo2": "79"})
    service.acknowledge(typo.alerts[0].id, "ab")
    clock.advance(minutes=3)
    fixed = service.correct_check(
        typo.check.id, {**VITALS, "spo2": "97"}, reason="typo", recorded_by="cd"
    )
    [alert] = store.alerts(session_id)
    assert alert.acked_by == "AB"
    [resolution] = store.alert_resolutions(session_id)
    assert resolution.correction_id == fixed.check.id
    html = summary_html(load_summary(store, session_id, clock.now()), with_charts=False)
    assert "AB at" in html and RESOLVED_BY_CORRECTION in html


def test_the_resolution_survives_a_restart_and_cannot_be_undone(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    typo, fixed = typo_then_fix(service, clock, session_id, "97")
    path = store.path
    store.close()
    reopened = SessionStore.open(path.parent, clock=clock)
    try:
        again = MonitoringService(reopened, clock)
        assert again.open_alerts(session_id) == []
        [resolution] = reopened.alert_resolutions(session_id)
        assert (resolution.alert_id, resolution.correction_id) == (
            typo.alerts[0].id,
            fixed.check.id,
        )
    finally:
        reopened.close()
    with sqlite3.connect(path) as raw, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM alert_resolutions")


def test_the_summary_and_csv_say_the_alert_was_raised_on_a_corrected_value(
    service: MonitoringService,
    store: SessionStore,
    clock: ManualClock,
    session_id: int,
    tmp_path: Path,
) -> None:
    typo, fixed = typo_then_fix(service, clock, session_id, "97")
    summary = load_summary(store, session_id, clock.now())
    [line] = [cl for cl in summary.checks if cl.check.id == fixed.check.id]
    assert line.alert_count == 0  # no longer "1 alert" on the row
    assert line.corrected_alert_count == 1
    html = summary_html(summary, with_charts=False)
    assert "1 alert raised on a value later corrected" in html
    assert f"{RESOLVED_BY_CORRECTION} (record {fixed.check.id}, by CD at" in html
    checks_path, *_ = write_csv(SessionRecord.load(store, session_id), tmp_path / "visit.csv")
    rows = {r["check_id"]: r for r in read_checks_csv(checks_path)}
    assert rows[typo.check.id]["alerts"] == (
        f"{typo.alerts[0].message} ({RESOLVED_BY_CORRECTION}: record {fixed.check.id})"
    )
    assert rows[fixed.check.id]["alerts"] == ""


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_says_the_alert_was_raised_on_a_corrected_value(
    qapp,
    service: MonitoringService,
    store: SessionStore,
    clock: ManualClock,
    session_id: int,
    tmp_path: Path,
) -> None:
    _, fixed = typo_then_fix(service, clock, session_id, "97")
    path = render_pdf(load_summary(store, session_id, clock.now()), tmp_path / "summary.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert RESOLVED_BY_CORRECTION in flat
    assert f"record {fixed.check.id}" in flat
    assert "not acknowledged" not in flat


def test_a_schema_2_file_gains_the_resolutions_and_keeps_its_open_alert(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    """A file an earlier release wrote (schema 2) migrates: its alert stays open until a
    correction resolves it."""
    typo = service.record_check(session_id, {**VITALS, "spo2": "79"})
    path = store.path
    store.close()
    with sqlite3.connect(path) as raw:  # back to what schema 2 left
        raw.execute("DROP TABLE alert_resolutions")
        raw.execute("ALTER TABLE alert_acks DROP COLUMN response")  # schema 4's
        for table in ("check_observations", "device_proposal_outcomes"):  # the monitor's
            raw.execute(f"DROP TABLE {table}")
        raw.execute("DROP TABLE device_observations")
        raw.execute("DROP TABLE device_messages")
        raw.executescript("DROP TABLE clinic_marks; DROP TABLE clinic_install")  # issue 16's
        raw.execute("PRAGMA user_version = 2")
    reopened = SessionStore.open(path.parent, clock=clock)
    try:
        assert reopened.alert_resolutions(session_id) == []
        again = MonitoringService(reopened, clock)
        assert [a.id for a in again.open_alerts(session_id)] == [typo.alerts[0].id]
        again.correct_check(typo.check.id, VITALS, reason="typo", recorded_by="cd")
        assert again.open_alerts(session_id) == []
    finally:
        reopened.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
