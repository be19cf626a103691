"""The sustained-breach rule on monitor numerics (issue 17, DESIGN.md section 7).

A monitor sends HR and SpO2 every 1–5 s, and a single value out of range is usually
motion or a probe slipping: it must not alert. A value that stays out of range for the
clinic's number of seconds (`monitor_sustained_s`) raises one staff-side alert for the
episode. The comparison, its severity and its wording are the typed-check rules of
`domain.alerts` (one rule in one place); only the SpO2 limit is the monitor's own
setting (`monitor_spo2_below`), and the HR limits are the session's thresholds.

Pure and fed in time order, so it runs on simulated time in tests and on the room's
clock in the app. A value outside plausibility (`domain.vitals`: a sensor-off 0 %) is no
evidence either way; a gap of more than `max_gap_s` (10 s) between samples starts over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from session_app.domain.alerts import ABSOLUTE_RULES, RULE_LABELS, AlertFinding, Rule
from session_app.domain.clock import ensure_utc
from session_app.domain.protocols import Thresholds
from session_app.domain.vitals import FIELD_BY_NAME

# The typed-check rules the monitor numerics are held to, by measure.
_RULES: dict[str, tuple[Rule, ...]] = {
    measure: tuple(r for r in ABSOLUTE_RULES if r.key in keys)
    for measure, keys in (("spo2", ("spo2_low",)), ("heart_rate", ("hr_low", "hr_high")))
}
_WORDS = {"spo2_low": "below", "hr_low": "below", "hr_high": "above"}


@dataclass(frozen=True)
class SustainedLimits:
    """What counts as a breach, and for how long it must hold."""

    spo2_below: float = 92
    hr_low: float = 50
    hr_high: float = 130
    hold_s: float = 15
    # Numerics come every 1–5 s (a 1 Hz oximeter, HL7 monitors): twice the slowest
    # rhythm, so a 5 s feed with jitter is not a gap; a probe off for longer is.
    max_gap_s: float = 10

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], thresholds: Thresholds) -> SustainedLimits:
        """The clinic's monitor settings and the session's own HR limits (its snapshot)."""
        return cls(
            spo2_below=settings["monitor_spo2_below"],
            hr_low=thresholds.hr_low,
            hr_high=thresholds.hr_high,
            hold_s=settings["monitor_sustained_s"],
        )

    def limit(self, rule: Rule) -> float:
        return {"spo2_low": self.spo2_below, "hr_low": self.hr_low, "hr_high": self.hr_high}[
            rule.key
        ]


@dataclass(frozen=True)
class SustainedBreach:
    """A value that has stayed out of range for `hold_s`: one per episode.

    `since` is the episode's first out-of-range sample, `confirmed_at` the sample at which
    it had held long enough, `worst` the value furthest out of range up to then."""

    rule: str  # the alerts rule key: "spo2_low", "hr_low", "hr_high"
    measure: str
    since: datetime
    confirmed_at: datetime
    worst: float
    limit: float
    hold_s: float

    @property
    def message(self) -> str:
        """E.g. "SpO2 below 92 % for 15 s (lowest 89 %)"."""
        label, unit = RULE_LABELS[self.measure]
        extreme = "highest" if self.rule == "hr_high" else "lowest"
        return (
            f"{label} {_WORDS[self.rule]} {_fmt(self.limit)} {unit} for {_fmt(self.hold_s)} s "
            f"({extreme} {_fmt(self.worst)} {unit})"
        )

    def finding(self) -> AlertFinding:
        """The alert the service raises, marked as from the monitor, at the severity the
        same rule has on a typed check."""
        severity = next(r.severity for r in ABSOLUTE_RULES if r.key == self.rule)
        return AlertFinding(
            severity, self.rule, self.measure, self.worst, f"From monitor: {self.message}"
        )


@dataclass(frozen=True)
class BreachEnded:
    """An episode that had raised a breach is over: the value came back in range
    ("recovered"), or samples stopped for longer than the gap allows ("no data")."""

    rule: str
    measure: str
    since: datetime
    ended_at: datetime
    reason: str


BreachEvent = SustainedBreach | BreachEnded


@dataclass
class _Episode:
    rule: Rule
    since: datetime
    worst: float
    breach: SustainedBreach | None = None


class SustainedBreachRule:
    """Feed it samples in time order; it says when a breach is confirmed and when it ends.

    One open episode per measure at most (HR cannot be above and below at once)."""

    def __init__(self, limits: SustainedLimits) -> None:
        self.limits = limits
        self._last_at: dict[str, datetime] = {}
        self._episodes: dict[str, _Episode] = {}

    def feed(self, measure: str, value: float, at: datetime) -> list[BreachEvent]:
        """The breaches confirmed or ended by this sample (usually none)."""
        at = ensure_utc(at)
        rules = _RULES.get(measure)
        if rules is None or not _plausible(measure, value):
            return []
        last = self._last_at.get(measure)
        if last is not None and at <= last:
            return []  # late or repeated: the episode has already moved past it
        self._last_at[measure] = at
        events: list[BreachEvent] = []
        episode = self._episodes.get(measure)
        if episode is not None and last is not None and at - last > self._gap:
            events += self._end(measure, at, "no data")
            episode = None
        crossed = next((r for r in rules if r.test(value, self.limits.limit(r))), None)
        if episode is not None and (crossed is None or crossed.key != episode.rule.key):
            events += self._end(measure, at, "recovered")
            episode = None
        if crossed is None:
            return events
        if episode is None:
            episode = self._episodes[measure] = _Episode(crossed, at, value)
        episode.worst = (
            max(value, episode.worst) if crossed.key == "hr_high" else min(value, episode.worst)
        )
        if episode.breach is None and at - episode.since >= self._hold:
            episode.breach = SustainedBreach(
                crossed.key,
                measure,
                episode.since,
                at,
                episode.worst,
                self.limits.limit(crossed),
                self.limits.hold_s,
            )
            events.append(episode.breach)
        return events

    def active(self) -> tuple[SustainedBreach, ...]:
        """The breaches confirmed and not yet ended."""
        return tuple(e.breach for e in self._episodes.values() if e.breach is not None)

    @property
    def _gap(self) -> timedelta:
        return timedelta(seconds=self.limits.max_gap_s)

    @property
    def _hold(self) -> timedelta:
        return timedelta(seconds=self.limits.hold_s)

    def _end(self, measure: str, at: datetime, reason: str) -> list[BreachEvent]:
        episode = self._episodes.pop(measure)
        if episode.breach is None:
            return []  # never confirmed: nothing was raised, nothing to end
        return [BreachEnded(episode.rule.key, measure, episode.since, at, reason)]


def _plausible(measure: str, value: float) -> bool:
    spec = FIELD_BY_NAME[measure]
    assert spec.low is not None and spec.high is not None
    return spec.low <= value <= spec.high


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
