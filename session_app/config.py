"""Where things live. (The app-wide settings are declared in `domain/catalogue.py`.)"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "session_app"


def default_data_dir() -> Path:
    """The user's data dir (e.g. ~/.local/share/session_app on Linux)."""
    import platformdirs  # only when no --data-dir is given: it costs start-up time

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class DataDirError(Exception):
    """The data folder cannot be used; the message says why, in one sentence for IT.

    Defined here, not in the store, so start-up can catch it before sqlite3 is loaded."""


def ensure_data_dir(path: Path) -> Path:
    """The data dir, created private to this user (0700) when the app makes it: it holds
    patient records. A folder that is already there is used as it is and never
    chmodded (a shared folder that IT set up keeps its mode)."""
    try:
        path.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        if not os.path.isdir(path):
            raise DataDirError(
                f"{path} is not a folder (it is a file). Check --data-dir."
            ) from None
        return path
    except OSError as exc:
        raise DataDirError(
            f"session_app cannot create its data folder {path}: {exc.strerror}. "
            "Check --data-dir, or create the folder first."
        ) from exc
    path.chmod(0o700)  # whatever the umask
    return path
