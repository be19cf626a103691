"""An export to a (nearly) full disk fails with one clear line and leaves no file (issue 13).

A real 64 KiB tmpfs (tests.faults.small_disk): the PDF (~280 KB) cannot fit at all; the
disk is then filled to zero bytes free, or to one 4 KiB page free, where the first CSV
file fits and the second does not.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from session_app.app import main
from tests.faults import SmallDisk, small_disk

PAGE = 4096


@pytest.fixture
def disk(tmp_path: Path):
    with small_disk(tmp_path, size_kb=64) as mounted:
        yield mounted


def fill_leaving(disk: SmallDisk, free: int) -> None:
    disk.fill()
    if free:
        filler = disk.path / "filler.bin"
        os.truncate(filler, filler.stat().st_size - free)


@pytest.mark.parametrize("free", [None, 0, PAGE])
@pytest.mark.parametrize("fmt", ["pdf", "csv", "fhir"])
def test_cli_export_to_a_full_disk_fails_and_leaves_nothing(
    seeded: Path, disk: SmallDisk, capsys: pytest.CaptureFixture[str], fmt: str, free: int | None
) -> None:
    if free is not None:
        fill_leaving(disk, free)
    before = sorted(p.name for p in disk.path.iterdir())
    out = disk.path / f"s.{fmt}"
    code = main(["export", "1", "--format", fmt, "-o", str(out), "--data-dir", str(seeded)])
    captured = capsys.readouterr()
    if free is None and fmt != "pdf":
        assert code == 0, captured.err  # an empty 64 KiB disk holds the CSV and the FHIR
        return
    assert code == 2, captured
    line = captured.err.strip()
    assert line.startswith(f"session-app: Cannot write {disk.path}{os.sep}s")  # or s-events
    assert line.endswith(": No space left on device.") and "\n" not in line
    assert captured.out == ""
    assert sorted(p.name for p in disk.path.iterdir()) == before
