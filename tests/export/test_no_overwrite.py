"""`session-app export` writes only a new regular file: never the store, never an existing
file, never through a symlink or into a device (issue 13)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from session_app.app import main
from session_app.domain.clock import ManualClock
from session_app.domain.summary import SessionRecord
from session_app.export import ExportError, write_atomically
from session_app.export.csv import write_csv
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session

FORMATS = ("pdf", "csv", "fhir")


def refused(capsys: pytest.CaptureFixture[str], data_dir: Path, fmt: str, out: Path) -> str:
    """Export session 1 to `out`: exit 2 and one line on stderr; return that line."""
    code = main(["export", "1", "--format", fmt, "-o", str(out), "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert captured.out == ""
    return lines[0]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "name", ["session_app.sqlite3", "session_app.sqlite3-wal", "session_app.sqlite3-journal"]
)
def test_the_store_and_its_companion_files_are_never_written(
    seeded: Path, capsys: pytest.CaptureFixture[str], fmt: str, name: str
) -> None:
    db = seeded / "session_app.sqlite3"
    before = db.read_bytes()
    line = refused(capsys, seeded, fmt, seeded / name)
    assert "Cannot write" in line
    assert db.read_bytes() == before
    assert not (seeded / "session_app.sqlite3-journal").exists()
    store = SessionStore.open(seeded)
    try:
        assert [s.id for s in store.sessions()] == [1]
    finally:
        store.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_existing_file_is_refused_and_kept(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / "out" / "mine.txt"
    out.parent.mkdir()
    out.write_bytes(b"mine")
    line = refused(capsys, seeded, fmt, out)
    assert line == (
        f"session-app: Cannot write {out}: it already exists (an export never replaces a "
        "file); choose a new name."
    )
    assert out.read_bytes() == b"mine"
    assert names(out.parent) == ["mine.txt"]  # no temp file left either


@pytest.mark.parametrize("existing", ["visit.csv", "visit-events.csv"])
def test_csv_checks_both_files_before_writing_either(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / existing).write_bytes(b"mine")
    line = refused(capsys, seeded, "csv", folder / "visit.csv")
    assert f"{folder / existing}: it already exists" in line
    assert names(folder) == [existing]
    assert (folder / existing).read_bytes() == b"mine"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_is_never_followed_or_replaced(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, dangling: bool
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    if not dangling:
        elsewhere.write_bytes(b"mine")
    folder = tmp_path / "out"
    folder.mkdir()
    link = folder / "link.out"
    link.symlink_to(elsewhere)
    refused(capsys, seeded, fmt, link)
    assert link.is_symlink() and os.readlink(link) == str(elsewhere)
    assert names(folder) == ["link.out"]
    if dangling:
        assert not elsewhere.exists()
    else:
        assert elsewhere.read_bytes() == b"mine"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_device_node_stays_a_device(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """A private copy of /dev/null (never the real one: a failing test would break it)."""
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    refused(capsys, seeded, fmt, null)
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert names(tmp_path) == ["data", "null"]


def test_a_new_file_is_written_private_and_whole(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "new.json"
    assert main(["export", "1", "--format", "fhir", "-o", str(out), "--data-dir", str(seeded)]) == 0
    assert stat.S_IMODE(os.lstat(out).st_mode) == 0o600 and os.lstat(out).st_nlink == 1
    assert out.read_bytes().startswith(b"{") and names(tmp_path) == ["data", "new.json"]


def test_replace_allows_a_regular_file_only(tmp_path: Path) -> None:
    """What the summary window does once the user has confirmed replacing a file."""
    mine = tmp_path / "mine.json"
    mine.write_bytes(b"old")
    write_atomically(mine, b"new", replace=True)
    assert mine.read_bytes() == b"new" and stat.S_IMODE(os.lstat(mine).st_mode) == 0o600
    link = tmp_path / "link.json"
    link.symlink_to(mine)
    with pytest.raises(ExportError, match="not a regular file"):
        write_atomically(link, b"evil", replace=True)
    assert link.is_symlink() and mine.read_bytes() == b"new"
    store_file = tmp_path / "session_app.sqlite3"
    store_file.write_bytes(b"db")
    with pytest.raises(ExportError, match="the app's own data"):
        write_atomically(store_file, b"x", replace=True, protected=(store_file,))
    assert store_file.read_bytes() == b"db"
    assert names(tmp_path) == ["link.json", "mine.json", "session_app.sqlite3"]


def test_without_hard_links_the_name_is_still_only_taken_when_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some USB sticks (FAT) have no hard links: the export then reserves the name with
    O_EXCL and renames over its own empty placeholder."""

    def no_links(*_: object, **__: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "new.json"
    write_atomically(out, b"whole")
    assert out.read_bytes() == b"whole" and names(tmp_path) == ["new.json"]
    with pytest.raises(ExportError, match="already exists"):
        write_atomically(out, b"again")
    assert out.read_bytes() == b"whole" and names(tmp_path) == ["new.json"]


def test_csv_never_leaves_one_file_of_the_two(
    store: SessionStore, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program takes the second name between the check and the write: the
    first file, already in place, is removed again (both files or neither)."""
    record = SessionRecord.load(store, seed_rems_session(store, clock))
    folder = tmp_path / "out"
    folder.mkdir()
    real_link = os.link

    def link_then_race(src: str, dst: str, **kw: object) -> None:
        if Path(dst).name == "visit.csv":
            Path(dst).write_bytes(b"theirs")
        real_link(src, dst, **kw)

    monkeypatch.setattr(os, "link", link_then_race)
    with pytest.raises(ExportError, match=r"visit\.csv: it already exists"):
        write_csv(record, folder / "visit.csv")
    assert names(folder) == ["visit.csv"]
    assert (folder / "visit.csv").read_bytes() == b"theirs"
