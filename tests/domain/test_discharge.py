"""Discharge checklist rules: Aldrete total, BP recovery from the record, warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from session_app.domain.discharge import (
    DischargeInput,
    assess,
    bp_recovery,
    discharge_context,
    from_stored,
    suggest_aldrete,
)
from session_app.domain.vitals import VitalsCheck, VitalSigns

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ALL_TWO = {"activity": 2, "breathing": 2, "circulation": 2, "consciousness": 2, "spo2": 2}


def check(i: int, minutes: float, *, baseline: bool = False, **signs: object) -> VitalsCheck:
    when = T0 + timedelta(minutes=minutes)
    return VitalsCheck(i, 1, when, when, VitalSigns(**signs), is_baseline=baseline)  # type: ignore[arg-type]


def context(checks, *, now_min: float = 130, ends_min: float | None = 130, missed: int = 0):
    now = T0 + timedelta(minutes=now_min)
    ends = T0 + timedelta(minutes=ends_min) if ends_min is not None else None
    return discharge_context(
        checks, now, monitoring_ends_at=ends, min_monitoring_min=120, missed_checks=missed
    )


def given(**kw: object) -> DischargeInput:
    values: dict[str, object] = {
        "aldrete": ALL_TWO,
        "responsible_adult": True,
        "advice_given": True,
    }
    values.update(kw)
    return DischargeInput(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("latest", "within", "change"),
    [
        ((153, 80), True, 19.5),  # +19.5 % systolic
        ((154, 80), False, 20.3),  # just above 20 %
        ((100, 64), False, -21.9),  # a fall counts too
        ((130, 98), False, 22.5),  # diastolic +22.5 %: the larger change decides
    ],
)
def test_bp_recovery_uses_the_larger_change_against_baseline(latest, within, change) -> None:
    checks = [
        check(1, 0, baseline=True, systolic=128, diastolic=80),
        check(2, 60, systolic=latest[0], diastolic=latest[1]),
    ]
    result = bp_recovery(checks)
    assert result.change_pct == pytest.approx(change, abs=0.1)
    assert result.within is within


def test_bp_recovery_unknown_without_a_second_reading() -> None:
    only = [check(1, 0, baseline=True, systolic=128, diastolic=80)]
    assert bp_recovery(only).within is None
    assert bp_recovery([]).within is None
    assert "No baseline" in bp_recovery([]).text()


def test_the_last_marked_baseline_is_the_reference() -> None:
    checks = [
        check(1, 0, baseline=True, systolic=150, diastolic=95),
        check(2, 5, baseline=True, systolic=120, diastolic=80),
        check(3, 90, systolic=140, diastolic=90),
    ]
    assert bp_recovery(checks).baseline == (120, 80)
    assert bp_recovery(checks).within is True  # +16.7 %


def test_all_criteria_met_and_no_warning_after_the_minimum_time() -> None:
    checks = [
        check(1, 0, baseline=True, systolic=128, diastolic=80, moaas=5),
        check(2, 125, systolic=132, diastolic=82, moaas=5),
    ]
    result = assess(given(), context(checks))
    assert result.aldrete_total == 10
    assert result.all_met
    assert result.warnings == ()


def test_unmet_criteria_are_reported_not_raised() -> None:
    checks = [
        check(1, 0, baseline=True, systolic=128, diastolic=80, moaas=5),
        check(2, 125, systolic=170, diastolic=100, moaas=4),
    ]
    low_aldrete = {**ALL_TWO, "activity": 1, "consciousness": 1}
    result = assess(given(aldrete=low_aldrete, responsible_adult=False), context(checks))
    met = {c.key: c.met for c in result.criteria}
    assert met == {
        "aldrete": False,  # 8 < 9
        "bp_recovery": False,
        "moaas": False,
        "responsible_adult": False,
        "advice": True,
    }
    assert not result.all_met


def test_aldrete_nine_is_enough_and_unscored_items_make_it_unknown() -> None:
    checks = [check(1, 0, baseline=True, moaas=5)]
    nine = assess(given(aldrete={**ALL_TWO, "breathing": 1}), context(checks))
    assert next(c for c in nine.criteria if c.key == "aldrete").met is True
    partial = assess(given(aldrete={"activity": 2}), context(checks))
    assert partial.aldrete_total is None
    aldrete = next(c for c in partial.criteria if c.key == "aldrete")
    assert aldrete.met is None and "Breathing" in aldrete.detail


def test_an_impossible_score_is_refused() -> None:
    with pytest.raises(ValueError, match="Aldrete Activity: '3'"):
        assess(given(aldrete={**ALL_TWO, "activity": 3}), context([]))


def test_warnings_for_short_monitoring_and_missed_checks() -> None:
    checks = [check(1, 0, baseline=True, systolic=128, diastolic=80, moaas=5)]
    early = assess(given(), context(checks, now_min=100, ends_min=130, missed=2))
    assert early.warnings == (
        "Minimum monitoring time not reached: 90 of 120 min.",
        "2 due checks were missed.",
    )
    no_dose = assess(given(), context(checks, ends_min=None))
    assert "cannot be checked" in no_dose.warnings[0]


def test_suggestions_come_from_the_latest_values_only_for_what_the_record_shows() -> None:
    checks = [
        check(1, 0, baseline=True, systolic=120, diastolic=80, spo2=98, moaas=5),
        check(2, 60, systolic=150, diastolic=90, spo2=91, on_oxygen=True, moaas=3),
    ]
    assert suggest_aldrete(checks) == {"circulation": 1, "consciousness": 1, "spo2": 1}
    assert "activity" not in suggest_aldrete(checks) and "breathing" not in suggest_aldrete(checks)


def test_stored_form_round_trips() -> None:
    checks = [
        check(1, 0, baseline=True, systolic=128, diastolic=80, moaas=5),
        check(2, 125, systolic=130, diastolic=80, moaas=5),
    ]
    ready = T0 + timedelta(minutes=128)
    result = assess(
        given(ended_by="AB", vitals_ok_leaving=True, ready_to_leave_at=ready), context(checks)
    )
    stored = from_stored(result.to_dict())
    assert stored is not None
    assert stored.aldrete_total == 10 and stored.all_met and stored.ended_by == "AB"
    assert stored.ready_to_leave_at == ready and stored.vitals_ok_leaving is True
    assert [c.met for c in stored.criteria] == [c.met for c in result.criteria]
    assert from_stored({}) is None
