"""The real start-up (`session_app.app.main`, in this process): the patient window is
painted on the built-in library first, then the store opens, the clinic's folders are
added and the staff panel is built; a store that refuses is explained, not a crash."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

import session_app.app as app_module
from session_app.logs import stop_logging
from session_app.media.backend import ARGS_ENV, HEADLESS_ARGS
from session_app.paths import MEDIA_DIR
from session_app.store import SessionStore
from session_app.ui.patient.tiles import MediaTile


@pytest.fixture
def start_env(qtbot, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Headless libvlc, and the start-up probe that quits once both windows painted."""
    monkeypatch.setenv(ARGS_ENV, " ".join(HEADLESS_ARGS))
    monkeypatch.setenv(app_module.STARTUP_PROBE_ENV, "1")
    yield
    stop_logging()


def test_a_store_that_refuses_closes_the_patient_window_and_says_why(
    start_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (tmp_path / "session_app.sqlite3").write_text("not sqlite")
    shown: list[tuple[str, str]] = []
    # The one fake: a modal box would wait for a click that never comes in a test.
    monkeypatch.setattr(
        QMessageBox, "critical", lambda parent, title, text: shown.append((title, text))
    )
    painted: list[object] = []
    real_wait = app_module._wait_until_painted
    monkeypatch.setattr(
        app_module,
        "_wait_until_painted",
        lambda app, window: (real_wait(app, window), painted.append(window)),
    )

    code = app_module.main(["--data-dir", str(tmp_path)])

    assert code == 2
    [patient] = painted  # the patient's screen came up before the store was read
    assert patient.objectName() == "PatientWindow"
    [(title, text)] = shown
    assert title == "session_app cannot open its data" and "not a session_app database" in text
    assert "not a session_app database" in capsys.readouterr().err
    assert not patient.isVisible()
    log_text = (tmp_path / "logs" / "session_app.log").read_text()
    assert "store refused: NotADatabaseError" in log_text
    assert (tmp_path / "session_app.sqlite3").read_text() == "not sqlite"  # left as it was


def test_clinic_folders_are_added_to_the_patient_window_once_the_store_is_open(
    qtbot, start_env: None, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "clinic-music"
    folder.mkdir()
    shutil.copy(MEDIA_DIR / "soft-rain.opus", folder / "Harbour evening.opus")
    store = SessionStore.open(data_dir)
    store.save_settings({"media_folders": [str(folder)]})
    store.close()
    seen: dict[str, list[str]] = {}
    real_build_staff_panel = app_module.build_staff_panel

    def build_staff_panel(store, patient, clock=None, *, require_pin=False):  # type: ignore[no-untyped-def]
        def tiles() -> list[str]:
            return [tile.item.title for tile in patient.tiles.findChildren(MediaTile)]

        qtbot.waitUntil(lambda: "Harbour evening" in tiles(), timeout=30_000)  # off-thread scan
        seen["library"] = [item.title for item in patient.library.items]
        seen["tiles"] = [tile.item.title for tile in patient.tiles.findChildren(MediaTile)]
        return real_build_staff_panel(store, patient, clock, require_pin=require_pin)

    monkeypatch.setattr(app_module, "build_staff_panel", build_staff_panel)

    assert app_module.main(["--data-dir", str(data_dir)]) == 0

    assert "Harbour evening" in seen["library"] and "Harbour evening" in seen["tiles"]
    assert len(seen["library"]) == len(seen["tiles"]) > 1  # the built-in items stay too


def test_media_that_cannot_start_is_written_to_the_log(
    start_env: None, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from session_app.media import backend

    monkeypatch.setattr(
        backend.importlib,
        "import_module",
        lambda name: (_ for _ in ()).throw(ImportError("no libvlc here")),
    )

    assert app_module.main(["--data-dir", str(data_dir)]) == 0

    logging.getLogger("session_app").handlers[0].flush()
    log_text = (data_dir / "logs" / "session_app.log").read_text()
    assert "media disabled: libvlc could not be loaded (ImportError: no libvlc here)" in log_text


# Run in a fresh interpreter by the test below: the real start-up, stopped at the patient
# window's first paint, which reports whether PySide has built the `Qt` namespace yet.
FIRST_PAINT_SCRIPT = """
import os, sys
from PySide6 import QtCore
from session_app import app
from session_app.ui.patient.window import PatientWindow

def first_paint(window, event):
    print("Qt namespace built before the first paint:", "Qt" in vars(QtCore), flush=True)
    os._exit(0)

PatientWindow.paintEvent = first_paint
app.main(sys.argv[1:])
"""


def test_the_patient_window_paints_before_pyside_builds_the_qt_namespace(
    tmp_path: Path,
) -> None:
    """PySide creates all ≈ 90 enums of `QtCore.Qt` on its first use (≈ 15-20 ms, issue 7);
    the patient's first screen does not wait for them. A fresh interpreter, since this
    one used `Qt` long ago."""
    env = {**os.environ, ARGS_ENV: " ".join(HEADLESS_ARGS)}
    result = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_SCRIPT, "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Qt namespace built before the first paint: False" in result.stdout, result.stderr


def test_a_data_dir_that_is_a_file_is_explained_before_any_window(
    start_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda parent, title, text: shown.append((title, text))
    )
    built: list[object] = []
    real_build = app_module.build_patient_window
    monkeypatch.setattr(
        app_module, "build_patient_window", lambda *a, **k: built.append(real_build(*a, **k))
    )

    assert app_module.main(["--data-dir", str(not_a_folder)]) == 2

    assert built == []  # no window came up only to vanish
    [(title, text)] = shown
    assert title == "session_app cannot open its data" and "not a folder" in text
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("session-app: ") and str(not_a_folder) in line
    assert not_a_folder.read_text() == "hello"


def test_a_store_path_that_is_a_folder_closes_the_patient_window_with_a_message(
    start_env: None, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (data_dir / "session_app.sqlite3").mkdir()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda parent, title, text: shown.append((title, text))
    )

    assert app_module.main(["--data-dir", str(data_dir)]) == 2

    [(_title, text)] = shown
    assert "is a folder" in text
    assert "is a folder" in capsys.readouterr().err
    assert (data_dir / "session_app.sqlite3").is_dir()


def test_the_app_started_the_readme_way_freezes_its_start_up_objects(
    start_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_gui asks for the start-up freeze (app.freeze_after_start; tests/test_gc_freeze.py)."""
    import gc

    gc.unfreeze()
    monkeypatch.setattr(app_module, "FREEZE_AFTER_MS", 0)
    try:
        assert app_module.main(["--data-dir", str(tmp_path / "data")]) == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

