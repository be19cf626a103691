"""Alert rules on one vitals check (DESIGN.md section 3), separate from any widget.

Each rule compares one value with a clinic threshold and, when crossed, yields a
finding that says the value and the rule in words a nurse reads at a glance. The app
records and reminds: messages state facts, and the only wording beyond that is
DESIGN's own "consider delaying" for a high blood pressure before dosing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from session_app.domain.protocols import Thresholds
from session_app.domain.vitals import FIELD_BY_NAME, VitalSigns

MOAAS_LOWEST = int(FIELD_BY_NAME["moaas"].low or 0)  # MOAA/S 0: no response


class Severity(StrEnum):
    """Ordered: ADVISORY < ALERT < HIGH < URGENT. The value is what the store keeps."""

    ADVISORY = "advisory"
    ALERT = "alert"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def title(self) -> str:
        return self.value.capitalize()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_RANK = {s: i for i, s in enumerate(Severity)}


def worst(severities: Iterable[Severity]) -> Severity | None:
    """The most severe of `severities` (None if there are none): the one ranking every
    view uses, so a value with two alerts shows the same colour on the chart, in the
    flowsheet and in the alerts list (issue 14)."""
    return max(severities, key=lambda s: s.rank, default=None)


@dataclass(frozen=True)
class AlertFinding:
    severity: Severity
    rule: str  # rule key, e.g. "hr_high"; the threshold field it uses has the same stem
    measure: str  # VitalSigns field name, e.g. "heart_rate"
    value: float
    message: str  # e.g. "Heart rate 134 /min is above 130 /min"


@dataclass(frozen=True)
class Rule:
    """One comparison. `test(value, limit)` is True when the finding should be raised."""

    key: str
    measure: str
    limit_name: str  # field of Thresholds
    severity: Severity
    test: Callable[[float, float], bool]
    wording: str  # e.g. "is above", completed with the limit and unit


RULE_LABELS = {
    "systolic": ("Systolic BP", "mmHg"),
    "diastolic": ("Diastolic BP", "mmHg"),
    "heart_rate": ("Heart rate", "/min"),
    "spo2": ("SpO2", "%"),
    "resp_rate": ("Respiratory rate", "/min"),
    "moaas": ("Sedation (MOAA/S)", ""),
}

ABSOLUTE_RULES: tuple[Rule, ...] = (
    Rule("sys_high", "systolic", "sys_high", Severity.HIGH, lambda v, t: v >= t, "is at or above"),
    Rule("dia_high", "diastolic", "dia_high", Severity.HIGH, lambda v, t: v >= t, "is at or above"),
    Rule("hr_low", "heart_rate", "hr_low", Severity.ALERT, lambda v, t: v < t, "is below"),
    Rule("hr_high", "heart_rate", "hr_high", Severity.ALERT, lambda v, t: v > t, "is above"),
    Rule("spo2_low", "spo2", "spo2_low", Severity.ALERT, lambda v, t: v < t, "is below"),
    Rule("rr_low", "resp_rate", "rr_low", Severity.ALERT, lambda v, t: v < t, "is below"),
    Rule("rr_high", "resp_rate", "rr_high", Severity.ALERT, lambda v, t: v > t, "is above"),
)
PREDOSE_RULES: tuple[Rule, ...] = (
    Rule(
        "predose_sys_delay",
        "systolic",
        "predose_sys_delay",
        Severity.ADVISORY,
        lambda v, t: v > t,
        "before dosing is above",
    ),
    Rule(
        "predose_dia_delay",
        "diastolic",
        "predose_dia_delay",
        Severity.ADVISORY,
        lambda v, t: v > t,
        "before dosing is above",
    ),
)
RISE_RULES: tuple[Rule, ...] = (
    Rule("sys_rise", "systolic", "sys_rise", Severity.ALERT, lambda v, t: v >= t, ""),
    Rule("dia_rise", "diastolic", "dia_rise", Severity.ALERT, lambda v, t: v >= t, ""),
)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _with_unit(value: float, unit: str) -> str:
    return f"{_fmt(value)} {unit}".rstrip()


def _moaas_message(value: int, limit: int) -> str:
    """E.g. "Sedation (MOAA/S) 1 is at or below 2". At the scale's lowest level nothing is
    below it, so the message names the level ("0 is at or below 0" read as a slip)."""
    label = RULE_LABELS["moaas"][0]
    if value <= limit <= MOAAS_LOWEST:
        return f"{label} {value}: no response, the lowest level"
    return f"{label} {value} is at or below {limit}"


def evaluate(
    signs: VitalSigns,
    thresholds: Thresholds,
    baseline: VitalSigns | None = None,
    *,
    before_dose: bool = False,
) -> list[AlertFinding]:
    """Every threshold this check crosses, most severe first.

    `before_dose` adds the "consider delaying" advisory for BP above the pre-dose limits
    and skips the rise-over-baseline rules (there is nothing to rise from yet). A rise is
    only judged when both the check and the baseline have that BP value.
    """
    findings: list[AlertFinding] = []
    rules = ABSOLUTE_RULES + (PREDOSE_RULES if before_dose else ())
    for rule in rules:
        value = getattr(signs, rule.measure)
        limit = getattr(thresholds, rule.limit_name)
        if value is None or not rule.test(value, limit):
            continue
        label, unit = RULE_LABELS[rule.measure]
        message = f"{label} {_with_unit(value, unit)} {rule.wording} {_with_unit(limit, unit)}"
        if rule.severity is Severity.ADVISORY:
            message += ": consider delaying the dose"
        findings.append(AlertFinding(rule.severity, rule.key, rule.measure, value, message))

    if baseline is not None and not before_dose:
        for rule in RISE_RULES:
            value, before = getattr(signs, rule.measure), getattr(baseline, rule.measure)
            limit = getattr(thresholds, rule.limit_name)
            if value is None or before is None or not rule.test(value - before, limit):
                continue
            label, unit = RULE_LABELS[rule.measure]
            message = (
                f"{label} {_with_unit(value, unit)} is {_fmt(value - before)} {unit} above "
                f"baseline {_with_unit(before, unit)} (rise of {_fmt(limit)} {unit} or more)"
            )
            findings.append(AlertFinding(rule.severity, rule.key, rule.measure, value, message))

    if signs.moaas is not None:
        if signs.moaas <= thresholds.moaas_urgent:
            findings.append(
                AlertFinding(
                    Severity.URGENT,
                    "moaas_urgent",
                    "moaas",
                    signs.moaas,
                    _moaas_message(signs.moaas, thresholds.moaas_urgent),
                )
            )
        elif signs.moaas <= thresholds.moaas_alert:
            findings.append(
                AlertFinding(
                    Severity.ALERT,
                    "moaas_alert",
                    "moaas",
                    signs.moaas,
                    _moaas_message(signs.moaas, thresholds.moaas_alert),
                )
            )
    findings.sort(key=lambda f: f.severity.rank, reverse=True)
    return findings
