"""Where things live, and the clinic settings declared once (the Picard habit).

Every clinic setting has a key, a type, a default, a title and a range, declared
in one table. The store keeps versions of the values a clinic chose; a session
keeps a snapshot of the values in force when it started.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "session_app"
REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
THEMES_DIR = ASSETS_DIR / "themes"


def default_data_dir() -> Path:
    """The user's data dir (e.g. ~/.local/share/session_app on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_data_dir(path: Path) -> Path:
    """Create the data dir private to this user (0700): it holds patient records."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


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


declare(
    Setting("media_folders", list, [], "Clinic media folders"),
    Setting("temperature_unit", str, "°C", "Temperature unit", choices=("°C", "°F")),
)


def resolve_settings(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with stored values; unknown or invalid stored values fall back."""
    values: dict[str, Any] = {}
    for key, setting in SETTINGS.items():
        try:
            values[key] = setting.coerce(stored[key]) if key in stored else setting.default
        except ValueError:
            values[key] = setting.default
    return values
