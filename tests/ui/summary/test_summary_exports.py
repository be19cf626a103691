"""The summary's Export buttons: they ask before replacing a file, replace only a regular
file, never write over the store, and say so when the disk is full (issue 13)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from session_app.ui.summary.view import SummaryView
from tests.export.seed import seed_rems_session
from tests.faults import SmallDisk, small_disk


@pytest.fixture
def view(qtbot, store: SessionStore, clock: ManualClock) -> SummaryView:
    shown = SummaryView(store, seed_rems_session(store, clock), clock)
    qtbot.addWidget(shown)
    return shown


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path, size_kb=64) as mounted:
        yield mounted


def pick(view: SummaryView, path: Path) -> None:
    """The file dialog's answer."""
    view.ask_path = lambda title, suggested, filters: str(path)


def boxes(view: SummaryView, name: str) -> list[QMessageBox]:
    return [b for b in view.findChildren(QMessageBox, name) if b.isVisible()]


def answer(view: SummaryView, button: QMessageBox.StandardButton) -> None:
    [box] = boxes(view, "ConfirmReplaceExport")
    box.button(button).click()


def test_an_existing_file_is_replaced_only_after_the_user_says_yes(
    view: SummaryView, tmp_path: Path
) -> None:
    mine = tmp_path / "s.pdf"
    mine.write_bytes(b"mine")
    pick(view, mine)
    view.pdf_button.click()
    [box] = boxes(view, "ConfirmReplaceExport")
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert str(mine) in box.text() and mine.read_bytes() == b"mine"
    answer(view, QMessageBox.StandardButton.No)
    assert mine.read_bytes() == b"mine"
    assert view.status.text() == "Not exported: nothing was replaced."

    view.pdf_button.click()
    answer(view, QMessageBox.StandardButton.Yes)
    assert mine.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(os.lstat(mine).st_mode) == 0o600
    assert view.status.text() == f"Saved {mine}."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "s.pdf"]


def test_csv_asks_once_for_both_files(view: SummaryView, tmp_path: Path) -> None:
    checks, events = tmp_path / "s.csv", tmp_path / "s-events.csv"
    events.write_bytes(b"old events")  # the picked name is new, its companion is not
    pick(view, checks)
    view.csv_button.click()
    [box] = boxes(view, "ConfirmReplaceExport")
    assert str(events) in box.text() and not checks.exists()
    answer(view, QMessageBox.StandardButton.Yes)
    assert checks.read_text(encoding="utf-8-sig").startswith("session_id,")
    assert events.read_text(encoding="utf-8-sig").startswith("session_id,")


def test_a_new_file_is_written_without_a_question(view: SummaryView, tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    pick(view, target)
    view.fhir_button.click()
    assert boxes(view, "ConfirmReplaceExport") == []
    assert target.read_bytes().startswith(b"{")


@pytest.mark.parametrize(
    "name", ["session_app.sqlite3", "session_app.sqlite3-wal", "session_app.sqlite3-shm"]
)
@pytest.mark.parametrize("button", ["pdf_button", "csv_button", "fhir_button"])
def test_the_store_is_never_written(
    view: SummaryView, store: SessionStore, name: str, button: str
) -> None:
    db = Path(store.path)
    target = db.with_name(name)
    before = target.read_bytes() if target.exists() else None
    pick(view, target)
    getattr(view, button).click()
    assert boxes(view, "ConfirmReplaceExport") == []
    [box] = boxes(view, "ExportFailed")
    assert box.text() == (
        f"Cannot write {target}: it is the app's own data (the session store); choose another name."
    )
    assert view.status.text() == box.text() and view.status.property("error") is True
    assert (target.read_bytes() if target.exists() else None) == before
    assert [s.id for s in store.sessions()] == [view.session_id]


@pytest.mark.parametrize("kind", ["symlink", "device"])
def test_a_symlink_or_a_device_is_never_replaced(
    view: SummaryView, tmp_path: Path, kind: str
) -> None:
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"mine")
    target = tmp_path / "picked.pdf"
    if kind == "symlink":
        target.symlink_to(elsewhere)
    else:
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    pick(view, target)
    view.pdf_button.click()
    assert boxes(view, "ConfirmReplaceExport") == []
    [box] = boxes(view, "ExportFailed")
    assert "not a regular file" in box.text()
    assert elsewhere.read_bytes() == b"mine"
    if kind == "symlink":
        assert target.is_symlink()
    else:
        assert stat.S_ISCHR(os.lstat(target).st_mode)


def test_a_full_disk_says_so_and_leaves_nothing(view: SummaryView, disk: SmallDisk) -> None:
    target = disk.path / "s.pdf"
    pick(view, target)
    view.pdf_button.click()
    assert view.status.text() == f"Cannot write {target}: No space left on device."
    assert view.status.property("error") is True
    [box] = boxes(view, "ExportFailed")
    assert box.text() == view.status.text()
    assert list(disk.path.iterdir()) == []
