"""The command line works without a display (offscreen or none)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "-m", "session_app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_sessions_command_lists_the_store(data_dir: Path) -> None:
    store = SessionStore.open(data_dir)
    store.start_session(NewSession("JD-9", IV_KETAMINE, "AB"))
    store.close()
    result = run_cli("sessions", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    fields = result.stdout.strip().split("\t")
    assert fields[1] == "JD-9" and fields[3] == IV_KETAMINE and fields[4] == "in progress"


def test_a_file_that_is_not_a_database_gives_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "session_app.sqlite3").write_text("not sqlite")
    result = run_cli("--data-dir", str(tmp_path), "sessions")
    assert result.returncode == 2
    assert "not a session_app database" in result.stderr
    assert "Traceback" not in result.stderr


def run_cli_with_input(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run(
        [sys.executable, "-m", "session_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_set_pin_reads_standard_input_and_stores_only_a_hash(data_dir: Path) -> None:
    result = run_cli_with_input("583920\n", "set-pin", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "Staff PIN set" in result.stdout
    store = SessionStore.open(data_dir)
    from session_app.domain.pin import verify_pin

    assert verify_pin("583920", store.current_pin())
    assert [by for _, by in store.pin_changes()] == ["set-pin (command line)"]
    store.close()


def test_set_pin_refuses_a_bad_pin_and_changes_nothing(data_dir: Path) -> None:
    result = run_cli_with_input("12\n", "set-pin", "--data-dir", str(data_dir))
    assert result.returncode == 2
    assert "4–12 digits" in result.stderr and "Nothing was changed" in result.stderr
    store = SessionStore.open(data_dir)
    assert store.current_pin() is None
    store.close()


def test_backup_command_writes_a_usable_copy(data_dir: Path, tmp_path: Path) -> None:
    store = SessionStore.open(data_dir)
    store.start_session(NewSession("JD-9", IV_KETAMINE, "AB"))
    target = tmp_path / "backup.sqlite3"
    result = run_cli("backup", str(target), "--data-dir", str(data_dir))  # while the store is open
    store.close()
    assert result.returncode == 0, result.stderr
    copy = SessionStore.open(target)
    assert [s.patient_id for s in copy.sessions()] == ["JD-9"]
    copy.close()
    again = run_cli("backup", str(target), "--data-dir", str(data_dir))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_the_real_app_starts_patient_window_first_then_the_staff_panel(data_dir: Path) -> None:
    """`python -m session_app` as a user starts it (offscreen here), with the start-up probe
    that `make bench` uses: it reports each window's first paint, then quits."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(QT_QPA_PLATFORM="offscreen", SESSION_APP_STARTUP_PROBE="1")
    result = subprocess.run(
        [sys.executable, "-m", "session_app", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    probes = [line.split() for line in result.stdout.splitlines() if line.startswith("probe ")]
    assert [name for _, name, _ in probes] == ["PatientWindow", "StaffPanel"]
    assert float(probes[0][2]) <= float(probes[1][2])
    assert (data_dir / "session_app.sqlite3").exists()
    assert (data_dir / "logs" / "session_app.log").exists()
