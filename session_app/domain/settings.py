"""Clinic settings declared once (the Picard habit): key, type, default, title, range.

The store keeps versions of the values a clinic chose; a session keeps a snapshot of
the values in force when it started, so a later change never rewrites its rules.

The clinical settings (check schedules, alert thresholds, overdue minutes) are
declared in `session_app.domain.protocols`, next to the presets that use them; the
app-wide ones (media folders, temperature unit) in `session_app.config`. Call
`registry()` rather than reading `SETTINGS` directly when you need every clinical
setting to be present (e.g. to generate a settings dialog).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One clinic-changeable value.

    `normalize`, for text settings with a grammar (e.g. a check schedule), parses the
    text and returns its canonical spelling, or raises ValueError with the sentence to
    show. `group` and `help` exist so a dialog can be generated from the registry.
    """

    key: str
    type: type
    default: Any
    title: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    group: str = ""
    help: str = ""
    normalize: Callable[[str], str] | None = None

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
            if self.type is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{self.title}: '{value}' is not a whole number")
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
        if self.type is str:
            if not isinstance(value, str):
                raise ValueError(f"{self.title}: '{value}' is not text")
            if self.normalize is not None:
                try:
                    return self.normalize(value)
                except ValueError as exc:
                    raise ValueError(f"{self.title}: {exc}") from None
            return value
        return self.type(value)


SETTINGS: dict[str, Setting] = {}


def declare(*settings: Setting) -> None:
    for setting in settings:
        if setting.key in SETTINGS:
            raise ValueError(f"setting {setting.key} declared twice")
        SETTINGS[setting.key] = setting


def registry() -> dict[str, Setting]:
    """Every declared setting, making sure the clinical declarations are loaded first."""
    importlib.import_module("session_app.domain.protocols")
    return SETTINGS


def resolve_settings(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with stored values; unknown or invalid stored values fall back."""
    values: dict[str, Any] = {}
    for key, setting in SETTINGS.items():
        try:
            values[key] = setting.coerce(stored[key]) if key in stored else setting.default
        except ValueError:
            values[key] = setting.default
    return values


def validate_settings(values: Mapping[str, Any]) -> dict[str, str]:
    """Check values a person typed: {key: message} for each refused one (empty if all good).

    Covers each value against its declaration and the rules that join two values
    (e.g. the red overdue time must come after the amber one).
    """
    problems: dict[str, str] = {}
    checked: dict[str, Any] = {}
    for key, value in values.items():
        setting = registry().get(key)
        if setting is None:
            problems[key] = f"'{key}' is not a known setting"
            continue
        try:
            checked[key] = setting.coerce(value)
        except ValueError as exc:
            problems[key] = str(exc)
    merged = {**resolve_settings({}), **checked}
    for rule in CROSS_CHECKS:
        for key, message in rule(merged).items():
            problems.setdefault(key, message)
    return problems


CrossCheck = Callable[[Mapping[str, Any]], dict[str, str]]
CROSS_CHECKS: list[CrossCheck] = []
"""Rules between settings, registered by the module that declares them."""
