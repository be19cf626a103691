"""The check schedule of both presets, driven by an injected clock (no waiting)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_app.domain.clock import ManualClock
from session_app.domain.corrections import current
from session_app.domain.protocols import (
    ESKETAMINE_REMS,
    IV_KETAMINE,
    Protocol,
    parse_phases,
    preset,
)
from session_app.domain.records import SessionEvent
from session_app.domain.schedule import (
    DueState,
    Schedule,
    ScheduleCounts,
    anchors_from_events,
    format_countdown,
)
from session_app.domain.vitals import VitalsCheck, VitalSigns

T0 = ManualClock().now()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def minutes_of(schedule: Schedule, until_min: float) -> list[float]:
    return [(d.due_at - T0) / timedelta(minutes=1) for d in schedule.due_times(at(until_min))]


class Checks:
    """Builds stored-looking checks for a session."""

    def __init__(self) -> None:
        self.rows: list[VitalsCheck] = []

    def add(self, minute: float, *, baseline: bool = False, corrects: int | None = None):
        check = VitalsCheck(
            id=len(self.rows) + 1,
            session_id=1,
            taken_at=at(minute),
            entered_at=at(minute),
            signs=VitalSigns(heart_rate=80, recorded_by="AB"),
            is_baseline=baseline,
            corrects_id=corrects,
        )
        self.rows.append(check)
        return check


def test_iv_checks_every_15_min_during_then_after_the_infusion() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), at(40))
    assert minutes_of(schedule, 130) == [15, 30, 40, 55, 70, 85, 100, 115, 130]
    labels = [d.label for d in schedule.due_times(at(60))]
    assert labels == [
        "During the infusion",
        "During the infusion",
        "At the end of the infusion",
        "After the infusion",
    ]
    assert schedule.monitoring_ends_at() == at(100)


def test_iv_while_the_infusion_runs_checks_go_on_every_15_min() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), None)
    assert minutes_of(schedule, 90) == [15, 30, 45, 60, 75, 90]
    assert schedule.monitoring_ends_at() is None


def test_iv_end_on_a_due_time_gives_one_check_with_the_end_label() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), at(45))
    dues = schedule.due_times(at(60))
    assert [(d.due_at, d.label) for d in dues] == [
        (at(15), "During the infusion"),
        (at(30), "During the infusion"),
        (at(45), "At the end of the infusion"),
        (at(60), "After the infusion"),
    ]


def test_iv_without_the_end_check_setting() -> None:
    protocol = preset(IV_KETAMINE, {"iv.check_at_infusion_end": False})
    assert minutes_of(Schedule(protocol, at(0), at(40)), 85) == [15, 30, 55, 70, 85]


def test_uk_ward_schedule_q15_for_an_hour_q30_for_two_then_hourly() -> None:
    protocol = Protocol(
        "UK ward",
        phases=parse_phases("every 15 min for 60 min, then every 30 min for 120 min, then 60"),
    )
    assert minutes_of(Schedule(protocol, at(0)), 300) == [
        15, 30, 45, 60, 90, 120, 150, 180, 240, 300,
    ]  # fmt: skip


def test_uk_ward_schedule_after_an_infusion() -> None:
    protocol = preset(IV_KETAMINE, {"iv.after_infusion": "15 for 60, 30 for 120, 60"})
    assert minutes_of(Schedule(protocol, at(0), at(40)), 300) == [
        15, 30, 40, 55, 70, 85, 100, 130, 160, 190, 220, 280,
    ]  # fmt: skip


def test_rems_due_at_40_min_and_before_leaving_at_120() -> None:
    schedule = Schedule(preset(ESKETAMINE_REMS), at(0))
    dues = schedule.due_times(at(600))
    assert [(d.due_at, d.label) for d in dues] == [
        (at(40), "About 40 min after dosing"),
        (at(120), "Before leaving"),
    ]
    assert schedule.monitoring_ends_at() == at(120)


def test_rems_extra_regular_checks_merge_with_the_fixed_ones() -> None:
    protocol = preset(ESKETAMINE_REMS, {"rems.extra_checks": "every 30 min for 120 min"})
    dues = Schedule(protocol, at(0)).due_times(at(600))
    assert [(d.due_at - T0) // timedelta(minutes=1) for d in dues] == [30, 40, 60, 90, 120]
    assert dues[-1].label == "Before leaving"


def test_nothing_is_due_before_the_dose() -> None:
    assert Schedule(preset(IV_KETAMINE), None).due_times(at(600)) == []


def test_rems_status_through_a_session_with_an_injected_clock() -> None:
    clock = ManualClock(T0 - timedelta(minutes=10))
    checks = Checks()
    before_dose = Schedule(preset(ESKETAMINE_REMS), None)
    status = before_dose.status(checks.rows, clock.now())
    assert (status.state, status.label) == (DueState.BASELINE_NEEDED, "Before dosing")
    checks.add(-10, baseline=True)
    status = before_dose.status(checks.rows, clock.now())
    assert status.state is DueState.WAITING and status.next_due is None

    schedule = Schedule(preset(ESKETAMINE_REMS), at(0))
    clock.set(at(30))
    status = schedule.status(checks.rows, clock.now())
    assert (status.state, status.next_due, status.seconds_until) == (
        DueState.WAITING,
        at(40),
        600,
    )
    assert (status.text, status.label) == ("Next check in 10:00", "About 40 min after dosing")

    clock.set(at(40))
    status = schedule.status(checks.rows, clock.now())
    assert (status.state, status.seconds_until, status.text) == (DueState.DUE, 0, "Check due now")

    clock.advance(minutes=2)  # exactly the amber limit: still only due
    assert schedule.status(checks.rows, clock.now()).state is DueState.DUE
    clock.advance(seconds=1)
    assert schedule.status(checks.rows, clock.now()).state is DueState.OVERDUE_AMBER
    clock.set(at(45))  # exactly the red limit: still amber
    status = schedule.status(checks.rows, clock.now())
    assert (status.state, status.text) == (DueState.OVERDUE_AMBER, "Check overdue by 5 min")
    clock.advance(seconds=1)
    status = schedule.status(checks.rows, clock.now())
    assert (status.state, status.seconds_until) == (DueState.OVERDUE_RED, -301)

    clock.set(at(46))
    assert schedule.classify(clock.now(), checks.rows) == (at(40), True)
    checks.add(46)
    status = schedule.status(checks.rows, clock.now())
    assert (status.state, status.next_due, status.text) == (
        DueState.WAITING,
        at(120),
        "Next check in 1:14:00",
    )

    clock.set(at(121))
    assert schedule.classify(clock.now(), checks.rows) == (at(120), False)
    checks.add(121)
    status = schedule.status(checks.rows, clock.now())
    assert status.state is DueState.COMPLETE
    assert schedule.counts(checks.rows, clock.now()) == ScheduleCounts(
        due=2, done=2, late=1, missed=0, extra=0, baseline=True
    )


@pytest.mark.parametrize(
    ("taken_min", "expected"),
    [
        (40 - 5 - 1 / 60, (None, False)),  # earlier than early_min: answers nothing
        (35, (40, False)),  # early_min before: counts for the 40-min check
        (40, (40, False)),
        (42, (40, False)),  # exactly overdue_amber_min after: not late
        (42 + 1 / 60, (40, True)),  # one second more: late
        (100, (40, True)),
    ],
)
def test_late_and_early_limits(taken_min: float, expected: tuple[float | None, bool]) -> None:
    schedule = Schedule(preset(ESKETAMINE_REMS), at(0))
    due_at, late = schedule.classify(at(taken_min), [])
    want_due = at(expected[0]) if expected[0] is not None else None
    assert (due_at, late) == (want_due, expected[1])


def test_a_check_before_the_dose_or_a_second_one_answers_nothing() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), None)
    checks = Checks()
    assert schedule.classify(at(-5), checks.rows) == (None, False)
    checks.add(15)
    assert schedule.classify(at(16), checks.rows) == (None, False)


def test_a_missed_check_stays_missed_and_the_next_is_answered_on_time() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), None)
    checks = Checks()
    checks.add(-5, baseline=True)
    # nobody checked at 15; at 29 the 15-min check is red
    status = schedule.status(checks.rows, at(29))
    assert (status.state, status.next_due) == (DueState.OVERDUE_RED, at(15))
    # at 30 the new due time takes over; a check at 31 answers it on time
    assert schedule.status(checks.rows, at(30)).next_due == at(30)
    assert schedule.classify(at(31), checks.rows) == (at(30), False)
    checks.add(31)
    assert schedule.counts(checks.rows, at(44)) == ScheduleCounts(2, 1, 0, 1, 0, True)


def test_an_early_check_answers_the_coming_due_time() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), None)
    checks = Checks()
    checks.add(15)
    checks.add(27)  # early for 30
    status = schedule.status(checks.rows, at(28))
    assert (status.state, status.next_due) == (DueState.WAITING, at(45))


def test_counts_for_a_whole_iv_session_with_extra_and_late_checks() -> None:
    schedule = Schedule(preset(IV_KETAMINE), at(0), at(40))
    checks = Checks()
    checks.add(-10, baseline=True)
    for minute in (15, 20, 33, 40, 56, 76, 85):  # 20 is extra; 33 and 76 are late
        checks.add(minute)
    counts = schedule.counts(checks.rows, at(100))
    # due: 15 30 40 55 70 85 100; nothing answered the one due at 100
    assert counts == ScheduleCounts(due=7, done=6, late=2, missed=1, extra=1, baseline=True)


def test_corrected_checks_are_replaced_by_their_correction() -> None:
    checks = Checks()
    original = checks.add(15)
    correction = checks.add(16, corrects=original.id)
    assert current(checks.rows) == [correction]
    schedule = Schedule(preset(IV_KETAMINE), at(0), None)
    assert schedule.counts(checks.rows, at(20)) == ScheduleCounts(1, 1, 0, 0, 0, False)


def event(event_id: int, kind: str, minute: float, corrects: int | None = None) -> SessionEvent:
    return SessionEvent(event_id, 1, kind, at(minute), at(minute), "AB", {}, corrects)


def test_anchors_are_the_first_dose_and_the_last_stop() -> None:
    events = [
        event(1, "infusion_start", 2),
        event(2, "dose", 0),
        event(3, "infusion_pause", 20),
        event(4, "infusion_stop", 42),
    ]
    assert anchors_from_events(events) == (at(0), at(42))
    assert anchors_from_events([]) == (None, None)
    assert anchors_from_events([event(1, "infusion_stop", 5)]) == (None, None)


def test_a_restart_after_a_stop_means_the_infusion_is_running() -> None:
    events = [
        event(1, "infusion_start", 0),
        event(2, "infusion_stop", 10),
        event(3, "infusion_start", 15),
    ]
    assert anchors_from_events(events) == (at(0), None)
    events.append(event(4, "infusion_stop", 50))
    assert anchors_from_events(events) == (at(0), at(50))


def test_a_corrected_dose_time_moves_the_schedule() -> None:
    events = [event(1, "dose", 0), event(2, "dose", 5, corrects=1)]
    dose_at, _ = anchors_from_events(events)
    assert dose_at == at(5)
    assert Schedule(preset(ESKETAMINE_REMS), dose_at).due_times(at(60))[0].due_at == at(45)


def test_a_stop_before_the_dose_is_ignored() -> None:
    assert Schedule(preset(IV_KETAMINE), at(10), at(0)).infusion_end_at is None


@pytest.mark.parametrize(
    ("seconds", "text"), [(252, "04:12"), (0.2, "00:01"), (0, "00:00"), (4740, "1:19:00")]
)
def test_countdown_format(seconds: float, text: str) -> None:
    assert format_countdown(seconds) == text


@given(
    taken=st.lists(st.floats(min_value=-30, max_value=400, allow_nan=False), max_size=60),
    infusion_end=st.one_of(st.none(), st.floats(min_value=5, max_value=120)),
    protocol_name=st.sampled_from([IV_KETAMINE, ESKETAMINE_REMS]),
)
def test_assignments_match_answering_each_check_on_its_own(
    taken: list[float], infusion_end: float | None, protocol_name: str
) -> None:
    """Which due time each check answered: one walk of the due times (issue 7) gives what
    looking each check up on its own gives."""
    end = at(infusion_end) if infusion_end is not None else None
    schedule = Schedule(preset(protocol_name), at(0), end)
    checks = Checks()
    for minute in taken:
        checks.add(minute)
    expected: dict[datetime, tuple[int, bool]] = {}
    early = timedelta(minutes=schedule.protocol.early_min)
    for check in sorted(checks.rows, key=lambda c: (c.taken_at, c.id)):
        if check.taken_at < at(0):
            continue
        due = None
        for candidate in schedule.iter_due():
            if candidate.due_at > check.taken_at + early:
                break
            due = candidate
        if due is not None and due.due_at not in expected:
            late = check.taken_at - due.due_at > timedelta(
                minutes=schedule.protocol.overdue_amber_min
            )
            expected[due.due_at] = (check.id, late)
    got = {a.due.due_at: (a.check.id, a.late) for a in schedule.assignments(checks.rows)}
    assert got == expected
