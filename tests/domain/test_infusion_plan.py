"""The planned infusion (issue 15, point 4): expected end, pauses, the reminder, void events."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from session_app.domain.clock import ManualClock
from session_app.domain.corrections import current, is_void, void_details, withdrawn
from session_app.domain.events import describe, validate_event
from session_app.domain.infusion import infusion_plan
from session_app.domain.protocols import IV_KETAMINE, Protocol, preset
from session_app.domain.records import SessionEvent
from session_app.domain.schedule import PLANNED_END_REACHED, Schedule, anchors_from_events

T0 = ManualClock().now()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def event(
    event_id: int,
    kind: str,
    minute: float,
    details: dict[str, Any] | None = None,
    corrects: int | None = None,
    reason: str = "",
) -> SessionEvent:
    return SessionEvent(
        event_id, 1, kind, at(minute), at(minute), "AB", details or {}, corrects, reason
    )


def start(minute: float = 0, planned: float | None = 40) -> SessionEvent:
    details: dict[str, Any] = {"rate": 20.0, "rate_unit": "mL/h"}
    if planned is not None:
        details["planned_min"] = planned
    return event(1, "infusion_start", minute, details)


def end_minute(events: list[SessionEvent], now_min: float, default: int = 40) -> float | None:
    plan = infusion_plan(events, default, at(now_min))
    if plan is None:
        return None
    return (plan.expected_end - T0) / timedelta(minutes=1)


def test_the_protocol_plans_40_minutes_and_a_clinic_can_change_it() -> None:
    assert preset(IV_KETAMINE).planned_infusion_min == 40  # DESIGN.md section 3
    assert preset(IV_KETAMINE, {"iv.planned_infusion_min": 60}).planned_infusion_min == 60
    snapshot = preset(IV_KETAMINE).to_dict()
    del snapshot["planned_infusion_min"]  # an older session's snapshot
    assert Protocol.from_dict(snapshot).planned_infusion_min == 40


def test_the_start_takes_planned_minutes_and_the_line_says_them() -> None:
    details = validate_event(
        "infusion_start", {"rate": "20", "rate_unit": "mL/h", "planned_min": "45"}
    )
    assert details["planned_min"] == 45.0
    assert describe(start(planned=45)) == "Infusion started: 20 mL/h, planned 45 min"
    # left empty, the protocol's planned minutes apply (older records have none)
    unplanned = validate_event("infusion_start", {"rate": "20", "rate_unit": "mL/h"})
    assert "planned_min" not in unplanned


def test_expected_end_is_start_plus_planned_minutes() -> None:
    assert end_minute([start(2, 45)], now_min=3) == 47
    assert end_minute([start(2, None)], now_min=3, default=50) == 52
    assert end_minute([], now_min=3) is None


def test_one_pause_shifts_the_expected_end() -> None:
    events = [start(), event(2, "infusion_pause", 10), event(3, "infusion_resume", 15)]
    assert end_minute(events, now_min=20) == 45


def test_two_pauses_shift_the_expected_end_by_their_sum() -> None:
    events = [
        start(),
        event(2, "infusion_pause", 10),
        event(3, "infusion_resume", 15),
        event(4, "infusion_pause", 20),
        event(5, "infusion_resume", 30),
    ]
    assert end_minute(events, now_min=31) == 55


def test_an_open_pause_keeps_moving_the_end_to_now_plus_what_remains() -> None:
    events = [start(), event(2, "infusion_pause", 10)]
    assert end_minute(events, now_min=10) == 40
    assert end_minute(events, now_min=25) == 55  # 30 min remained at the pause
    plan = infusion_plan(events, 40, at(25))
    assert plan is not None and plan.paused_since == at(10)


def test_a_withdrawn_start_plans_nothing() -> None:
    void = event(2, "infusion_start", 0, void_details(), corrects=1, reason="wrong patient")
    assert infusion_plan([start(), void], 40, at(5)) is None


def test_after_the_planned_end_without_a_stop_checks_go_on_and_a_reminder_says_so() -> None:
    protocol = preset(IV_KETAMINE)
    schedule = Schedule(protocol, at(0), None, planned_end=at(40))
    before = schedule.status([], at(39))
    assert before.reminder == ""
    after = schedule.status([], at(41))
    assert after.reminder.startswith(PLANNED_END_REACHED)
    assert "log 'Infusion stopped' when it stops" in after.reminder
    # the infusion phase keeps its checks (safer than guessing a stop), labelled as past plan
    due = schedule.due_times(at(75))
    assert [(d.due_at - T0) / timedelta(minutes=1) for d in due] == [15, 30, 45, 60, 75]
    assert due[0].label == "During the infusion"
    assert due[2].label == "Past the planned end of the infusion"


def test_once_stopped_the_schedule_moves_to_its_post_infusion_phase() -> None:
    protocol = preset(IV_KETAMINE)
    events = [start(), event(2, "infusion_stop", 42)]
    dose_at, end_at = anchors_from_events(events)
    schedule = Schedule(protocol, dose_at, end_at, planned_end=at(40))
    status = schedule.status([], at(50))
    assert status.reminder == ""
    labels = {d.due_at: d.label for d in schedule.due_times(at(80))}
    assert labels[at(42)] == "At the end of the infusion"
    assert labels[at(57)] == "After the infusion"
    assert at(45) not in labels  # no infusion-phase check after the stop


def test_a_withdrawn_dose_no_longer_anchors_the_schedule() -> None:
    dose = event(1, "dose", 0, {"drug": "Ketamine", "dose": 0.5, "unit": "mg/kg"})
    void = event(2, "dose", 0, void_details(), corrects=1, reason="logged on the wrong session")
    assert anchors_from_events([dose]) == (at(0), None)
    assert anchors_from_events([dose, void]) == (None, None)
    assert current([dose, void]) == []
    assert withdrawn([dose, void]) == [void]
    assert is_void(void) and not is_void(dose)
    assert describe(void) == "Withdrawn — logged on the wrong session: Dose given"


def test_an_infusion_dose_without_a_start_plans_from_the_dose_only_when_asked() -> None:
    dose = event(1, "dose", 3, {"drug": "Ketamine", "dose": 0.5, "route": "IV infusion"})
    assert infusion_plan([dose], 40, at(5)) is None  # e.g. a nasal spray session
    plan = infusion_plan([dose], 40, at(5), dose_starts=True)  # an infusion protocol
    assert plan is not None and plan.expected_end == at(43)
    # an infusion start, when logged, is what the plan counts from
    later = event(2, "infusion_start", 5, {"rate": 20.0, "planned_min": 50.0})
    plan = infusion_plan([dose, later], 40, at(6), dose_starts=True)
    assert plan is not None and plan.expected_end == at(55)
