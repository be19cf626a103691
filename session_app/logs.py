"""Log files: rotating, private, and free of patient data.

Log lines name record kinds and row ids only: never a patient ID, a vital value or a
note. The files live in <data dir>/logs, 0600, rotated at 1 MB, five kept.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

LOG_NAME = "session_app.log"
MAX_BYTES = 1_000_000
BACKUPS = 5


class _PrivateRotatingFileHandler(logging.FileHandler):
    """A private (0600) log file that rolls over at `max_bytes`: the file becomes `.1`,
    `.1` becomes `.2` and so on, BACKUPS kept.

    What `logging.handlers.RotatingFileHandler` does, without importing that module
    (sockets, pickle, queues: ≈ 7 ms of every start-up, issue 7).
    """

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._complained = False
        super().__init__(path, encoding="utf-8")

    def handleError(self, record: logging.LogRecord | None) -> None:
        """A log that cannot be written (a full disk) is one line on stderr, once: never
        logging's own traceback per record, and never a reason to stop saving records."""
        if self._complained:
            return
        self._complained = True
        exc = sys.exc_info()[1]
        reason = "the disk is full" if getattr(exc, "errno", None) == errno.ENOSPC else exc
        print(
            f"session-app: cannot write the log file {self.baseFilename} ({reason}); "
            "records are still saved, logging goes on when it can.",
            file=sys.stderr,
        )

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            self.handleError(None)

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            self.handleError(None)

    def _open(self) -> TextIO:
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            size = self.stream.tell() if self.stream is not None else 0
            if size and size + len(self.format(record)) + 1 > self.max_bytes:
                self._roll_over()
        except (OSError, ValueError):
            self.handleError(record)
        super().emit(record)

    def _roll_over(self) -> None:
        self.stream.close()
        self.stream = None  # type: ignore[assignment]  # FileHandler reopens it if this fails
        base = self.baseFilename
        for number in range(BACKUPS - 1, 0, -1):
            if os.path.exists(f"{base}.{number}"):
                os.replace(f"{base}.{number}", f"{base}.{number + 1}")
        os.replace(base, f"{base}.1")
        self.stream = self._open()


def setup_logging(data_dir: Path, level: int = logging.INFO, *, max_bytes: int = MAX_BYTES) -> Path:
    """Send the app's logs to a rotating private file in the data dir; return its path."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(mode=0o700, exist_ok=True)
    path = log_dir / LOG_NAME
    stop_logging()
    root = logging.getLogger("session_app")
    handler = _PrivateRotatingFileHandler(path, max_bytes)
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
