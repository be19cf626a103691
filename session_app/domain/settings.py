"""Clinic settings declared once (the Picard habit): key, type, default, title, range.

The store keeps versions of the values a clinic chose; a session keeps a snapshot of
the values in force when it started, so a later change never rewrites its rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    title: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""

    def coerce(self, value: Any) -> Any:
        """Check a value against the declaration; raise ValueError naming the setting."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.title}: '{value}' is not yes/no")
            return value
        if self.type in (int, float):
            if isinstance(value, bool):
                raise ValueError(f"{self.title}: '{value}' is not a number")
            try:
                number = self.type(value)
            except (TypeError, ValueError):
                raise ValueError(f"{self.title}: '{value}' is not a number") from None
            if (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high
            ):
                bounds = f"{self.low:g}–{self.high:g} {self.unit}".rstrip()
                raise ValueError(f"{self.title}: '{value}' is outside {bounds}")
            return number
        if self.type is str and self.choices and value not in self.choices:
            raise ValueError(f"{self.title}: '{value}' is not one of {', '.join(self.choices)}")
        if self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{self.title}: expected a list of folder paths")
            return list(value)
        return self.type(value)


SETTINGS: dict[str, Setting] = {}


def declare(*settings: Setting) -> None:
    for setting in settings:
        if setting.key in SETTINGS:
            raise ValueError(f"setting {setting.key} declared twice")
        SETTINGS[setting.key] = setting


def resolve_settings(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with stored values; unknown or invalid stored values fall back."""
    values: dict[str, Any] = {}
    for key, setting in SETTINGS.items():
        try:
            values[key] = setting.coerce(stored[key]) if key in stored else setting.default
        except ValueError:
            values[key] = setting.default
    return values
