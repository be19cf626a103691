"""Where things live, and the app-wide (non-clinical) settings."""

from __future__ import annotations

from pathlib import Path

from session_app.domain.settings import Setting, declare

APP_NAME = "session_app"


def default_data_dir() -> Path:
    """The user's data dir (e.g. ~/.local/share/session_app on Linux)."""
    import platformdirs  # only when no --data-dir is given: it costs start-up time

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_data_dir(path: Path) -> Path:
    """Create the data dir private to this user (0700): it holds patient records."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


declare(
    Setting("media_folders", list, [], "Clinic media folders"),
    Setting("temperature_unit", str, "°C", "Temperature unit", choices=("°C", "°F")),
    Setting(
        "staff.lock_after_min",
        int,
        5,
        "Lock the staff panel after this long without input",
        1,
        120,
        unit="min",
        help="The staff PIN unlocks it again.",
    ),
)
