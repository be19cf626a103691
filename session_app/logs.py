"""Log files: rotating, private, and free of patient data.

Log lines name record kinds and row ids only: never a patient ID, a vital value or a
note. The files live in <data dir>/logs, 0600, rotated at 1 MB, five kept.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "session_app.log"
MAX_BYTES = 1_000_000
BACKUPS = 5


class _PrivateRotatingFileHandler(RotatingFileHandler):
    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


def setup_logging(data_dir: Path, level: int = logging.INFO, *, max_bytes: int = MAX_BYTES) -> Path:
    """Send the app's logs to a rotating private file in the data dir; return its path."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(mode=0o700, exist_ok=True)
    path = log_dir / LOG_NAME
    stop_logging()
    root = logging.getLogger("session_app")
    handler = _PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=BACKUPS)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    return path


def stop_logging() -> None:
    """Detach and close the log file (before its folder goes away, e.g. in tests)."""
    root = logging.getLogger("session_app")
    for handler in list(root.handlers):
        if isinstance(handler, _PrivateRotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
