"""One baseline for every consumer (issue 14 point 1): alerts, summary, discharge, REMS.

The repro: a high pre-dose BP (150/92) is repeated after a rest (125/80), the dose is
given, and 40 min later the BP is 185/85. Every reader of the record must compare with
125/80. The charts' side of the same repro is in tests/ui/staff/test_trend_consistency.py.
"""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.baseline import baseline_check, baseline_values
from session_app.domain.clock import ManualClock
from session_app.domain.discharge import bp_recovery, suggest_aldrete
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.domain.summary import discharge_context_for, load_summary
from session_app.domain.vitals import VitalsCheck, VitalSigns
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
VITALS = {"heart_rate": "72", "spo2": "98", "resp_rate": "14", "moaas": "5", "recorded_by": "AB"}


def bp(systolic: int, diastolic: int) -> dict[str, str]:
    return {**VITALS, "systolic": str(systolic), "diastolic": str(diastolic)}


def repro(service: MonitoringService, clock: ManualClock) -> tuple[int, list[str]]:
    """The issue's session; returns its id and the rules the 185/85 check raised."""
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB", 72.0)).id
    service.record_check(sid, bp(150, 92))
    clock.advance(minutes=10)
    service.record_check(sid, bp(125, 80))  # repeated after a rest
    clock.advance(minutes=2)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    saved = service.record_check(sid, bp(185, 85))
    return sid, [a.rule for a in saved.alerts]


def test_the_repeated_pre_dose_bp_is_the_baseline_of_every_consumer(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    sid, rules = repro(service, clock)
    assert "sys_rise" in rules  # 185 is 60 above 125 (it is not 40 above 150)
    baseline = service.baseline(sid)
    assert baseline is not None and (baseline.signs.systolic, baseline.signs.diastolic) == (125, 80)
    summary = load_summary(store, sid, clock.now())
    stats = {v.measure: v for v in summary.vitals}
    assert (stats["systolic"].baseline, stats["diastolic"].baseline) == (125, 80)
    assert stats["systolic"].peak_change == 60
    assert discharge_context_for(summary, clock.now()).bp.baseline == (125, 80)
    assert summary.rems is not None
    assert summary.rems.field("bp_predose").value.startswith("125/80")  # type: ignore[union-attr]


def test_a_later_baseline_without_a_bp_leaves_the_bp_baseline_in_place(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    """A pre-dose check of the scores only (no BP) is a baseline too; the BP rise rules
    must still compare with the last baseline that has a BP, as the summary does."""
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB", 72.0)).id
    service.record_check(sid, bp(125, 80))
    clock.advance(minutes=5)
    service.record_check(sid, {"anxiety": "3", "recorded_by": "AB"})
    clock.advance(minutes=2)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    saved = service.record_check(sid, bp(185, 85))
    assert "sys_rise" in [a.rule for a in saved.alerts]
    summary = load_summary(store, sid, clock.now())
    assert {v.measure: v.baseline for v in summary.vitals}["systolic"] == 125
    assert discharge_context_for(summary, clock.now()).bp.baseline == (125, 80)


def test_a_check_marked_baseline_after_the_dose_does_not_replace_the_pre_dose_one(
    service: MonitoringService, store: SessionStore, clock: ManualClock
) -> None:
    sid, _ = repro(service, clock)
    clock.advance(minutes=5)
    service.record_check(sid, bp(140, 90), is_baseline=True)
    baseline = service.baseline(sid)
    assert baseline is not None and baseline.signs.systolic == 125
    summary = load_summary(store, sid, clock.now())
    assert {v.measure: v.baseline for v in summary.vitals}["systolic"] == 125
    assert discharge_context_for(summary, clock.now()).bp.baseline == (125, 80)


def _check(i: int, minutes: float, *, baseline: bool, **signs: object) -> VitalsCheck:
    when = ManualClock().now() + timedelta(minutes=minutes)
    return VitalsCheck(i, 1, when, when, VitalSigns(**signs), is_baseline=baseline)  # type: ignore[arg-type]


def test_the_rule_latest_marked_before_the_dose_per_measure_corrections_applied() -> None:
    dose_at = ManualClock().now() + timedelta(minutes=12)
    checks = [
        _check(1, 0, baseline=True, systolic=150, diastolic=92, temperature_c=36.8),
        _check(2, 10, baseline=True, systolic=125, diastolic=80),
        _check(3, 50, baseline=True, systolic=140, diastolic=90),  # after the dose
    ]
    assert baseline_check(checks, dose_at).id == 2  # type: ignore[union-attr]
    assert baseline_check(checks, dose_at, "temperature_c").id == 1  # type: ignore[union-attr]
    assert baseline_values(checks, dose_at, ("systolic", "diastolic", "spo2")) == {
        "systolic": 125.0,
        "diastolic": 80.0,
    }
    assert baseline_check(checks[2:], dose_at).id == 3  # type: ignore[union-attr]
    assert baseline_check(checks, None).id == 3  # type: ignore[union-attr]
    fixed = VitalsCheck(
        4,
        1,
        checks[1].taken_at,
        checks[1].taken_at,
        VitalSigns(systolic=128, diastolic=82),
        is_baseline=True,
        corrects_id=2,
    )
    assert baseline_check([*checks, fixed], dose_at).id == 4  # type: ignore[union-attr]
    unmarked = [_check(1, 0, baseline=False, systolic=128, diastolic=80)]
    assert baseline_check(unmarked, dose_at) is None
    assert bp_recovery(unmarked).baseline is None
    assert suggest_aldrete(checks, dose_at)["circulation"] == 2
