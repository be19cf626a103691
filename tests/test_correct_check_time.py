"""Issue 15 point 9: a check's "Time taken" can be corrected, with a reason.

MonitoringService.correct_check(taken_at=…) checks the time like a new check's (not in
the future, not before the session less an hour); the correction keeps the original's
due time and its lateness follows the corrected time. A correction of the time alone
is a real change; the summary's note names the time it replaced.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.domain.summary import check_corrections
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

NORMAL = {
    "systolic": "128",
    "diastolic": "78",
    "heart_rate": "72",
    "spo2": "98",
    "resp_rate": "14",
    "recorded_by": "AB",
}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def rems_session(service: MonitoringService, clock: ManualClock) -> tuple[int, object]:
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB", 72.0)).id
    service.record_check(sid, NORMAL)
    clock.advance(minutes=5)
    dose = service.log_event(sid, "dose", DOSE, "AB")
    return sid, dose


def test_a_late_check_corrected_to_its_real_time_keeps_its_due_time_and_is_on_time(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    sid, dose = rems_session(service, clock)
    clock.advance(minutes=48)  # entered 8 min after the 40-min check was due: late
    late = service.record_check(sid, NORMAL).check
    due = dose.occurred_at + timedelta(minutes=40)
    assert (late.due_at, late.late) == (due, True)
    clock.advance(minutes=2)

    real = dose.occurred_at + timedelta(minutes=41)
    fixed = service.correct_check(
        late.id,
        NORMAL,
        reason="taken at 41 min, typed in later",
        recorded_by="cd",
        taken_at=real,
    ).check
    assert fixed.taken_at == real and fixed.corrects_id == late.id
    assert (fixed.due_at, fixed.late) == (due, False)  # the same due time, now on time
    assert store.check(late.id).taken_at == late.taken_at  # the original stays as it was
    counts = service.counts(sid)
    assert (counts.done, counts.late) == (1, 0)


def test_a_correction_to_a_later_time_can_make_a_check_late(
    service: MonitoringService, clock: ManualClock
) -> None:
    sid, dose = rems_session(service, clock)
    clock.advance(minutes=50)
    on_time = service.record_check(
        sid, NORMAL, taken_at=dose.occurred_at + timedelta(minutes=40)
    ).check
    assert on_time.late is False
    fixed = service.correct_check(
        on_time.id,
        NORMAL,
        reason="wrong time typed",
        recorded_by="AB",
        taken_at=dose.occurred_at + timedelta(minutes=49),
    ).check
    assert (fixed.due_at, fixed.late) == (on_time.due_at, True)


def test_only_the_time_changed_is_a_real_change_and_no_change_at_all_is_refused(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    sid, _dose = rems_session(service, clock)
    clock.advance(minutes=30)
    check = service.record_check(sid, NORMAL).check
    with pytest.raises(ValidationError, match="Nothing changed"):
        service.correct_check(
            check.id, NORMAL, reason="r", recorded_by="AB", taken_at=check.taken_at
        )
    earlier = check.taken_at - timedelta(minutes=10)
    fixed = service.correct_check(
        check.id,
        NORMAL,
        reason="measured before I typed it",
        recorded_by="AB",
        taken_at=earlier,
    ).check
    assert fixed.taken_at == earlier and fixed.signs.heart_rate == 72
    [note] = check_corrections(store.checks(sid), fixed)
    assert note.changes == (f"Time taken was {format_local(check.taken_at, with_date=False)}",)


def test_a_corrected_time_is_checked_like_a_new_checks_with_every_problem_at_once(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    sid, _dose = rems_session(service, clock)
    clock.advance(minutes=30)
    check = service.record_check(sid, NORMAL).check
    before = len(store.checks(sid))
    with pytest.raises(ValidationError) as caught:
        service.correct_check(
            check.id,
            {**NORMAL, "spo2": "9"},
            reason="",
            recorded_by="AB",
            taken_at=clock.now() + timedelta(minutes=5),
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"spo2", "reason", "taken_at"}
    assert "Time taken: " in caught.value.for_field("taken_at").message
    assert "is in the future" in caught.value.for_field("taken_at").message
    with pytest.raises(ValidationError) as caught:  # the values unchanged, the time refused
        service.correct_check(check.id, NORMAL, reason="r", recorded_by="AB", taken_at="23:5x")
    assert [e.field for e in caught.value.errors] == ["taken_at"]  # not "Nothing changed"
    start = store.session(sid).started_at
    with pytest.raises(ValidationError, match=r"Time taken: .* is before this session"):
        service.correct_check(
            check.id,
            NORMAL,
            reason="r",
            recorded_by="AB",
            taken_at=start - timedelta(minutes=61),
        )
    assert len(store.checks(sid)) == before  # nothing stored


def test_without_a_time_the_correction_keeps_the_originals(
    service: MonitoringService, clock: ManualClock
) -> None:
    sid, _dose = rems_session(service, clock)
    clock.advance(minutes=30, seconds=17)
    check = service.record_check(sid, NORMAL).check
    clock.advance(minutes=3)
    fixed = service.correct_check(
        check.id, {**NORMAL, "heart_rate": "80"}, reason="misread", recorded_by="AB"
    ).check
    assert fixed.taken_at == check.taken_at  # to the second


def test_a_typed_time_of_day_is_read_by_the_service_with_the_time_taken_label(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    sid, _dose = rems_session(service, clock)
    clock.advance(minutes=30)
    check = service.record_check(sid, NORMAL).check
    ahead = format_local(clock.now() + timedelta(minutes=5), with_date=False)
    with pytest.raises(ValidationError, match=f"Time taken: '{ahead}' is in the future"):
        service.correct_check(check.id, NORMAL, reason="r", recorded_by="AB", taken_at=ahead)
    with pytest.raises(ValidationError) as caught:
        service.correct_check(check.id, NORMAL, reason="r", recorded_by="AB", taken_at="9:7")
    assert caught.value.for_field("taken_at").message.startswith("Time taken: '9:7' is not")
    earlier = check.taken_at - timedelta(minutes=4)
    typed = format_local(earlier, with_date=False)
    fixed = service.correct_check(check.id, NORMAL, reason="r", recorded_by="AB", taken_at=typed)
    assert fixed.check.taken_at == earlier.replace(second=0)
    with pytest.raises(ValidationError, match="Nothing changed"):  # empty: the time in force
        service.correct_check(fixed.check.id, NORMAL, reason="r", recorded_by="AB", taken_at=" ")
