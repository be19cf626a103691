"""Exports of a session: PDF, CSV, FHIR R4.

CSV and FHIR are pure Python; only the PDF needs Qt (QPdfWriter, QTextDocument), and it
runs without a display (offscreen platform), so clinic IT can export from a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ExportError(Exception):
    """An export could not be written; the message names the file and the reason."""


@contextmanager
def atomic_target(path: Path | str) -> Iterator[Path]:
    """Yield a temp file beside `path` to write; on success it becomes `path` (0600),
    on any failure it is removed: the whole file or nothing.

    A half-written export handed to the chart would be worse than none.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"Cannot write {path}: it is a folder; give a file name.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Cannot write {path}: the folder {folder} does not exist.")
    import tempfile  # here: app start-up registers the export command, writes nothing

    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o600)  # patient records: private to the user, like the store
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to `path`, the whole file or nothing (see atomic_target)."""
    with atomic_target(path) as tmp, tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(path)
