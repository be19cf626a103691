"""Vital-signs check records and their plausibility validation.

Plausibility limits come from DESIGN.md section 3. A value outside them is a typing
mistake or a measurement artefact, never a real reading: it is refused and nothing
is stored. Values inside plausibility but outside alert thresholds are stored and
flagged elsewhere (domain.alerts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum

from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.text import snippet, text_problem


class Kind(Enum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    YES_NO = "yes/no"
    TEXT = "text"
    INITIALS = "initials"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # also the accessibleName of the form control
    kind: Kind
    low: float | None = None
    high: float | None = None
    unit: str = ""
    max_length: int = 0

    def range_text(self) -> str:
        if self.kind is Kind.YES_NO:
            return "yes or no"
        if self.kind is Kind.INITIALS:
            return "2–4 letters"
        if self.kind is Kind.TEXT:
            return f"at most {self.max_length} characters"
        low, high = _fmt(self.low), _fmt(self.high)
        return f"{low}–{high}{' ' + self.unit if self.unit else ''}"


def _fmt(number: float | None) -> str:
    if number is None:
        return "?"
    return str(int(number)) if float(number).is_integer() else f"{number:.1f}"


VITAL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("systolic", "Systolic BP", Kind.INTEGER, 40, 300, "mmHg"),
    FieldSpec("diastolic", "Diastolic BP", Kind.INTEGER, 20, 200, "mmHg"),
    FieldSpec("heart_rate", "Heart rate", Kind.INTEGER, 20, 250, "/min"),
    FieldSpec("spo2", "SpO2", Kind.INTEGER, 50, 100, "%"),
    FieldSpec("on_oxygen", "Supplemental O2", Kind.YES_NO),
    FieldSpec("resp_rate", "Respiratory rate", Kind.INTEGER, 2, 70, "/min"),
    FieldSpec("temperature_c", "Temperature", Kind.DECIMAL, 30.0, 44.0, "°C"),
    FieldSpec("moaas", "Sedation (MOAA/S)", Kind.INTEGER, 0, 5),
    FieldSpec("dissociation", "Dissociation", Kind.YES_NO),
    FieldSpec("cadss", "CADSS total", Kind.INTEGER, 0, 92),
    FieldSpec("anxiety", "Anxiety", Kind.INTEGER, 0, 10),
    FieldSpec("nausea", "Nausea", Kind.INTEGER, 0, 10),
    FieldSpec("pain", "Pain", Kind.INTEGER, 0, 10),
    FieldSpec("note", "Note", Kind.TEXT, max_length=2000),
    FieldSpec("recorded_by", "Recorded by", Kind.INITIALS),
)
FIELD_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in VITAL_FIELDS}
MEASURE_NAMES: tuple[str, ...] = tuple(
    s.name for s in VITAL_FIELDS if s.kind in (Kind.INTEGER, Kind.DECIMAL, Kind.YES_NO)
)
YES_NO_NAMES: tuple[str, ...] = tuple(s.name for s in VITAL_FIELDS if s.kind is Kind.YES_NO)

_ASCII_INT = re.compile(r"[+-]?[0-9]{1,12}")
_ASCII_DECIMAL = re.compile(r"[+-]?[0-9]{1,12}([.,][0-9]{1,6})?")
_INITIALS = re.compile(r"[A-Za-z]{2,4}")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class VitalSigns:
    """The measured values of one check. None means "not measured this time"."""

    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    on_oxygen: bool | None = None  # supplemental oxygen at the time of the SpO2 reading
    resp_rate: int | None = None
    temperature_c: float | None = None
    moaas: int | None = None
    dissociation: bool | None = None
    cadss: int | None = None
    anxiety: int | None = None
    nausea: int | None = None
    pain: int | None = None
    note: str = ""
    recorded_by: str = ""

    def measured(self) -> dict[str, float | bool]:
        """Only the measures that were taken, by field name."""
        return {n: v for n in MEASURE_NAMES if (v := getattr(self, n)) is not None}

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class VitalsCheck:
    """One stored check. `taken_at` is when measured; `entered_at` when typed in."""

    id: int
    session_id: int
    taken_at: datetime
    entered_at: datetime
    signs: VitalSigns
    is_baseline: bool = False
    due_at: datetime | None = None
    late: bool = False
    corrects_id: int | None = None
    correction_reason: str = ""


def value_text(value: object) -> str:
    """A stored value as staff read and type it: "" when not measured, yes/no, 37.5."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def temperature_text(celsius: float, unit: str) -> str:
    """A stored °C temperature as staff read it in the clinic's unit, one decimal."""
    shown = celsius * 9 / 5 + 32 if unit == "°F" else celsius
    return f"{shown:.1f}"


def fahrenheit_text_to_celsius(text: str) -> str:
    """A typed °F value as the °C text that validate_vitals checks.

    It reads the number with the same grammar as every other measure (ASCII digits, one
    decimal point or comma), so a °F clinic is no looser than a °C one: what is not a
    number passes through as typed, and validate_vitals refuses it in the nurse's words.
    """
    stripped = text.strip()
    if not _ASCII_DECIMAL.fullmatch(stripped):
        return text
    value = float(stripped.replace(",", "."))
    return f"{(value - 32) * 5 / 9:.1f}"


def _message(spec: FieldSpec, raw: str, problem: str) -> str:
    return f"{spec.label}: '{snippet(raw)}' {problem} (accepted: {spec.range_text()})."


def _parse_words(spec: FieldSpec, raw: str, text: str) -> object:
    """A text, initials or yes/no field's value (ValueError with the sentence otherwise)."""
    if spec.kind is Kind.TEXT:
        if problem := text_problem(text, spec.max_length):
            raise ValueError(_message(spec, raw, problem))
        return text
    if spec.kind is Kind.INITIALS:
        if _INITIALS.fullmatch(text):
            return text.upper()
        if not text:
            raise ValueError(f"{spec.label}: required (accepted: {spec.range_text()}).")
        raise ValueError(_message(spec, raw, "is not initials"))
    lowered = text.lower()
    if lowered in _YES or lowered in _NO:
        return lowered in _YES
    raise ValueError(_message(spec, raw, "is not yes or no"))


def _parse_number(spec: FieldSpec, raw: str, text: str) -> float:
    """A measure's number, within its plausible range (ValueError with the sentence)."""
    if spec.kind is Kind.INTEGER:
        if not _ASCII_INT.fullmatch(text):
            if _ASCII_DECIMAL.fullmatch(text):
                raise ValueError(_message(spec, raw, "must be a whole number"))
            raise ValueError(_message(spec, raw, "is not a number"))
        number: float = int(text)
    else:
        if not _ASCII_DECIMAL.fullmatch(text):
            raise ValueError(_message(spec, raw, "is not a number"))
        number = round(float(text.replace(",", ".")), 1)
    assert spec.low is not None and spec.high is not None
    if not spec.low <= number <= spec.high:
        raise ValueError(_message(spec, raw, "is outside the plausible range"))
    return number


def _parse_one(spec: FieldSpec, raw: str) -> object:
    """Parse one typed value or raise ValueError with the sentence to show."""
    text = raw.strip()
    if spec.kind in (Kind.INTEGER, Kind.DECIMAL):
        return _parse_number(spec, raw, text)
    return _parse_words(spec, raw, text)


def validate_vitals(raw: Mapping[str, str | None]) -> VitalSigns:
    """Turn what was typed into VitalSigns, or raise ValidationError naming every bad field.

    Empty strings mean "not measured". Rules beyond single fields: systolic and
    diastolic come together and diastolic < systolic; a check needs at least one
    measure and the initials of who recorded it.
    """
    unknown = set(raw) - set(FIELD_BY_NAME)
    if unknown:
        raise KeyError(f"unknown vitals fields: {sorted(unknown)}")
    values: dict[str, object] = {}
    errors: list[FieldError] = []
    for spec in VITAL_FIELDS:
        typed = raw.get(spec.name) or ""
        if not typed.strip() and spec.kind is not Kind.INITIALS:
            continue
        try:
            values[spec.name] = _parse_one(spec, typed)
        except ValueError as exc:
            errors.append(FieldError(spec.name, spec.label, typed, str(exc)))

    bad = {e.field for e in errors}
    sys_, dia = values.get("systolic"), values.get("diastolic")
    if (sys_ is None) != (dia is None) and not bad & {"systolic", "diastolic"}:
        missing = FIELD_BY_NAME["diastolic" if dia is None else "systolic"]
        errors.append(
            FieldError(
                missing.name,
                missing.label,
                "",
                f"{missing.label}: required with the other blood pressure value "
                f"(accepted: {missing.range_text()}).",
            )
        )
    elif isinstance(sys_, int) and isinstance(dia, int) and dia >= sys_:
        spec = FIELD_BY_NAME["diastolic"]
        errors.append(
            FieldError(
                "diastolic",
                spec.label,
                str(raw.get("diastolic", "")),
                f"Diastolic BP: '{dia}' must be lower than systolic {sys_} mmHg "
                f"(accepted: {spec.range_text()}, below systolic).",
            )
        )
    if not errors and not any(name in values for name in MEASURE_NAMES if name != "on_oxygen"):
        errors.append(
            FieldError(
                "systolic",
                "Systolic BP",
                "",
                "No measurement entered: a check needs at least one value.",
            )
        )
    if errors:
        raise ValidationError(errors)
    return VitalSigns(**values)  # type: ignore[arg-type]
