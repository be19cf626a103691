"""Timeline event kinds, their fields (so a form can be generated), validation, wording.

An event's details are validated here into plain JSON-safe values (str, float, bool)
and stored as `SessionEvent.details`. `describe()` gives the one line the timeline,
the summary and the exports show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Any

from session_app.domain.clock import (
    AmbiguousLocalTime,
    LocalTimeError,
    format_local,
    resolve_local_time,
)
from session_app.domain.corrections import is_void
from session_app.domain.dose import stored_amount
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.records import SessionEvent
from session_app.domain.text import snippet, text_problem

DOSE = "dose"
INFUSION_START = "infusion_start"
INFUSION_RATE = "infusion_rate"
INFUSION_PAUSE = "infusion_pause"
INFUSION_RESUME = "infusion_resume"
INFUSION_STOP = "infusion_stop"
ADVERSE_EVENT = "adverse_event"
INTERVENTION = "intervention"
NOTE = "note"
CONCOMITANT_MEDS = "concomitant_meds"
PRE_DOSE_CHECK = "pre_dose_check"


class FieldKind(Enum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    YES_NO = "yes/no"


@dataclass(frozen=True)
class EventField:
    """One input of an event form. `label` is also the control's accessibleName."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    unit: str = ""
    max_length: int = 200
    default: str = ""  # what the form pre-fills (a protocol may offer better ones)

    def accepted(self) -> str:
        """The accepted values, in the words an error message uses."""
        if self.kind is FieldKind.CHOICE:
            return "one of " + ", ".join(self.choices)
        if self.kind is FieldKind.YES_NO:
            return "yes or no"
        if self.kind is FieldKind.NUMBER:
            return f"{self.low:g}–{self.high:g}{' ' + self.unit if self.unit else ''}"
        return f"at most {self.max_length} characters"


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str  # button / menu wording, e.g. "Dose given"
    fields: tuple[EventField, ...] = ()

    def field(self, name: str) -> EventField:
        return next(f for f in self.fields if f.name == name)


DOSE_UNITS = ("mg", "mg/kg")
ROUTES = ("IV infusion", "IV bolus", "Intranasal", "IM", "Subcutaneous", "Oral", "Other")
RATE_UNITS = ("mL/h", "mg/h", "mg/kg/h")
# The coded adverse events: the seeds' and the esketamine label's (DESIGN.md section 3);
# "other" stays last and needs a description.
ADVERSE_TYPES = (
    "nausea",
    "vomiting",
    "hypertension",
    "emergence reaction",
    "dizziness/vertigo",
    "headache",
    "hallucinations",
    "anxiety/panic",
    "palpitations",
    "breathing difficulty / respiratory depression",
    "excessive sedation",
    "dissociation beyond what is expected",
    "other",
)
# Plausible dose per unit: outside is a typing mistake, refused like an implausible vital.
DOSE_LIMITS: dict[str, tuple[float, float]] = {"mg": (1.0, 1000.0), "mg/kg": (0.01, 5.0)}
CONCOMITANT_CLASSES: tuple[tuple[str, str], ...] = (
    ("benzodiazepines", "Benzodiazepines"),
    ("sedative_hypnotics", "Non-benzodiazepine sedative-hypnotics"),
    ("psychostimulants", "Psychostimulants"),
    ("maois", "MAOIs"),
    ("opioids", "Opioids"),  # added to the REMS form (update of 12/31/2024)
)

_RATE = EventField("rate", "Rate", FieldKind.NUMBER, True, low=0.01, high=999.0)
_RATE_UNIT = EventField(
    "rate_unit", "Rate unit", FieldKind.CHOICE, True, RATE_UNITS, default="mL/h"
)
_NOTE = EventField("note", "Note", FieldKind.TEXT, max_length=500)
# Optional so that older records and callers keep working: left out, the session's
# protocol snapshot (`planned_infusion_min`) gives the plan; the form pre-fills it.
PLANNED_MIN = EventField(
    "planned_min", "Planned minutes", FieldKind.NUMBER, low=1.0, high=600.0, unit="min"
)

EVENT_KINDS: dict[str, EventKind] = {
    k.key: k
    for k in (
        EventKind(
            DOSE,
            "Dose given",
            (
                EventField("drug", "Drug", FieldKind.TEXT, True, max_length=60),
                EventField("dose", "Dose", FieldKind.NUMBER, True, low=0.01, high=1000.0),
                EventField("unit", "Dose unit", FieldKind.CHOICE, True, DOSE_UNITS, default="mg"),
                EventField("route", "Route", FieldKind.CHOICE, True, ROUTES),
                EventField("lot_number", "Lot number", FieldKind.TEXT, max_length=40),
            ),
        ),
        EventKind(INFUSION_START, "Infusion started", (_RATE, _RATE_UNIT, PLANNED_MIN)),
        EventKind(INFUSION_RATE, "Infusion rate changed", (_RATE, _RATE_UNIT)),
        EventKind(INFUSION_PAUSE, "Infusion paused", (_NOTE,)),
        EventKind(INFUSION_RESUME, "Infusion resumed", (_NOTE,)),
        EventKind(INFUSION_STOP, "Infusion stopped", (_NOTE,)),
        EventKind(
            ADVERSE_EVENT,
            "Adverse event",
            (
                EventField("type", "Adverse event", FieldKind.CHOICE, True, ADVERSE_TYPES),
                EventField("text", "Description", FieldKind.TEXT, max_length=500),
                EventField("serious", "Serious adverse event", FieldKind.YES_NO, default="no"),
            ),
        ),
        EventKind(
            INTERVENTION,
            "Intervention",
            (
                EventField("medication", "Medication given", FieldKind.TEXT, True, max_length=80),
                EventField("dose", "Dose given", FieldKind.TEXT, max_length=40),
                _NOTE,
            ),
        ),
        EventKind(
            NOTE, "Note", (EventField("text", "Note", FieldKind.TEXT, True, max_length=2000),)
        ),
        EventKind(
            CONCOMITANT_MEDS,
            "Concomitant medicines",
            tuple(
                EventField(name, label, FieldKind.YES_NO, True)
                for name, label in CONCOMITANT_CLASSES
            ),
        ),
        # The REMS form asks "vital signs acceptable before dosing" before the dose, with
        # the pre-dose BP; "first treatment" is optional: left empty, the form derives it
        # from the patient's earlier sessions in this store.
        EventKind(
            PRE_DOSE_CHECK,
            "Pre-dose check",
            (
                EventField(
                    "vitals_ok", "Vital signs acceptable before dosing", FieldKind.YES_NO, True
                ),
                EventField("first_treatment", "First treatment", FieldKind.YES_NO),
                _NOTE,
            ),
        ),
    )
}

_NUMBER = re.compile(r"[0-9]{1,6}([.,][0-9]{1,3})?")
_LOT = re.compile(r"[A-Za-z0-9][A-Za-z0-9./\-]*")
_INITIALS = re.compile(r"[A-Za-z]{2,4}")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def _parse(spec: EventField, raw: str) -> Any:
    """One field's value, or ValueError with the sentence to show."""
    text = raw.strip()
    problem = ""
    if spec.kind is FieldKind.TEXT:
        problem = text_problem(text, spec.max_length)
        if not problem and spec.name == "lot_number" and text and not _LOT.fullmatch(text):
            raise ValueError(
                f"{spec.label}: '{snippet(raw)}' is not a lot number "
                "(accepted: letters, digits, '.', '/' or '-', at most 40 characters)."
            )
        if not problem:
            return text
    elif spec.kind is FieldKind.CHOICE:
        for choice in spec.choices:
            if text.lower() == choice.lower():
                return choice
        problem = "is not a choice"
    elif spec.kind is FieldKind.YES_NO:
        if text.lower() in _YES:
            return True
        if text.lower() in _NO:
            return False
        problem = "is not yes or no"
    else:
        if not _NUMBER.fullmatch(text):
            problem = "is not a number"
        else:
            number = float(text.replace(",", "."))
            assert spec.low is not None and spec.high is not None
            if spec.low <= number <= spec.high:
                return number
            problem = "is outside the accepted range"
    raise ValueError(f"{spec.label}: '{snippet(raw)}' {problem} (accepted: {spec.accepted()}).")


def validate_event(kind: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Typed details for an event, or ValidationError naming every refused field.

    Empty optional fields are left out. Rules across fields: a dose must be plausible
    for its unit (DOSE_LIMITS); an adverse event of type "other" needs a description.
    Unknown field names are a programming error (KeyError).
    """
    spec = EVENT_KINDS.get(kind)
    if spec is None:
        raise ValidationError(
            [
                FieldError(
                    "kind",
                    "Event",
                    kind,
                    f"Event: '{kind}' is not an event kind (accepted: {', '.join(EVENT_KINDS)}).",
                )
            ]
        )
    unknown = set(raw) - {f.name for f in spec.fields}
    if unknown:
        raise KeyError(f"unknown fields for {kind}: {sorted(unknown)}")
    details: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field in spec.fields:
        typed = raw.get(field.name) or ""
        if not typed.strip():
            if field.required:
                errors.append(
                    FieldError(
                        field.name,
                        field.label,
                        typed,
                        f"{field.label}: required (accepted: {field.accepted()}).",
                    )
                )
            continue
        try:
            details[field.name] = _parse(field, typed)
        except ValueError as exc:
            errors.append(FieldError(field.name, field.label, typed, str(exc)))
    bad = {e.field for e in errors}
    if kind == DOSE and not bad & {"dose", "unit"} and {"dose", "unit"} <= details.keys():
        low, high = DOSE_LIMITS[details["unit"]]
        if not low <= details["dose"] <= high:
            errors.append(
                FieldError(
                    "dose",
                    "Dose",
                    raw.get("dose", ""),
                    f"Dose: '{raw.get('dose', '')}' {details['unit']} is outside the plausible "
                    f"range (accepted: {low:g}–{high:g} {details['unit']}).",
                )
            )
    if kind == ADVERSE_EVENT and details.get("type") == "other" and not details.get("text"):
        errors.append(
            FieldError(
                "text",
                "Description",
                "",
                "Description: required when the adverse event is 'other' "
                "(accepted: at most 500 characters).",
            )
        )
    if errors:
        raise ValidationError(errors)
    return details


def validate_initials(raw: str, field: str = "recorded_by", label: str = "Recorded by") -> str:
    """Staff initials, upper-cased, or ValidationError (2–4 letters)."""
    text = raw.strip()
    if not _INITIALS.fullmatch(text):
        problem = "required" if not text else f"'{snippet(raw)}' is not initials"
        raise ValidationError(
            [FieldError(field, label, raw, f"{label}: {problem} (accepted: 2–4 letters).")]
        )
    return text.upper()


# An HH:MM up to this far ahead of now is today's (a typo or a clock ahead), not yesterday's.
READ_AHEAD = timedelta(hours=12)


def parse_time_of_day(
    text: str, now: datetime, *, field: str = "occurred_at", label: str = "Time"
) -> datetime:
    """A typed local "HH:MM" (or "HHMM") as the moment nearest to `now`.

    For the "it happened earlier" box: 23:50 typed at 00:10 means yesterday. A time up
    to 12 hours ahead is today's, returned as typed (09:05 at 09:00 is a future time the
    caller refuses as such, not yesterday's 09:05 "before this session"). The zone
    rules of that date apply (clock.resolve_local_time): a time the clocks skipped is
    refused, and one of the repeated hour asks for its zone name ("02:30 CEST").
    "now" (any case, spaces around) is `now` itself, as the placeholder offers.
    Refuses anything else that is not a time of day; returns UTC.
    """
    if text.strip().lower() == "now":
        return now
    match = re.fullmatch(
        r"\s*([01]?[0-9]|2[0-3])[:.h]?([0-5][0-9])(?:\s*([A-Za-z]{3,5}))?\s*", text
    )

    def refuse(problem: str) -> ValidationError:
        return ValidationError([FieldError(field, label, text, f"{label}: {problem}")])

    if not match:
        raise refuse(f"'{snippet(text)}' is not a time of day (accepted: HH:MM, 00:00–23:59).")
    wall = time(int(match[1]), int(match[2]))
    with suppress(LocalTimeError):  # ahead: the skipped or repeated hour reads as below
        ahead = resolve_local_time(wall, now + READ_AHEAD, zone_name=match[3] or "")
        if ahead > now:  # nearer than yesterday's: the caller says it is in the future
            return ahead
    try:
        return resolve_local_time(wall, now, zone_name=match[3] or "")
    except AmbiguousLocalTime as exc:
        hhmm = wall.strftime("%H:%M")
        first, second = (f"{hhmm} {m.tzname()}" for m in exc.moments)
        raise refuse(
            f"{hhmm} {exc}: type {first} for the first or {second} for the second."
        ) from exc
    except LocalTimeError as exc:
        if match[3]:
            raise refuse(
                f"'{snippet(text)}' is not a time of day (accepted: HH:MM, 00:00–23:59)."
            ) from exc
        raise refuse(f"{wall.strftime('%H:%M')} {exc}; type the time the clock showed.") from exc


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _dose_body(d: Mapping[str, Any]) -> str:
    amount = stored_amount(d)  # with the weight it used: "0.5 mg/kg × 72.5 kg = 36.25 mg"
    given = amount.text if amount else f"{_number(d.get('dose', ''))} {d.get('unit', '')}"
    text = f"{d.get('drug', '')} {given}".strip()
    extra = [d.get("route", "")] + ([f"lot {d['lot_number']}"] if d.get("lot_number") else [])
    return ", ".join(p for p in [text, *extra] if p)


def _infusion_body(d: Mapping[str, Any]) -> str:
    body = f"{_number(d.get('rate', ''))} {d.get('rate_unit', '')}".strip()
    if d.get("planned_min"):
        body += f", planned {_number(d['planned_min'])} min"
    return body


def _adverse_body(d: Mapping[str, Any]) -> str:
    body = str(d.get("type", "")) + (" (serious)" if d.get("serious") else "")
    return body + (f" — {d['text']}" if d.get("text") else "")


def _intervention_body(d: Mapping[str, Any]) -> str:
    body = " ".join(p for p in (d.get("medication", ""), d.get("dose", "")) if p)
    return body + (f" — {d['note']}" if d.get("note") else "")


def _concomitant_body(d: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{title} {'yes' if d.get(name) else 'no'}"
        for name, title in CONCOMITANT_CLASSES
        if name in d
    )


def _pre_dose_body(d: Mapping[str, Any]) -> str:
    words = (
        ("vitals_ok", "vital signs acceptable before dosing"),
        ("first_treatment", "first treatment"),
    )
    body = ", ".join(f"{w} {'yes' if d[n] else 'no'}" for n, w in words if n in d)
    return body + (f" — {d['note']}" if d.get("note") else "")


# The body of each kind's timeline line; any other kind shows its note.
_BODIES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    DOSE: _dose_body,
    INFUSION_START: _infusion_body,
    INFUSION_RATE: _infusion_body,
    ADVERSE_EVENT: _adverse_body,
    INTERVENTION: _intervention_body,
    NOTE: lambda d: str(d.get("text", "")),
    CONCOMITANT_MEDS: _concomitant_body,
    PRE_DOSE_CHECK: _pre_dose_body,
}


def describe(event: SessionEvent) -> str:
    """One line for the timeline, e.g. "Dose given: Ketamine 0.5 mg/kg × 72.5 kg = 36.25 mg,
    IV infusion, lot AB12" (a dose with the weight it used: domain.dose)."""
    spec = EVENT_KINDS.get(event.kind)
    d = event.details
    label = spec.label if spec else event.kind.replace("_", " ").capitalize()
    if is_void(event):
        reason = f" — {event.correction_reason}" if event.correction_reason else ""
        return f"Withdrawn{reason}: {label}"
    other = _BODIES.get(event.kind)
    body = other(d) if other else (str(d.get("note", "")) if d else "")
    line = f"{label}: {body}" if body else label
    if event.occurred_at < event.entered_at - timedelta(minutes=1):
        line += f" (entered {format_local(event.entered_at, with_date=False)})"
    if event.corrects_id is not None:
        reason = f" — {event.correction_reason}" if event.correction_reason else ""
        line = f"Correction{reason}: {line}"
    return line
