"""The settings registry: the catalogue's settings by key, resolved and validated.

Every setting is declared once, in `session_app.domain.catalogue`, which this module
imports, so the full set and the rules between settings are here whatever was imported
first. The store keeps versions of the values a clinic chose; a session keeps a
snapshot of the values in force when it started, so a later change never rewrites its
rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from session_app.domain.catalogue import CATALOGUE, CROSS_CHECKS, Setting

__all__ = ["SETTINGS", "Setting", "registry", "resolve_settings", "validate_settings"]


def _by_key(settings: tuple[Setting, ...]) -> dict[str, Setting]:
    by_key: dict[str, Setting] = {}
    for setting in settings:
        if setting.key in by_key:
            raise ValueError(f"setting {setting.key} declared twice")
        by_key[setting.key] = setting
    return by_key


SETTINGS: dict[str, Setting] = _by_key(CATALOGUE)


def registry() -> dict[str, Setting]:
    """Every declared setting (e.g. to generate the settings dialog)."""
    return SETTINGS


def resolve_settings(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with stored values; unknown or invalid stored values fall back.

    A list default is copied, so a caller that edits its list never edits the catalogue.
    """
    values: dict[str, Any] = {}
    for key, setting in SETTINGS.items():
        try:
            values[key] = setting.coerce(stored[key]) if key in stored else _fresh(setting)
        except ValueError:
            values[key] = _fresh(setting)
    return values


def _fresh(setting: Setting) -> Any:
    return list(setting.default) if isinstance(setting.default, list) else setting.default


def validate_settings(values: Mapping[str, Any]) -> dict[str, str]:
    """Check values a person typed: {key: message} for each refused one (empty if all good).

    Covers each value against its declaration and the rules that join two values
    (e.g. the red overdue time must come after the amber one).
    """
    problems: dict[str, str] = {}
    checked: dict[str, Any] = {}
    for key, value in values.items():
        setting = SETTINGS.get(key)
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
