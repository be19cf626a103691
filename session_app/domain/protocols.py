"""Protocol presets: when checks are due, what the alert thresholds are, dose-form defaults.

Each preset's values are clinic settings (declared once, in `domain/catalogue.py`).
A session snapshots `preset(name, clinic_settings).to_dict()` when it starts, and
every later rule for that session reads `Protocol.from_dict(snapshot)`, so a
settings change never alters a running or past session.

Checks are described as phases ("every 15 min for 60 min") and fixed checks ("about
40 min after dosing"), each anchored on the dose (or infusion start) or on the
infusion end. The baseline check before the dose is implicit in every protocol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from session_app.domain.catalogue import PHASE_TEXT_HELP
from session_app.domain.dose import parse_concentration
from session_app.domain.settings import resolve_settings

IV_KETAMINE = "IV ketamine"
ESKETAMINE_REMS = "Esketamine nasal spray (REMS)"
PRESET_NAMES: tuple[str, ...] = (IV_KETAMINE, ESKETAMINE_REMS)

SNAPSHOT_VERSION = 1


class Anchor(StrEnum):
    """What a phase or fixed check counts its minutes from."""

    DOSE = "dose"  # the first dose given, or the infusion start
    INFUSION_END = "infusion_end"  # the infusion stopped


@dataclass(frozen=True)
class Thresholds:
    """Alert limits (DESIGN.md section 3). The comparison each one uses is fixed here.

    predose_*_delay: strictly above → advisory "consider delaying" (before dosing only).
    sys_high / dia_high: at or above → high alert.
    sys_rise / dia_rise: a rise over baseline at or above → alert.
    hr_low, spo2_low, rr_low: strictly below → alert.  hr_high, rr_high: strictly above.
    moaas_alert: at or below → alert.  moaas_urgent: at or below → urgent.
    """

    predose_sys_delay: int = 140
    predose_dia_delay: int = 90
    sys_high: int = 180
    dia_high: int = 110
    sys_rise: int = 40
    dia_rise: int = 25
    hr_low: int = 50
    hr_high: int = 130
    spo2_low: int = 92
    rr_low: int = 10
    rr_high: int = 30
    moaas_alert: int = 2
    moaas_urgent: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Thresholds:
        """Tolerant of missing keys (older snapshots): a missing limit keeps its default."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Phase:
    """A run of checks every `every_min` minutes.

    Phases with the same anchor follow each other: the first starts at the anchor, each
    next one where the previous ended. The first check of a phase is `every_min` after its
    start (the start itself is covered by the baseline, the previous phase, or a fixed
    check). `for_min=None` means open-ended: until the session ends, or, for a dose-anchored
    phase of an infusion protocol, until the infusion ends.
    """

    every_min: int
    for_min: int | None = None
    anchor: Anchor = Anchor.DOSE

    def describe(self) -> str:
        length = f" for {self.for_min} min" if self.for_min is not None else ""
        return f"every {self.every_min} min{length}"


@dataclass(frozen=True)
class FixedCheck:
    """One check at a set time after its anchor, e.g. REMS "about 40 min after dosing"."""

    label: str
    at_min: int
    anchor: Anchor = Anchor.DOSE


@dataclass(frozen=True)
class Protocol:
    """Everything that decides a session's schedule and alerts; snapshotted per session."""

    name: str
    phases: tuple[Phase, ...] = ()
    fixed_checks: tuple[FixedCheck, ...] = ()
    min_monitoring_min: int = 60
    monitoring_from: Anchor = Anchor.DOSE  # what the minimum monitoring counts from
    thresholds: Thresholds = field(default_factory=Thresholds)
    overdue_amber_min: int = 2
    overdue_red_min: int = 5
    early_min: int = 5  # a check this many minutes before its due time still answers it
    uses_infusion: bool = False
    # How long an infusion is planned to run (DESIGN.md section 3: typically 40–60 min);
    # the infusion start's own "planned minutes" win. 40 also for older snapshots.
    planned_infusion_min: int = 40
    baseline_label: str = "Baseline before the dose"
    # defaults for the dose form
    drug: str = ""
    route: str = ""
    dose_unit: str = "mg"
    typical_dose: float | None = None
    dose_choices: tuple[float, ...] = ()
    weight_required: bool = False  # to start a session (older snapshots: not required)
    concentration_mg_ml: float | None = None  # of the bag: a dose is also shown in mL

    def monitoring_ends_at(
        self, dose_at: datetime | None, infusion_end_at: datetime | None = None
    ) -> datetime | None:
        """Earliest end of the minimum monitoring time, or None while its anchor is unknown."""
        anchor = infusion_end_at if self.monitoring_from is Anchor.INFUSION_END else dose_at
        return anchor + timedelta(minutes=self.min_monitoring_min) if anchor else None

    def describe_schedule(self) -> str:
        """One line for staff, e.g. "during the infusion every 15 min; after it every 15 min"."""
        parts: list[str] = []
        for anchor, words in (
            (Anchor.DOSE, "during the infusion" if self.uses_infusion else "after dosing"),
            (Anchor.INFUSION_END, "after the infusion"),
        ):
            run = [p.describe() for p in self.phases if p.anchor is anchor]
            if run:
                parts.append(f"{words} {', then '.join(run)}")
        parts.extend(f.label.lower() for f in self.fixed_checks)
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form stored in sessions.protocol_json."""
        data = asdict(self)
        data["version"] = SNAPSHOT_VERSION
        data["monitoring_from"] = self.monitoring_from.value
        data["phases"] = [
            {"every_min": p.every_min, "for_min": p.for_min, "anchor": p.anchor.value}
            for p in self.phases
        ]
        data["fixed_checks"] = [
            {"label": f.label, "at_min": f.at_min, "anchor": f.anchor.value}
            for f in self.fixed_checks
        ]
        data["dose_choices"] = list(self.dose_choices)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Protocol:
        """Rebuild a snapshot. Missing keys take today's defaults; unknown keys are ignored."""
        if int(data.get("version", SNAPSHOT_VERSION)) > SNAPSHOT_VERSION:
            raise ValueError("this protocol snapshot was written by a newer session_app")
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["phases"] = tuple(
            Phase(int(p["every_min"]), _opt_int(p.get("for_min")), Anchor(p["anchor"]))
            for p in data.get("phases", ())
        )
        values["fixed_checks"] = tuple(
            FixedCheck(str(f["label"]), int(f["at_min"]), Anchor(f["anchor"]))
            for f in data.get("fixed_checks", ())
        )
        if "monitoring_from" in data:
            values["monitoring_from"] = Anchor(data["monitoring_from"])
        values["thresholds"] = Thresholds.from_dict(data.get("thresholds", {}))
        values["dose_choices"] = tuple(float(c) for c in data.get("dose_choices", ()))
        return cls(**values)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


# -- phase text: how a clinic writes a schedule in the settings dialog ------------------

_UNIT = r"(min|mins|minutes?|m|h|hr|hrs|hours?)?"
_ITEM = re.compile(
    rf"(?:then\s+)?(?:every\s+|q\s*)?(\d{{1,4}})\s*{_UNIT}(?:\s+for\s+(\d{{1,4}})\s*{_UNIT})?"
)


def _minutes(number: str, unit: str | None) -> int:
    return int(number) * (60 if unit and unit.startswith("h") else 1)


def parse_phases(text: str, anchor: Anchor = Anchor.DOSE) -> tuple[Phase, ...]:
    """Read a schedule such as "every 15 min for 60 min, then every 30 min".

    Raises ValueError with a sentence naming the part that could not be read.
    """
    cleaned = text.strip().lower()
    if cleaned in ("", "none", "no", "-"):
        return ()
    items = [i.strip() for i in re.split(r"[,;]|\bthen\b", cleaned) if i.strip()]
    phases: list[Phase] = []
    for position, item in enumerate(items):
        match = _ITEM.fullmatch(item)
        if not match:
            raise ValueError(f"'{item}' is not read as a phase ({PHASE_TEXT_HELP})")
        every = _minutes(match[1], match[2])
        length = _minutes(match[3], match[4]) if match[3] else None
        if not 1 <= every <= 240:
            raise ValueError(f"'{item}': the interval must be 1–240 min")
        if length is not None and not every <= length <= 1440:
            raise ValueError(f"'{item}': the length must be from the interval up to 1440 min")
        if length is None and position != len(items) - 1:
            raise ValueError(f"'{item}': only the last part may go on without 'for … min'")
        phases.append(Phase(every, length, anchor))
    return tuple(phases)


def format_phases(phases: tuple[Phase, ...] | list[Phase]) -> str:
    """The canonical spelling of a phase list (what the settings store keeps)."""
    return ", then ".join(p.describe() for p in phases)


def normalize_phase_text(text: str) -> str:
    return format_phases(parse_phases(text))


# -- presets ----------------------------------------------------------------------


def _common(values: Mapping[str, Any]) -> dict[str, Any]:
    thresholds = Thresholds(**{f.name: values[f"thresholds.{f.name}"] for f in fields(Thresholds)})
    amber = values["schedule.overdue_amber_min"]
    return {
        "thresholds": thresholds,
        "overdue_amber_min": amber,
        # a stored pair that contradicts itself must not break the app: keep red after amber
        "overdue_red_min": max(values["schedule.overdue_red_min"], amber + 1),
        "early_min": values["schedule.early_min"],
    }


def preset(name: str, clinic_settings: Mapping[str, Any] | None = None) -> Protocol:
    """The named preset with the clinic's stored settings (`store.load_settings()`) applied.

    Unknown or invalid stored values fall back to the declared defaults. Raises KeyError
    for a name not in PRESET_NAMES.
    """
    values = resolve_settings(clinic_settings or {})
    if name == IV_KETAMINE:
        fixed = (
            (FixedCheck("At the end of the infusion", 0, Anchor.INFUSION_END),)
            if values["iv.check_at_infusion_end"]
            else ()
        )
        return Protocol(
            name=IV_KETAMINE,
            phases=parse_phases(values["iv.during_infusion"], Anchor.DOSE)
            + parse_phases(values["iv.after_infusion"], Anchor.INFUSION_END),
            fixed_checks=fixed,
            min_monitoring_min=values["iv.min_monitoring_min"],
            monitoring_from=Anchor.INFUSION_END,
            uses_infusion=True,
            planned_infusion_min=values["iv.planned_infusion_min"],
            baseline_label="Baseline before the infusion",
            drug="Ketamine",
            route="IV infusion",
            dose_unit="mg/kg",
            typical_dose=float(values["iv.typical_dose"]),
            weight_required=values["iv.weight_required"],
            concentration_mg_ml=parse_concentration(values["iv.concentration_mg_ml"]),
            **_common(values),
        )
    if name == ESKETAMINE_REMS:
        minimum = values["rems.min_monitoring_min"]
        after = values["rems.post_dose_check_min"]
        return Protocol(
            name=ESKETAMINE_REMS,
            phases=parse_phases(values["rems.extra_checks"], Anchor.DOSE),
            fixed_checks=(
                FixedCheck(f"About {after} min after dosing", after),
                FixedCheck("Before leaving", minimum),
            ),
            min_monitoring_min=minimum,
            monitoring_from=Anchor.DOSE,
            uses_infusion=False,
            baseline_label="Before dosing",
            drug="Esketamine",
            route="Intranasal",
            dose_unit="mg",
            typical_dose=float(values["rems.typical_dose"]),
            dose_choices=(56.0, 84.0),
            weight_required=values["rems.weight_required"],
            **_common(values),
        )
    raise KeyError(f"no protocol preset named {name!r} (known: {', '.join(PRESET_NAMES)})")
