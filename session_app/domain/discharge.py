"""Discharge checklist: the aid a nurse completes before ending a session.

DESIGN.md section 3: modified Aldrete (five items scored 0–2, a total of 9 or more is
typical for discharge), blood pressure back within 20 % of baseline (computed from the
record, never typed; the baseline is domain.baseline's), MOAA/S 5, a responsible adult
present, and the advice "no driving until the next day" given. The app records and
reminds; the nurse decides. That is why an unmet criterion or a warning (minimum
monitoring time not reached, a due check missed) never blocks ending the session: it is
shown, and stored with the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from session_app.domain.baseline import baseline_check
from session_app.domain.clock import from_iso, to_iso
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.text import snippet, text_problem
from session_app.domain.vitals import VitalsCheck

NOTE_MAX_LENGTH = 500
NAME_MAX_LENGTH = 120  # a person's name as printed on the REMS form
ALDRETE_TYPICAL_MIN = 9  # a total of 9 or more is the usual discharge level
BP_RECOVERY_LIMIT_PCT = 20.0
DISCHARGE_FORMAT = 1  # version of the dict stored in session_ends.discharge_json


@dataclass(frozen=True)
class AldreteItem:
    """One modified Aldrete item; `levels[n]` is the wording of score n."""

    key: str
    label: str
    levels: tuple[str, str, str]


ALDRETE_ITEMS: tuple[AldreteItem, ...] = (
    AldreteItem(
        "activity",
        "Activity",
        ("Moves no limbs", "Moves two limbs", "Moves all four limbs on command"),
    ),
    AldreteItem(
        "breathing",
        "Breathing",
        ("Apnoeic", "Dyspnoea or limited breathing", "Breathes deeply and coughs freely"),
    ),
    AldreteItem(
        "circulation",
        "Circulation",
        (
            "BP differs from baseline by 50 % or more",
            "BP within 20–49 % of baseline",
            "BP within 20 % of baseline",
        ),
    ),
    AldreteItem(
        "consciousness",
        "Consciousness",
        ("Not responding", "Arousable on calling", "Fully awake"),
    ),
    AldreteItem(
        "spo2",
        "Oxygen saturation",
        (
            "SpO2 below 90 % even with oxygen",
            "Needs oxygen to keep SpO2 above 90 %",
            "SpO2 above 92 % on room air",
        ),
    ),
)
ALDRETE_KEYS: tuple[str, ...] = tuple(item.key for item in ALDRETE_ITEMS)


def validate_note(raw: str) -> str:
    """The checklist's free-text note, checked like every note (domain/text)."""
    text = raw.strip()
    if problem := text_problem(text, NOTE_MAX_LENGTH):
        message = (
            f"Discharge note: '{snippet(raw)}' {problem} "
            f"(accepted: at most {NOTE_MAX_LENGTH} characters)."
        )
        raise ValidationError([FieldError("note", "Discharge note", raw, message)])
    return text


def validate_name(raw: str, field: str, label: str) -> str:
    """A person's name for the REMS form (the completing HCP, a prescriber): trimmed,
    checked like every staff text; empty is allowed (the form then lists it as missing)."""
    text = raw.strip()
    if problem := text_problem(text, NAME_MAX_LENGTH):
        message = (
            f"{label}: '{snippet(raw)}' {problem} (accepted: at most {NAME_MAX_LENGTH} characters)."
        )
        raise ValidationError([FieldError(field, label, raw, message)])
    return text


def latest_with(checks: Sequence[VitalsCheck], measure: str) -> VitalsCheck | None:
    """The most recent check in which `measure` was recorded."""
    for check in sorted(checks, key=lambda c: (c.taken_at, c.id), reverse=True):
        if getattr(check.signs, measure) is not None:
            return check
    return None


@dataclass(frozen=True)
class BpRecovery:
    """Latest BP against baseline. `within` is None when either is missing."""

    baseline: tuple[int, int] | None
    latest: tuple[int, int] | None
    latest_at: datetime | None = None
    limit_pct: float = BP_RECOVERY_LIMIT_PCT

    @property
    def change_pct(self) -> float | None:
        """The larger of the systolic and diastolic changes, in % of baseline (signed)."""
        if self.baseline is None or self.latest is None:
            return None
        changes = [
            (now - base) / base * 100.0
            for base, now in zip(self.baseline, self.latest, strict=True)
            if base
        ]
        return max(changes, key=abs) if changes else None

    @property
    def within(self) -> bool | None:
        change = self.change_pct
        return None if change is None else abs(change) <= self.limit_pct + 1e-9

    def text(self) -> str:
        if self.baseline is None:
            return "No baseline blood pressure recorded"
        if self.latest is None:
            base = f"{self.baseline[0]}/{self.baseline[1]} mmHg"
            return f"No blood pressure recorded after the baseline ({base})"
        change = self.change_pct
        assert change is not None
        return (
            f"{self.latest[0]}/{self.latest[1]} mmHg vs baseline "
            f"{self.baseline[0]}/{self.baseline[1]} mmHg ({change:+.0f} %)"
        )


def bp_recovery(
    checks: Sequence[VitalsCheck],
    dose_at: datetime | None = None,
    limit_pct: float = BP_RECOVERY_LIMIT_PCT,
) -> BpRecovery:
    """Compute BP recovery from the record: the baseline (domain.baseline, the one rule
    the alerts use) and the latest BP after it."""
    base = baseline_check(checks, dose_at)
    latest = latest_with(checks, "systolic")
    if base is None or latest is None or latest.id == base.id:
        return BpRecovery(_bp(base), None, None, limit_pct)
    return BpRecovery(_bp(base), _bp(latest), latest.taken_at, limit_pct)


def _bp(check: VitalsCheck | None) -> tuple[int, int] | None:
    if check is None or check.signs.systolic is None or check.signs.diastolic is None:
        return None
    return (check.signs.systolic, check.signs.diastolic)


def suggest_aldrete(
    checks: Sequence[VitalsCheck], dose_at: datetime | None = None
) -> dict[str, int]:
    """Scores the record can suggest (circulation, consciousness, SpO2); the nurse confirms.

    Activity and breathing are observed at the bedside, so they are never suggested.
    """
    suggestion: dict[str, int] = {}
    change = bp_recovery(checks, dose_at).change_pct
    if change is not None:
        suggestion["circulation"] = 2 if abs(change) <= 20 else 1 if abs(change) < 50 else 0
    moaas = latest_with(checks, "moaas")
    if moaas is not None and moaas.signs.moaas is not None:
        score = moaas.signs.moaas
        suggestion["consciousness"] = 2 if score == 5 else 1 if score >= 3 else 0
    spo2 = latest_with(checks, "spo2")
    if spo2 is not None and spo2.signs.spo2 is not None:
        value, on_o2 = spo2.signs.spo2, bool(spo2.signs.on_oxygen)
        if value > 92 and not on_o2:
            suggestion["spo2"] = 2
        elif value > 90:
            suggestion["spo2"] = 1
        else:
            suggestion["spo2"] = 0
    return suggestion


@dataclass(frozen=True)
class Criterion:
    """One line of the checklist result; `met` is None when the record cannot tell."""

    key: str
    label: str
    met: bool | None
    detail: str = ""


@dataclass(frozen=True)
class DischargeInput:
    """What the nurse ticks or chooses in the checklist dialog."""

    aldrete: Mapping[str, int]
    responsible_adult: bool
    advice_given: bool  # no driving until the next day
    ended_by: str = ""
    note: str = ""
    # REMS form items the nurse attests (esketamine preset only; None = not asked)
    vitals_ok_predose: bool | None = None
    vitals_ok_leaving: bool | None = None
    ready_to_leave_at: datetime | None = None
    serious_adverse_event: bool | None = None
    hcp_name: str = ""  # the healthcare provider completing the REMS form (full name)
    prescriber: str = ""  # empty: the clinic's default prescriber (setting rems.prescriber)


@dataclass(frozen=True)
class DischargeContext:
    """What the record says at the moment of discharge (computed, never typed)."""

    now: datetime
    bp: BpRecovery
    latest_moaas: int | None
    monitoring_min: float | None  # minutes monitored since the protocol's anchor (dose / end)
    min_monitoring_min: float | None  # the protocol's minimum
    missed_checks: int = 0
    # the clinic's REMS identity when the form is completed (setting_name, setting_id,
    # prescriber), stored with the discharge so a later settings change leaves it as signed
    rems_clinic: Mapping[str, str] = field(default_factory=dict)


def discharge_context(
    checks: Sequence[VitalsCheck],
    now: datetime,
    *,
    monitoring_ends_at: datetime | None,
    min_monitoring_min: float | None,
    missed_checks: int = 0,
    dose_at: datetime | None = None,
    rems_clinic: Mapping[str, str] | None = None,
) -> DischargeContext:
    """Gather the computed side of the checklist from current (corrected) checks.

    `monitoring_ends_at` is when the protocol's minimum monitoring time is reached
    (Protocol.monitoring_ends_at); None while its anchor (dose, infusion end) is unknown.
    """
    moaas = latest_with(checks, "moaas")
    minutes: float | None = None
    if monitoring_ends_at is not None and min_monitoring_min is not None:
        minutes = min_monitoring_min - (monitoring_ends_at - now).total_seconds() / 60
    return DischargeContext(
        now=now,
        bp=bp_recovery(checks, dose_at),
        latest_moaas=moaas.signs.moaas if moaas else None,
        monitoring_min=minutes,
        min_monitoring_min=min_monitoring_min,
        missed_checks=missed_checks,
        rems_clinic=dict(rems_clinic or {}),
    )


@dataclass(frozen=True)
class DischargeResult:
    """The checklist's outcome: per-criterion lines, the Aldrete total and the warnings."""

    aldrete: dict[str, int]
    criteria: tuple[Criterion, ...]
    warnings: tuple[str, ...]
    input: DischargeInput
    context: DischargeContext
    missing_items: tuple[str, ...] = field(default=())

    @property
    def aldrete_total(self) -> int | None:
        return sum(self.aldrete.values()) if len(self.aldrete) == len(ALDRETE_ITEMS) else None

    @property
    def all_met(self) -> bool:
        return all(c.met is True for c in self.criteria)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form stored in session_ends.discharge_json (read back by from_stored)."""
        ctx, given = self.context, self.input
        return {
            "format": DISCHARGE_FORMAT,
            "assessed_at": to_iso(ctx.now),
            "aldrete": dict(self.aldrete),
            "aldrete_total": self.aldrete_total,
            "criteria": [
                {"key": c.key, "label": c.label, "met": c.met, "detail": c.detail}
                for c in self.criteria
            ],
            "all_met": self.all_met,
            "warnings": list(self.warnings),
            "bp_baseline": list(ctx.bp.baseline) if ctx.bp.baseline else None,
            "bp_latest": list(ctx.bp.latest) if ctx.bp.latest else None,
            "bp_change_pct": (
                round(ctx.bp.change_pct, 1) if ctx.bp.change_pct is not None else None
            ),
            "latest_moaas": ctx.latest_moaas,
            "monitoring_min": (
                round(ctx.monitoring_min, 1) if ctx.monitoring_min is not None else None
            ),
            "min_monitoring_min": ctx.min_monitoring_min,
            "missed_checks": ctx.missed_checks,
            "responsible_adult": given.responsible_adult,
            "advice_no_driving": given.advice_given,
            "ended_by": given.ended_by,
            "note": given.note,
            "vitals_ok_predose": given.vitals_ok_predose,
            "vitals_ok_leaving": given.vitals_ok_leaving,
            "ready_to_leave_at": (
                to_iso(given.ready_to_leave_at) if given.ready_to_leave_at else None
            ),
            "serious_adverse_event": given.serious_adverse_event,
            "hcp_name": given.hcp_name,
            **self._rems_clinic(),
        }

    def _rems_clinic(self) -> dict[str, str]:
        """The REMS identity as completed: the session's prescriber, else the clinic's."""
        clinic = self.context.rems_clinic
        if not clinic and not self.input.prescriber:
            return {"prescriber": ""}
        return {
            "rems_setting_name": clinic.get("setting_name", ""),
            "rems_setting_id": clinic.get("setting_id", ""),
            "prescriber": self.input.prescriber or clinic.get("prescriber", ""),
        }


def assess(given: DischargeInput, context: DischargeContext) -> DischargeResult:
    """Score the checklist and list what is unmet and what deserves a warning."""
    aldrete: dict[str, int] = {}
    for item in ALDRETE_ITEMS:
        score = given.aldrete.get(item.key)
        if score is None:
            continue
        if score not in (0, 1, 2):
            raise ValueError(f"Aldrete {item.label}: '{score}' is not a score (accepted: 0–2).")
        aldrete[item.key] = int(score)
    missing = tuple(item.label for item in ALDRETE_ITEMS if item.key not in aldrete)
    total = sum(aldrete.values()) if not missing else None
    moaas = context.latest_moaas
    criteria = (
        Criterion(
            "aldrete",
            f"Modified Aldrete total ≥ {ALDRETE_TYPICAL_MIN}",
            None if total is None else total >= ALDRETE_TYPICAL_MIN,
            f"{total} / 10" if total is not None else "not scored: " + ", ".join(missing),
        ),
        Criterion(
            "bp_recovery",
            f"BP within {context.bp.limit_pct:.0f} % of baseline",
            context.bp.within,
            context.bp.text(),
        ),
        Criterion(
            "moaas",
            "MOAA/S 5 (fully alert)",
            None if moaas is None else moaas == 5,
            f"latest MOAA/S {moaas}" if moaas is not None else "no MOAA/S recorded",
        ),
        Criterion("responsible_adult", "Responsible adult present", given.responsible_adult),
        Criterion(
            "advice",
            "Advice given: no driving until the next day",
            given.advice_given,
        ),
    )
    return DischargeResult(
        aldrete=aldrete,
        criteria=criteria,
        warnings=discharge_warnings(context),
        input=given,
        context=context,
        missing_items=missing,
    )


def discharge_warnings(context: DischargeContext) -> tuple[str, ...]:
    """Reminders shown before ending; they never block it."""
    warnings: list[str] = []
    minimum = context.min_monitoring_min
    if minimum:
        if context.monitoring_min is None:
            warnings.append(
                f"The minimum monitoring time ({minimum:.0f} min) cannot be checked: "
                "the dose or the end of the infusion is not recorded."
            )
        elif context.monitoring_min < minimum:
            warnings.append(
                f"Minimum monitoring time not reached: {context.monitoring_min:.0f} of "
                f"{minimum:.0f} min."
            )
    if context.missed_checks:
        plural = "s were" if context.missed_checks > 1 else " was"
        warnings.append(f"{context.missed_checks} due check{plural} missed.")
    return tuple(warnings)


@dataclass(frozen=True)
class StoredDischarge:
    """A discharge read back from the store, for the summary and the exports."""

    aldrete: dict[str, int]
    aldrete_total: int | None
    criteria: tuple[Criterion, ...]
    all_met: bool
    warnings: tuple[str, ...]
    responsible_adult: bool | None
    advice_given: bool | None
    ended_by: str
    note: str
    vitals_ok_predose: bool | None
    vitals_ok_leaving: bool | None
    ready_to_leave_at: datetime | None
    serious_adverse_event: bool | None
    raw: dict[str, Any]
    hcp_name: str = ""
    prescriber: str = ""


def from_stored(raw: Mapping[str, Any]) -> StoredDischarge | None:
    """Read the stored dict; None when the session ended without a checklist."""
    if not raw or "criteria" not in raw:
        return None
    ready = raw.get("ready_to_leave_at")
    return StoredDischarge(
        aldrete={k: int(v) for k, v in (raw.get("aldrete") or {}).items()},
        aldrete_total=raw.get("aldrete_total"),
        criteria=tuple(
            Criterion(c["key"], c["label"], c.get("met"), c.get("detail", ""))
            for c in raw["criteria"]
        ),
        all_met=bool(raw.get("all_met")),
        warnings=tuple(raw.get("warnings") or ()),
        responsible_adult=raw.get("responsible_adult"),
        advice_given=raw.get("advice_no_driving"),
        ended_by=raw.get("ended_by", ""),
        note=raw.get("note", ""),
        vitals_ok_predose=raw.get("vitals_ok_predose"),
        vitals_ok_leaving=raw.get("vitals_ok_leaving"),
        ready_to_leave_at=from_iso(ready) if ready else None,
        serious_adverse_event=raw.get("serious_adverse_event"),
        raw=dict(raw),
        hcp_name=str(raw.get("hcp_name") or ""),
        prescriber=str(raw.get("prescriber") or ""),
    )
