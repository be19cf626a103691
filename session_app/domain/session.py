"""A treatment session: who (pseudonymous), which protocol, when, by whom."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from session_app.domain.errors import FieldError, ValidationError

_PATIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{1,15}")
_STAFF = re.compile(r"[A-Za-z]{2,4}")
WEIGHT_RANGE_KG = (20.0, 350.0)


@dataclass(frozen=True)
class NewSession:
    """What the nurse types to start a session, already validated."""

    patient_id: str
    protocol_name: str
    staff_initials: str
    weight_kg: float | None = None


@dataclass(frozen=True)
class TreatmentSession:
    id: int
    patient_id: str
    protocol_name: str
    staff_initials: str
    started_at: datetime
    weight_kg: float | None = None
    protocol: dict[str, Any] | None = None  # snapshot of the protocol settings at start
    ended_at: datetime | None = None
    ended_by: str = ""

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def validate_new_session(
    patient_id: str, protocol_name: str, staff_initials: str, weight_kg: str = ""
) -> NewSession:
    """Refuse anything that is not a pseudonymous ID, known initials, a plausible weight."""
    errors: list[FieldError] = []
    pid = patient_id.strip()
    if not _PATIENT_ID.fullmatch(pid):
        errors.append(
            FieldError(
                "patient_id",
                "Patient ID",
                patient_id,
                f"Patient ID: '{patient_id}' is not initials or a clinic ID (accepted: 2–16 "
                "letters, digits, '.' or '-', no spaces; never a full name).",
            )
        )
    if not protocol_name.strip():
        errors.append(
            FieldError("protocol", "Protocol", protocol_name, "Protocol: choose a protocol.")
        )
    staff = staff_initials.strip()
    if not _STAFF.fullmatch(staff):
        errors.append(
            FieldError(
                "staff_initials",
                "Staff initials",
                staff_initials,
                f"Staff initials: '{staff_initials}' is not initials (accepted: 2–4 letters).",
            )
        )
    weight: float | None = None
    typed = weight_kg.strip().replace(",", ".")
    if typed:
        low, high = WEIGHT_RANGE_KG
        try:
            weight = (
                round(float(typed), 1) if re.fullmatch(r"[0-9]{1,3}(\.[0-9])?", typed) else None
            )
        except ValueError:
            weight = None
        if weight is None or not low <= weight <= high:
            errors.append(
                FieldError(
                    "weight_kg",
                    "Weight (kg)",
                    weight_kg,
                    f"Weight (kg): '{weight_kg}' is not a plausible weight (accepted: "
                    f"{low:.0f}–{high:.0f} kg, one decimal).",
                )
            )
    if errors:
        raise ValidationError(errors)
    return NewSession(pid.upper(), protocol_name.strip(), staff.upper(), weight)


def require_weight(new: NewSession, required: bool) -> None:
    """Refuse a session without a weight when its protocol doses by weight: a mg/kg dose
    is turned into mg with the session's weight, which cannot be added later (issue 15).
    `required` is the protocol's `weight_required` (a clinic setting)."""
    if required and new.weight_kg is None:
        low, high = WEIGHT_RANGE_KG
        raise ValidationError(
            [
                FieldError(
                    "weight_kg",
                    "Weight (kg)",
                    "",
                    f"Weight (kg): required for {new.protocol_name}, whose dose is by weight "
                    f"(mg/kg) and is turned into mg with it (accepted: {low:.0f}–{high:.0f} kg, "
                    "one decimal).",
                )
            ]
        )
