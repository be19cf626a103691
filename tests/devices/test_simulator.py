"""The simulated session has the shape the brief promises: NIBP cycling, 1 Hz numerics,
a BP rise peaking about 40 min after the dose, one short SpO2 dip, one artefact."""

from __future__ import annotations

import itertools

import pytest

from session_app.devices.simulator import (
    NibpReading,
    Numerics,
    SessionPlan,
    nibp_times,
    session_events,
)
from session_app.domain.errors import ValidationError
from session_app.domain.vitals import validate_vitals

PLAN = SessionPlan()


def _nibp(plan: SessionPlan = PLAN) -> list[NibpReading]:
    return [e for e in session_events(plan) if isinstance(e, NibpReading)]


def _numerics(plan: SessionPlan = PLAN) -> list[Numerics]:
    return [e for e in session_events(plan) if isinstance(e, Numerics)]


def _plausible(reading: NibpReading) -> bool:
    """The store's own plausibility limits decide (domain.vitals), not a copy of them."""
    try:
        validate_vitals(
            {
                "systolic": str(reading.systolic),
                "diastolic": str(reading.diastolic),
                "heart_rate": str(reading.pulse_rate),
                "recorded_by": "SIM",
            }
        )
    except ValidationError:
        return False
    return True


def test_nibp_cycles_every_5_min_and_every_3_min_during_the_dose_window() -> None:
    times = nibp_times(PLAN)
    dose, window_end = PLAN.dose_at_min * 60, (PLAN.dose_at_min + PLAN.dose_window_min) * 60
    assert times[0] == 0
    gaps = [(a, b - a) for a, b in itertools.pairwise(times)]
    assert {gap for at, gap in gaps if dose <= at < window_end} == {180}
    assert {gap for at, gap in gaps if at < dose or at >= window_end} == {300}
    assert times[-1] <= PLAN.duration_min * 60
    assert [e.at_s for e in _nibp()] == times


def test_numerics_arrive_once_a_second_for_the_whole_session() -> None:
    numerics = _numerics()
    assert [n.at_s for n in numerics] == list(range(int(PLAN.duration_min * 60)))


def test_blood_pressure_peaks_about_40_min_after_the_dose() -> None:
    readings = [r for r in _nibp() if not r.artefact]
    peak = max(readings, key=lambda r: r.systolic)
    minutes_after_dose = peak.at_s / 60 - PLAN.dose_at_min
    assert 34 <= minutes_after_dose <= 46
    baseline = readings[0]
    assert peak.systolic - baseline.systolic >= 20
    assert readings[-1].systolic - baseline.systolic <= 10  # back towards baseline


def test_one_short_spo2_dip_long_enough_to_be_a_sustained_breach() -> None:
    low = [n.at_s for n in _numerics() if n.spo2 < 92]
    assert low, "no SpO2 dip"
    runs = 1 + sum(1 for a, b in itertools.pairwise(low) if b - a > 1)
    assert runs == 1
    assert 15 <= len(low) <= 60
    assert min(n.spo2 for n in _numerics()) >= 85


def test_exactly_one_nibp_is_an_implausible_artefact() -> None:
    readings = _nibp()
    artefacts = [r for r in readings if r.artefact]
    assert len(artefacts) == 1
    assert not _plausible(artefacts[0])
    assert all(_plausible(r) for r in readings if not r.artefact)
    assert PLAN.dose_at_min * 60 < artefacts[0].at_s < (PLAN.dose_at_min + 40) * 60


def test_the_same_seed_gives_the_same_session_and_another_seed_another() -> None:
    assert session_events(SessionPlan(seed=5)) == session_events(SessionPlan(seed=5))
    assert session_events(SessionPlan(seed=5)) != session_events(SessionPlan(seed=6))


def test_a_short_session_still_starts_with_a_baseline_nibp() -> None:
    plan = SessionPlan(duration_min=1)
    assert [e.at_s for e in _nibp(plan)] == [0]
    assert len(_numerics(plan)) == 60


@pytest.mark.parametrize("duration", [0, -5])
def test_a_session_needs_a_positive_duration(duration: float) -> None:
    with pytest.raises(ValueError, match="duration"):
        SessionPlan(duration_min=duration)
