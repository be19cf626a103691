"""The sustained-breach rule on monitor numerics, in simulated time (issue 17).

A monitor value out of range raises a staff-side alert only once it has held for the
clinic's number of seconds; one alert per episode; a gap in the samples starts over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from session_app.domain.alerts import Severity
from session_app.domain.protocols import Thresholds
from session_app.domain.settings import resolve_settings, validate_settings
from session_app.domain.sustained import (
    BreachEnded,
    SustainedBreach,
    SustainedBreachRule,
    SustainedLimits,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LIMITS = SustainedLimits(spo2_below=92, hr_low=50, hr_high=130, hold_s=15, max_gap_s=5)


def feed_every_second(
    rule: SustainedBreachRule, measure: str, values: list[float], start_s: int = 0
) -> list[SustainedBreach | BreachEnded]:
    """Feed one value a second from T0 + start_s, as a 1 Hz oximeter does."""
    events: list[SustainedBreach | BreachEnded] = []
    for i, value in enumerate(values):
        events += rule.feed(measure, value, T0 + timedelta(seconds=start_s + i))
    return events


def breaches(events: list[SustainedBreach | BreachEnded]) -> list[SustainedBreach]:
    return [e for e in events if isinstance(e, SustainedBreach)]


def test_14_seconds_below_raises_nothing() -> None:
    rule = SustainedBreachRule(LIMITS)
    # samples at 0..14 s: the low value has held for 14 s at the last one
    events = feed_every_second(rule, "spo2", [88] * 15 + [97])
    assert breaches(events) == []


def test_15_seconds_below_raises_one_breach_marked_from_monitor() -> None:
    rule = SustainedBreachRule(LIMITS)
    events = feed_every_second(rule, "spo2", [89] * 30)
    (breach,) = breaches(events)
    assert breach.rule == "spo2_low"
    assert breach.measure == "spo2"
    assert breach.since == T0
    assert breach.confirmed_at == T0 + timedelta(seconds=15)
    assert breach.worst == 89
    assert breach.message == "SpO2 below 92 % for 15 s (lowest 89 %)"
    assert rule.active() == (breach,)
    finding = breach.finding()
    assert (finding.severity, finding.rule, finding.measure, finding.value) == (
        Severity.ALERT,
        "spo2_low",
        "spo2",
        89,
    )
    assert finding.message == "From monitor: SpO2 below 92 % for 15 s (lowest 89 %)"


def test_a_recovery_ends_the_breach_and_a_second_episode_raises_a_second() -> None:
    rule = SustainedBreachRule(LIMITS)
    values = [88] * 20 + [96] * 10 + [87] * 20
    events = feed_every_second(rule, "spo2", values)
    first, second = breaches(events)
    ended = [e for e in events if isinstance(e, BreachEnded)]
    assert [e.reason for e in ended] == ["recovered"]
    assert ended[0].ended_at == T0 + timedelta(seconds=20)
    assert first.since == T0
    assert second.since == T0 + timedelta(seconds=30)
    assert second.worst == 87


def test_one_spike_never_raises() -> None:
    rule = SustainedBreachRule(LIMITS)
    values = [97] * 10 + [150] + [80] * 60 + [97] * 10
    events = feed_every_second(rule, "heart_rate", values)
    assert breaches(events) == []


def test_single_low_spo2_sample_among_normal_ones_never_raises() -> None:
    rule = SustainedBreachRule(LIMITS)
    values = ([97] * 5 + [85]) * 10
    assert breaches(feed_every_second(rule, "spo2", values)) == []


def test_a_gap_in_samples_starts_the_count_again() -> None:
    rule = SustainedBreachRule(LIMITS)
    events = feed_every_second(rule, "spo2", [88] * 10)  # 0..9 s
    # the probe came off for 7 s (> max_gap_s), then 10 more seconds low: 10 + 10 s in
    # all, but never 15 s without a gap
    events += feed_every_second(rule, "spo2", [88] * 11, start_s=16)  # 16..26 s
    assert breaches(events) == []
    events += feed_every_second(rule, "spo2", [88] * 5, start_s=27)  # 27..31 s: 15 s held
    (breach,) = breaches(events)
    assert breach.since == T0 + timedelta(seconds=16)


def test_a_gap_ends_an_active_breach_for_lack_of_data() -> None:
    rule = SustainedBreachRule(LIMITS)
    events = feed_every_second(rule, "spo2", [88] * 20)
    assert len(breaches(events)) == 1
    later = rule.feed("spo2", 88, T0 + timedelta(seconds=40))
    assert [(type(e), getattr(e, "reason", "")) for e in later] == [(BreachEnded, "no data")]
    assert rule.active() == ()


def test_heart_rate_above_and_below_its_limits_are_separate_breaches() -> None:
    rule = SustainedBreachRule(LIMITS)
    high = feed_every_second(rule, "heart_rate", [140] * 16)
    low = feed_every_second(rule, "heart_rate", [42] * 16, start_s=16)
    assert [b.rule for b in breaches(high)] == ["hr_high"]
    assert breaches(high)[0].message == "Heart rate above 130 /min for 15 s (highest 140 /min)"
    assert [b.rule for b in breaches(low)] == ["hr_low"]
    assert breaches(low)[0].message == "Heart rate below 50 /min for 15 s (lowest 42 /min)"
    assert [e.rule for e in low if isinstance(e, BreachEnded)] == ["hr_high"]


def test_the_limit_itself_is_in_range_as_the_typed_alert_rules_say() -> None:
    rule = SustainedBreachRule(LIMITS)
    events = feed_every_second(rule, "spo2", [92] * 30)
    events += feed_every_second(rule, "heart_rate", [130] * 30)
    events += feed_every_second(rule, "heart_rate", [50] * 30, start_s=30)
    assert breaches(events) == []


def test_implausible_values_are_no_evidence_either_way() -> None:
    """A sensor-off 0 % or an HR of 300 is outside plausibility (domain.vitals): it never
    raises an alert, and it does not end a breach either: it counts as no sample."""
    rule = SustainedBreachRule(LIMITS)
    assert breaches(feed_every_second(rule, "spo2", [0] * 30)) == []
    events = feed_every_second(rule, "spo2", [88] * 16, start_s=30)
    assert len(breaches(events)) == 1
    assert rule.feed("spo2", 0, T0 + timedelta(seconds=47)) == []
    assert len(rule.active()) == 1


def test_other_measures_and_out_of_order_samples_are_ignored() -> None:
    rule = SustainedBreachRule(LIMITS)
    assert feed_every_second(rule, "systolic", [250] * 30) == []
    feed_every_second(rule, "spo2", [88] * 10, start_s=100)
    # a late sample from before the last one: ignored, does not reset the episode
    assert rule.feed("spo2", 97, T0 + timedelta(seconds=50)) == []
    events = feed_every_second(rule, "spo2", [88] * 6, start_s=110)
    assert len(breaches(events)) == 1


def test_naive_times_are_refused() -> None:
    rule = SustainedBreachRule(LIMITS)
    with pytest.raises(ValueError, match="time zone"):
        rule.feed("spo2", 88, datetime(2026, 1, 5, 9, 0))


def test_limits_come_from_the_clinic_settings_and_the_sessions_thresholds() -> None:
    settings = resolve_settings({"monitor_spo2_below": 90, "monitor_sustained_s": 30})
    limits = SustainedLimits.from_settings(settings, Thresholds(hr_low=45, hr_high=120))
    assert (limits.spo2_below, limits.hold_s) == (90, 30)
    assert (limits.hr_low, limits.hr_high) == (45, 120)
    defaults = SustainedLimits.from_settings(resolve_settings({}), Thresholds())
    assert (defaults.spo2_below, defaults.hold_s, defaults.hr_low, defaults.hr_high) == (
        92,
        15,
        50,
        130,
    )


def test_the_monitor_settings_refuse_values_outside_their_range() -> None:
    problems = validate_settings({"monitor_sustained_s": 2, "monitor_spo2_below": 101})
    assert problems == {
        "monitor_sustained_s": (
            "Monitor: alert once a value has stayed out of range for: '2' is outside 5–120 s"
        ),
        "monitor_spo2_below": "Monitor: alert when SpO2 stays below: '101' is outside 70–100 %",
    }


def test_a_monitor_sending_every_5_s_with_jitter_is_not_a_gap_by_default() -> None:
    """HL7 numerics come every 1–5 s: a sample 5.5 s after the last is the feed's rhythm,
    not a gap, or a slow monitor could never raise a sustained breach."""
    limits = SustainedLimits.from_settings(resolve_settings({}), Thresholds())
    rule = SustainedBreachRule(limits)
    events: list[SustainedBreach | BreachEnded] = []
    for i in range(5):  # 0, 5.5, 11, 16.5, 22 s
        events += rule.feed("spo2", 88, T0 + timedelta(seconds=5.5 * i))
    (breach,) = breaches(events)
    assert breach.confirmed_at == T0 + timedelta(seconds=16.5)
