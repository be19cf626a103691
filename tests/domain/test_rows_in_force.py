"""Rows in force: one rule ("a row some later row corrects is replaced by it") for every
reader of checks and events: the schedule, the monitoring service, the summary, FHIR.

Each reader is asked on the same rows, a chain of corrections (a→b→c) and a branch (a→b
and a→c, as two panels racing could store), so a reader that grows its own rule fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from session_app.domain import corrections, events, schedule
from session_app.domain.baseline import baseline_check
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE, preset
from session_app.domain.records import SessionEvent
from session_app.domain.schedule import Schedule, anchors_from_events
from session_app.domain.session import TreatmentSession
from session_app.domain.summary import SessionRecord, build_summary
from session_app.domain.vitals import VitalsCheck, VitalSigns
from session_app.export.fhir import observations

T0 = ManualClock().now()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def check(row_id: int, heart_rate: int, corrects: int | None = None) -> VitalsCheck:
    """A baseline check taken before the dose (all versions keep the original's time)."""
    return VitalsCheck(
        row_id,
        1,
        at(-10),
        at(-10 + row_id),
        VitalSigns(heart_rate=heart_rate, recorded_by="AB"),
        is_baseline=True,
        corrects_id=corrects,
    )


def dose(row_id: int, minute: float, corrects: int | None = None) -> SessionEvent:
    details = {"drug": "Ketamine", "dose": 35, "unit": "mg", "route": "IV"}
    return SessionEvent(row_id, 1, "dose", at(minute), at(minute), "AB", details, corrects)


CHAIN_CHECKS = [check(1, 70), check(2, 71, corrects=1), check(3, 72, corrects=2)]
CHAIN_EVENTS = [dose(10, 0), dose(11, 2, corrects=10), dose(12, 4, corrects=11)]
BRANCH_CHECKS = [check(1, 70), check(2, 71, corrects=1), check(3, 72, corrects=1)]
BRANCH_EVENTS = [dose(10, 0), dose(11, 2, corrects=10), dose(12, 4, corrects=10)]


def record(checks: list[VitalsCheck], evts: list[SessionEvent]) -> SessionRecord:
    session = TreatmentSession(1, "JD-1", IV_KETAMINE, "AB", at(-30))
    return SessionRecord(session, tuple(checks), tuple(evts), ())


def check_ids_by_reader(checks: list[VitalsCheck]) -> dict[str, list[int]]:
    """The ids of the checks in force, as each reader of checks sees them."""
    rec = record(checks, [])
    by_heart_rate = {c.signs.heart_rate: c.id for c in checks}  # each version has its own
    fhir_ids = [by_heart_rate[obs["valueQuantity"]["value"]] for _, obs in observations(rec)]
    return {
        "corrections.current": [c.id for c in corrections.current(checks)],
        "summary record": [c.id for c in rec.current_checks],
        "summary lines": [line.check.id for line in build_summary(rec, at(60)).checks],
        "fhir": sorted(fhir_ids),
    }


def test_a_chain_of_corrections_leaves_its_last_version_in_force_for_every_reader() -> None:
    by_reader = check_ids_by_reader(CHAIN_CHECKS)
    assert by_reader["corrections.current"] == [3]
    assert by_reader["summary record"] == [3]
    assert by_reader["summary lines"] == [3]
    assert by_reader["fhir"] == [3]
    assert baseline_check(CHAIN_CHECKS, at(-5), "heart_rate") == CHAIN_CHECKS[2]
    # events: the dose was moved twice, to minute 4; every reader takes the last version
    assert [e.id for e in corrections.current(CHAIN_EVENTS)] == [12]
    assert [e.id for e in record(CHAIN_CHECKS, CHAIN_EVENTS).current_events] == [12]
    assert anchors_from_events(CHAIN_EVENTS) == (at(4), None)
    assert [d.event_id for d in build_summary(record([], CHAIN_EVENTS), at(60)).doses] == [12]


def test_a_branch_keeps_both_corrections_in_force_for_every_reader() -> None:
    """Two corrections of one row (the service refuses the second, a race may not):
    neither hides the other, and the original is out for every reader."""
    by_reader = check_ids_by_reader(BRANCH_CHECKS)
    assert by_reader["corrections.current"] == [2, 3]
    assert by_reader["summary record"] == [2, 3]
    assert by_reader["summary lines"] == [2, 3]
    assert by_reader["fhir"] == [2, 3]
    # the latest baseline in force (same time: the higher id), never the corrected original
    assert baseline_check(BRANCH_CHECKS, at(-5), "heart_rate") == BRANCH_CHECKS[2]
    assert baseline_check(BRANCH_CHECKS[:2], at(-5), "heart_rate") == BRANCH_CHECKS[1]
    assert [e.id for e in corrections.current(BRANCH_EVENTS)] == [11, 12]
    assert [e.id for e in record([], BRANCH_EVENTS).current_events] == [11, 12]
    assert anchors_from_events(BRANCH_EVENTS) == (at(2), None)  # earliest dose in force
    assert [d.event_id for d in build_summary(record([], BRANCH_EVENTS), at(60)).doses] == [
        11,
        12,
    ]


def test_the_schedule_counts_only_checks_in_force() -> None:
    signs = [VitalSigns(heart_rate=hr, recorded_by="AB") for hr in (80, 81, 82)]
    post = [
        VitalsCheck(1, 1, at(15), at(15), signs[0]),
        VitalsCheck(2, 1, at(15), at(16), signs[1], corrects_id=1),
        VitalsCheck(3, 1, at(15), at(17), signs[2], corrects_id=2),
    ]
    sched = Schedule(preset(IV_KETAMINE), at(0), None)
    assert [a.check.id for a in sched.assignments(post)] == [3]
    assert sched.counts(post, at(20)).done == 1


def test_there_is_one_rule_for_the_rows_in_force() -> None:
    """The schedule and the timeline have no rule of their own to drift from this one."""
    assert not hasattr(schedule, "current_checks")
    assert not hasattr(events, "current")
