"""Exports of a session: PDF, CSV, FHIR R4.

CSV and FHIR are pure Python; only the PDF needs Qt (QPdfWriter, QTextDocument), and it
runs without a display (offscreen platform), so clinic IT can export from a terminal.

Every export is produced in memory and written here, by one rule: the whole file or
nothing, and only ever a new regular file. An existing name (a file, a symlink, even a
dangling one, a device such as /dev/null) is refused, as `backup` refuses it; the summary
window may replace a regular file the user confirmed (`replace=True`), never a symlink or
a device, and nothing may write over the store itself (`protected`).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path


class ExportError(Exception):
    """An export could not be written; the message names the file and the reason."""


STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")  # SQLite's own files beside the store
_NO_HARD_LINKS = (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK)
_EXISTS = "it already exists (an export never replaces a file); choose a new name."


def store_files(store_path: Path | str) -> tuple[Path, ...]:
    """The store and the files SQLite keeps beside it: never an export's target."""
    return tuple(Path(f"{store_path}{suffix}") for suffix in STORE_SUFFIXES)


def _fail(path: Path, reason: str) -> ExportError:
    return ExportError(f"Cannot write {path}: {reason}")


def _reason(exc: OSError) -> str:
    return f"{exc.strerror or exc}."


def _where(path: Path) -> Path:
    """The name as the file system sees it: symlinked folders resolved, not the name."""
    return Path(os.path.realpath(path.parent)) / path.name


def check_target(
    path: Path | str, *, replace: bool = False, protected: Iterable[Path] = ()
) -> Path:
    """Refuse a target an export must not write; return it as a Path.

    Refused: a missing folder, a folder, a name too long, one of `protected` (the store),
    and any existing name unless `replace` (then only a regular file, never a symlink,
    whose target would be someone else's file, or a device).
    """
    path = Path(path)
    if _where(path) in {_where(Path(p)) for p in protected}:
        raise _fail(path, "it is the app's own data (the session store); choose another name.")
    folder = path.parent
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise _fail(path, f"{folder} is not a folder.")
    except FileNotFoundError:
        raise _fail(path, f"the folder {folder} does not exist.") from None
    except OSError as exc:
        raise _fail(path, _reason(exc)) from exc
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path  # a new name: the only kind written without asking
    except OSError as exc:
        raise _fail(path, _reason(exc)) from exc
    if stat.S_ISDIR(mode):
        raise _fail(path, "it is a folder; give a file name.")
    if not replace:
        raise _fail(path, _EXISTS)
    if not stat.S_ISREG(mode):
        raise _fail(path, "it is not a regular file (a link or a device); choose another name.")
    return path


def _write_temp(path: Path, data: bytes) -> Path:
    """Write `data` to a private temp file beside `path`; check that all of it is on disk."""
    import tempfile  # here: app start-up registers the export command, writes nothing

    try:
        # a short prefix, so a long (but valid) name still leaves room for the temp name
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:32]}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _fail(path, _reason(exc)) from exc
    tmp = Path(name)  # mkstemp makes it 0600: patient records are private, like the store
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            size = os.fstat(handle.fileno()).st_size
        if size != len(data):
            raise _fail(path, f"only {size} of {len(data)} bytes were written.")
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _fail(path, _reason(exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _put_in_place(tmp: Path, path: Path, replace: bool, protected: Sequence[Path]) -> None:
    """Give the whole temp file its name, without ever replacing a name that is not ours."""
    check_target(path, replace=replace, protected=protected)  # again: just before
    try:
        if replace:
            os.replace(tmp, path)  # a regular file the user confirmed (checked just above)
            return
        try:
            os.link(tmp, path)  # fails if the name exists, even as a dangling symlink
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            # No hard links here (FAT): take the name with O_EXCL (never follows a link),
            # then rename over that empty placeholder of our own.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
            try:
                os.replace(tmp, path)
            except OSError:
                path.unlink(missing_ok=True)
                raise
    except FileExistsError:
        raise _fail(path, _EXISTS) from None
    except OSError as exc:
        raise _fail(path, _reason(exc)) from exc


def _sync_folder(folder: Path) -> None:
    """Make the new name itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_files_atomically(
    files: Sequence[tuple[Path | str, bytes]],
    *,
    replace: bool = False,
    protected: Iterable[Path] = (),
) -> tuple[Path, ...]:
    """Write several files (the CSV's two) all or none: every target is checked before any
    is written, every temp file written whole before any gets its name, and a name given
    is taken back if a later one fails."""
    protected = tuple(protected)
    targets = [check_target(p, replace=replace, protected=protected) for p, _ in files]
    temps: list[Path] = []
    placed: list[Path] = []
    try:
        for target, (_, data) in zip(targets, files, strict=True):
            temps.append(_write_temp(target, data))
        for target, tmp in zip(targets, temps, strict=True):
            _put_in_place(tmp, target, replace, protected)
            placed.append(target)
    except BaseException:
        for target in placed:
            target.unlink(missing_ok=True)
        raise
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    for folder in {t.parent for t in targets}:
        _sync_folder(folder)
    return tuple(targets)


def write_atomically(
    path: Path | str, data: bytes, *, replace: bool = False, protected: Iterable[Path] = ()
) -> Path:
    """Write `data` to the new file `path`, whole or not at all (see write_files_atomically)."""
    return write_files_atomically([(path, data)], replace=replace, protected=protected)[0]
