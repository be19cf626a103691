"""Corrections, not edits: MonitoringService.correct_check / correct_event on the real store.

A correction is a new row pointing at the one it corrects, with who, when and why; the
original row stays byte for byte. The summary domain names what each correction changed.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.corrections import versions
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.domain.summary import load_summary
from session_app.domain.vitals import VitalsCheck, VitalSigns
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError
from tests.seeding import record

VITALS = {
    "systolic": "128",
    "diastolic": "78",
    "heart_rate": "72",
    "spo2": "98",
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


def raw_row(store: SessionStore, table: str, row_id: int) -> tuple:
    """The row as SQLite holds it, read through a second connection."""
    with sqlite3.connect(store.path) as conn:
        return conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()


def counts(store: SessionStore) -> tuple[int, int, int]:
    with sqlite3.connect(store.path) as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("vitals_checks", "events", "alerts")
        )  # type: ignore[return-value]


def test_a_correction_is_a_new_row_and_the_original_is_unchanged(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    saved = service.record_check(session_id, {**VITALS, "heart_rate": "170"})
    original = saved.check
    before, before_bytes = store.check(original.id), raw_row(store, "vitals_checks", original.id)
    clock.advance(minutes=3)

    fixed = service.correct_check(
        original.id,
        {**VITALS, "heart_rate": "71"},
        reason="  typed  170 for 71 ",
        recorded_by="cd",
    ).check

    assert fixed.id != original.id and fixed.corrects_id == original.id
    assert fixed.correction_reason == "typed 170 for 71"
    assert fixed.signs.heart_rate == 71 and fixed.signs.recorded_by == "CD"
    assert fixed.entered_at == clock.now()
    # the original's time and scheduling facts travel with the correction
    assert (fixed.taken_at, fixed.is_baseline, fixed.due_at, fixed.late) == (
        original.taken_at,
        original.is_baseline,
        original.due_at,
        original.late,
    )
    assert store.check(original.id) == before
    assert raw_row(store, "vitals_checks", original.id) == before_bytes
    assert [c.id for c in service.history(original.id)] == [original.id, fixed.id]
    assert [c.id for c in service.history(fixed.id)] == [original.id, fixed.id]


def test_a_late_post_dose_check_stays_late_when_corrected(
    service: MonitoringService, clock: ManualClock, session_id: int
) -> None:
    clock.advance(minutes=30)  # the 40-minute BP check is now well overdue
    late = service.record_check(session_id, VITALS).check
    assert late.late and late.due_at is not None
    fixed = service.correct_check(late.id, {**VITALS, "spo2": "97"}, reason="x", recorded_by="AB")
    assert fixed.check.late and fixed.check.due_at == late.due_at


def test_a_refused_correction_stores_nothing_and_names_every_problem(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    check = service.record_check(session_id, VITALS).check
    stored = counts(store)
    with pytest.raises(ValidationError) as refused:
        service.correct_check(check.id, {**VITALS, "spo2": "180"}, reason="  ", recorded_by="1")
    fields = {e.field for e in refused.value.errors}
    assert fields == {"spo2", "reason", "recorded_by"}
    assert "Reason: required" in str(refused.value)
    assert "SpO2: '180' is outside the plausible range" in str(refused.value)
    assert counts(store) == stored


def test_a_reason_is_required_even_when_the_values_are_good(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    check = service.record_check(session_id, VITALS).check
    with pytest.raises(ValidationError, match="Reason: required: say why"):
        service.correct_check(check.id, {**VITALS, "spo2": "97"}, reason="", recorded_by="AB")
    with pytest.raises(ValidationError, match="Reason: is 501 characters long"):
        service.correct_check(
            check.id, {**VITALS, "spo2": "97"}, reason="x" * 501, recorded_by="AB"
        )
    assert len(store.checks(session_id)) == 2


def test_a_correction_that_changes_nothing_is_refused(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    check = service.record_check(session_id, VITALS).check
    with pytest.raises(ValidationError, match="Nothing changed"):
        service.correct_check(
            check.id, {**VITALS, "recorded_by": "cd"}, reason="r", recorded_by="cd"
        )
    assert len(store.checks(session_id)) == 2


def test_only_the_version_in_force_can_be_corrected(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    check = service.record_check(session_id, VITALS).check
    clock.advance(minutes=2)
    newer = service.correct_check(
        check.id, {**VITALS, "spo2": "97"}, reason="misread", recorded_by="CD"
    ).check
    stored = counts(store)
    with pytest.raises(ValidationError) as refused:
        service.correct_check(check.id, {**VITALS, "spo2": "96"}, reason="x", recorded_by="AB")
    message = str(refused.value)
    assert f"record {newer.id}" in message and "by CD" in message
    assert format_local(newer.entered_at, with_date=False) in message
    assert counts(store) == stored
    # the newer one can be corrected, and the history holds all three in order
    third = service.correct_check(
        newer.id, {**VITALS, "spo2": "96"}, reason="second look", recorded_by="AB"
    ).check
    assert [c.id for c in service.history(check.id)] == [check.id, newer.id, third.id]


def test_an_ended_session_is_read_only(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    check = service.record_check(session_id, VITALS).check
    event = service.events(session_id)[0]
    store.end_session(session_id, "AB")
    stored = counts(store)
    with pytest.raises(StoreWriteError, match="read-only"):
        service.correct_check(check.id, {**VITALS, "spo2": "97"}, reason="r", recorded_by="AB")
    with pytest.raises(StoreWriteError, match="read-only"):
        service.correct_event(event.id, {**DOSE, "dose": "84"}, reason="r", recorded_by="AB")
    assert counts(store) == stored


def test_corrected_values_raise_their_own_alerts_and_the_originals_remain(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    low = service.record_check(session_id, {**VITALS, "spo2": "79"})
    assert [a.rule for a in low.alerts] == ["spo2_low"]
    fixed = service.correct_check(
        low.check.id, {**VITALS, "spo2": "97"}, reason="probe slipped", recorded_by="AB"
    )
    assert fixed.alerts == []
    quiet = service.record_check(session_id, VITALS)
    assert quiet.alerts == []
    # a rise over the baseline, typed in as a correction, alerts like a new check would
    risen = service.correct_check(
        quiet.check.id,
        {**VITALS, "systolic": "176", "diastolic": "90"},
        reason="wrong patient's cuff reading",
        recorded_by="AB",
    )
    assert [a.rule for a in risen.alerts] == ["sys_rise"]
    assert all(a.check_id == risen.check.id for a in risen.alerts)
    by_check = {(a.check_id, a.rule) for a in store.alerts(session_id)}
    assert (low.check.id, "spo2_low") in by_check  # history is history
    assert (risen.check.id, "sys_rise") in by_check


def test_a_corrected_baseline_is_judged_as_a_baseline(
    service: MonitoringService, store: SessionStore, session_id: int
) -> None:
    baseline = store.checks(session_id)[0]
    assert baseline.is_baseline
    fixed = service.correct_check(
        baseline.id, {**VITALS, "systolic": "146", "diastolic": "92"}, reason="r", recorded_by="AB"
    )
    assert fixed.check.is_baseline
    # before the dose the "consider delaying" advisories apply, not the rise rules
    assert [a.rule for a in fixed.alerts] == ["predose_sys_delay", "predose_dia_delay"]
    assert service.baseline(session_id) == fixed.check


def test_correcting_an_event_keeps_the_original_and_can_move_its_time(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    dose = service.events(session_id)[0]
    before = raw_row(store, "events", dose.id)
    fixed = service.correct_event(
        dose.id, {**DOSE, "dose": "84"}, reason="84 mg given, not 56", recorded_by="cd"
    )
    assert fixed.corrects_id == dose.id and fixed.details["dose"] == 84.0
    assert fixed.occurred_at == dose.occurred_at and fixed.recorded_by == "CD"
    assert raw_row(store, "events", dose.id) == before
    assert service.events(session_id) == [fixed]
    assert [e.id for e in service.event_history(dose.id)] == [dose.id, fixed.id]

    earlier = dose.occurred_at - timedelta(minutes=4)
    moved = service.correct_event(
        fixed.id,
        {**DOSE, "dose": "84"},
        reason="clock read wrong",
        recorded_by="CD",
        occurred_at=earlier,
    )
    assert moved.occurred_at == earlier
    assert service.schedule(session_id).dose_at == earlier  # the schedule follows


def test_a_refused_event_correction_stores_nothing(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    dose = service.events(session_id)[0]
    stored = counts(store)
    with pytest.raises(ValidationError) as refused:
        service.correct_event(
            dose.id,
            {**DOSE, "dose": "5000"},
            reason="",
            recorded_by="",
            occurred_at=clock.now() + timedelta(hours=1),
        )
    assert {e.field for e in refused.value.errors} == {
        "dose",
        "reason",
        "recorded_by",
        "occurred_at",
    }
    with pytest.raises(ValidationError, match="Nothing changed"):
        service.correct_event(dose.id, DOSE, reason="r", recorded_by="AB")
    newer = service.correct_event(dose.id, {**DOSE, "dose": "84"}, reason="r", recorded_by="CD")
    with pytest.raises(ValidationError, match=f"record {newer.id}"):
        service.correct_event(dose.id, {**DOSE, "dose": "28"}, reason="r", recorded_by="AB")
    assert counts(store)[1] == stored[1] + 1


def test_versions_walk_the_chain_from_any_member(clock: ManualClock) -> None:
    now = clock.now()

    def row(row_id: int, corrects: int | None) -> VitalsCheck:
        return VitalsCheck(row_id, 1, now, now, VitalSigns(heart_rate=70), corrects_id=corrects)

    rows = [row(3, 1), row(1, None), row(7, 3)]
    for member in rows:
        assert [r.id for r in versions(rows, member.id)] == [1, 3, 7]
    with pytest.raises(KeyError):
        versions(rows, 999)


def test_the_summary_names_what_each_correction_changed(
    service: MonitoringService, store: SessionStore, clock: ManualClock, session_id: int
) -> None:
    check = service.record_check(session_id, {**VITALS, "heart_rate": "170", "note": ""}).check
    clock.advance(minutes=2)
    service.correct_check(
        check.id, {**VITALS, "heart_rate": "71"}, reason="typed 170 for 71", recorded_by="CD"
    )
    dose = service.events(session_id)[0]
    service.correct_event(dose.id, {**DOSE, "dose": "84"}, reason="84 given", recorded_by="CD")
    summary = load_summary(store, session_id, clock.now())
    line = next(c for c in summary.checks if c.corrected)
    (note,) = line.corrections
    assert note.changes == ("HR was 170 /min",)
    when = format_local(clock.now(), with_date=False)
    assert note.text == f"corrected: HR was 170 /min; by CD at {when} — typed 170 for 71"
    assert note.record == f"Check of {format_local(check.taken_at, with_date=False)}"
    (dose_line,) = summary.doses
    assert dose_line.dose == "84 mg"
    assert [n.changes for n in dose_line.corrections] == [("Dose was 56",)]
    assert all(not c.corrections for c in summary.checks if not c.corrected)


def test_a_correction_and_its_alerts_commit_together_or_not_at_all(
    store: SessionStore, clock: ManualClock
) -> None:

    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("AT-1", ESKETAMINE_REMS, "AB"))
    original = record(service, session.id, heart_rate=80).check
    with pytest.raises(KeyError):
        store.add_check_with_alerts(
            session.id,
            VitalSigns(heart_rate=180, recorded_by="AB"),
            [{"severity": "alert"}],  # incomplete: fails inside the transaction
            taken_at=original.taken_at,
            corrects_id=original.id,
            correction_reason="typo",
        )
    assert [c.id for c in store.checks(session.id)] == [original.id]
    correction, alerts = store.add_check_with_alerts(
        session.id,
        VitalSigns(heart_rate=180, recorded_by="AB"),
        [
            {
                "severity": "alert",
                "rule": "hr_high",
                "measure": "heart_rate",
                "value": 180,
                "message": "Heart rate 180 /min is above 130 /min",
            }
        ],
        taken_at=original.taken_at,
        corrects_id=original.id,
        correction_reason="typo",
    )
    assert correction.corrects_id == original.id and correction.correction_reason == "typo"
    assert [a.check_id for a in alerts] == [correction.id]
