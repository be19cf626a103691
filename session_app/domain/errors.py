"""Validation errors that name the field, the value and the accepted range."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str  # machine name, e.g. "heart_rate"
    label: str  # what the nurse sees, e.g. "Heart rate"
    value: str  # what was typed, verbatim
    message: str  # full sentence naming label, value and accepted range


class ValidationError(ValueError):
    """One or more fields were refused; nothing may be stored."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))

    def for_field(self, field: str) -> FieldError | None:
        return next((e for e in self.errors if e.field == field), None)
