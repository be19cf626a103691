"""A simulated treatment session as a bedside monitor sees it: pure, in simulated time.

The listener, the proposed checks, the monitor trace and the sustained-breach rule need
a realistic feed to be tested against and shown to newcomers, and nobody has a monitor on
their desk. This module only says *what* the monitor measures and *when* (seconds from the
start of the session); `profiles` says how a vendor writes it down and `sim_cli` when it
goes on the wire (`--speed` compresses simulated time).

The shape follows DESIGN.md §3 and issue 17: NIBP every 5 min, every 3 min during the
dose window; HR, pulse, SpO2 and RR once a second; a BP rise peaking about 40 min after
the dose (the esketamine labelling's peak) and easing back; one short SpO2 dip (long
enough to be a sustained breach, SpO2 < 92 for >= 15 s); one implausible NIBP (a motion
artefact outside the plausibility limits). The same plan and seed give the same session.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

NIBP_EVERY_S = 5 * 60
NIBP_EVERY_DOSE_WINDOW_S = 3 * 60
# A motion artefact as a cuff may report one: outside SYS 40-300 and DIA 20-200.
ARTEFACT_SYSTOLIC = 312
ARTEFACT_DIASTOLIC = 15


@dataclass(frozen=True)
class SessionPlan:
    """What the simulated session looks like; every default is a plausible adult."""

    duration_min: float = 120.0  # the REMS minimum monitoring time
    dose_at_min: float = 5.0  # two baseline NIBPs (0 and 5 min) before the dose
    dose_window_min: float = 40.0  # a typical IV infusion; NIBP every 3 min in it
    seed: int = 17
    baseline_systolic: int = 122
    baseline_diastolic: int = 78
    baseline_heart_rate: int = 72
    baseline_spo2: int = 97
    baseline_resp_rate: int = 14
    bp_rise_systolic: int = 30  # large enough to be seen; the alert rule is +40
    bp_rise_diastolic: int = 14
    bp_peak_after_dose_min: float = 40.0
    bp_rise_width_min: float = 15.0
    dip_after_dose_min: float = 20.0
    dip_seconds: int = 40
    dip_lowest_spo2: int = 88
    artefact_after_dose_min: float = 15.0

    def __post_init__(self) -> None:
        if not self.duration_min > 0:
            raise ValueError(f"the session's duration must be above 0 min: {self.duration_min}")

    @property
    def duration_s(self) -> int:
        return max(1, round(self.duration_min * 60))

    @property
    def dose_at_s(self) -> float:
        return self.dose_at_min * 60


@dataclass(frozen=True)
class Numerics:
    """The periodic numerics a monitor sends every second."""

    at_s: int
    heart_rate: int  # ECG
    pulse_rate: int  # from the oximeter
    spo2: int
    resp_rate: int
    perfusion_index: float  # only the Masimo line carries it


@dataclass(frozen=True)
class NibpReading:
    """One cuff measurement (aperiodic): the monitor reports it when the cuff deflates."""

    at_s: int
    systolic: int
    diastolic: int
    mean: int
    pulse_rate: int
    artefact: bool = False


VitalsEvent = Numerics | NibpReading


def nibp_times(plan: SessionPlan) -> list[int]:
    """When the cuff measures: at the start, then every 5 min (3 min in the dose window)."""
    window = (plan.dose_at_s, plan.dose_at_s + plan.dose_window_min * 60)
    times, at = [], 0
    while at < plan.duration_s:
        times.append(at)
        at += NIBP_EVERY_DOSE_WINDOW_S if window[0] <= at < window[1] else NIBP_EVERY_S
    return times


def _bp_rise(plan: SessionPlan, at_s: float) -> float:
    """0 before the dose, 1 at the peak, a bell around it (easing back after)."""
    if at_s < plan.dose_at_s:
        return 0.0
    peak = plan.dose_at_s + plan.bp_peak_after_dose_min * 60
    width = plan.bp_rise_width_min * 60
    return math.exp(-(((at_s - peak) / width) ** 2) / 2)


def _dip_depth(plan: SessionPlan, at_s: float) -> float:
    """0 outside the dip, 1 at its lowest: a smooth fall and recovery."""
    start = plan.dose_at_s + plan.dip_after_dose_min * 60
    x = (at_s - start) / plan.dip_seconds
    return math.sin(math.pi * x) if 0 <= x <= 1 else 0.0


def _artefact_at(plan: SessionPlan, times: list[int]) -> int | None:
    """The first cuff cycle at or after the planned artefact time (none if past the end)."""
    wanted = plan.dose_at_s + plan.artefact_after_dose_min * 60
    return next((t for t in times if t >= wanted), None)


def session_events(plan: SessionPlan) -> list[VitalsEvent]:
    """Every event of the session in time order; at one second, numerics before NIBP."""
    rng = random.Random(plan.seed)
    times = nibp_times(plan)
    artefact = _artefact_at(plan, times)
    cuff = set(times)
    events: list[VitalsEvent] = []
    for at in range(plan.duration_s):
        rise = _bp_rise(plan, at)
        dip = _dip_depth(plan, at)
        heart_rate = round(plan.baseline_heart_rate + 8 * rise + 5 * dip + rng.gauss(0, 1.5))
        spo2_drop = (plan.baseline_spo2 - plan.dip_lowest_spo2) * dip
        spo2 = min(100, round(plan.baseline_spo2 + rng.choice((0, 0, 1)) - spo2_drop))
        events.append(
            Numerics(
                at_s=at,
                heart_rate=heart_rate,
                pulse_rate=heart_rate + rng.choice((-1, 0, 0, 1)),
                spo2=spo2,
                resp_rate=round(plan.baseline_resp_rate - 2 * dip + rng.gauss(0, 0.7)),
                perfusion_index=round(3.2 + rng.gauss(0, 0.4), 2),
            )
        )
        if at in cuff:
            events.append(_cuff_reading(plan, at, heart_rate, rise, rng, at == artefact))
    return events


def _cuff_reading(
    plan: SessionPlan, at: int, heart_rate: int, rise: float, rng: random.Random, artefact: bool
) -> NibpReading:
    if artefact:
        systolic, diastolic = ARTEFACT_SYSTOLIC, ARTEFACT_DIASTOLIC
    else:
        systolic = round(plan.baseline_systolic + plan.bp_rise_systolic * rise + rng.gauss(0, 3))
        diastolic = round(plan.baseline_diastolic + plan.bp_rise_diastolic * rise + rng.gauss(0, 2))
    mean = round(diastolic + (systolic - diastolic) / 3)
    return NibpReading(at, systolic, diastolic, mean, heart_rate, artefact=artefact)
