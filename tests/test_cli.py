"""The command line works without a display (offscreen or none)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.faults import small_disk
from tests.seeding import record


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
    store.start_session(NewSession("JD-9", IV_KETAMINE, "AB", 70.0))
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
    store.start_session(NewSession("JD-9", IV_KETAMINE, "AB", 70.0))
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


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exit 2 and one line on stderr (no traceback, no usage)."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("session-app: "), result.stderr
    return lines[0]


READ_ONLY_COMMANDS = {
    "sessions": ("sessions",),
    "export": ("export", "1", "--format", "csv", "-o", "{out}/x.csv"),
    "backup": ("backup", "{out}/copy.sqlite3"),
}


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS)
@pytest.mark.parametrize("folder_exists", [False, True], ids=["no-folder", "empty-folder"])
def test_read_only_commands_refuse_a_folder_that_holds_no_store(
    tmp_path: Path, command: str, folder_exists: bool
) -> None:
    wrong = tmp_path / "wrong"
    if folder_exists:
        wrong.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(out=out) for a in READ_ONLY_COMMANDS[command]]
    line = one_line(run_cli(*args, "--data-dir", str(wrong)))
    assert str(wrong) in line and "no session_app data" in line
    assert os.listdir(out) == []  # no copy of an empty store, no export
    assert (os.listdir(wrong) == []) if folder_exists else not wrong.exists()


def test_set_pin_in_a_new_folder_creates_the_store_there_and_says_where(tmp_path: Path) -> None:
    folder = tmp_path / "new-install"
    result = run_cli_with_input("583920\n", "set-pin", "--data-dir", str(folder))
    assert result.returncode == 0, result.stderr
    assert str(folder / "session_app.sqlite3") in result.stdout
    assert folder.stat().st_mode & 0o777 == 0o700  # a folder the app made is private
    again = run_cli_with_input("583921\n", "set-pin", "--data-dir", str(folder))
    assert again.returncode == 0 and "new" not in again.stdout


def test_an_existing_shared_folder_keeps_its_permissions(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    result = run_cli_with_input("583920\n", "set-pin", "--data-dir", str(shared))
    assert result.returncode == 0, result.stderr
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert (shared / "session_app.sqlite3").stat().st_mode & 0o777 == 0o600


def test_read_only_commands_work_in_a_read_only_data_folder(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        store = SessionStore.open(disk.path)
        service = MonitoringService(store, store.clock)
        session = service.start_session(NewSession("JD-9", IV_KETAMINE, "AB", 70.0))
        record(service, session.id, heart_rate=80)
        store.close()
        before = sorted(os.listdir(disk.path))
        disk.set_read_only(True)
        try:
            listed = run_cli("sessions", "--data-dir", str(disk.path))
            assert listed.returncode == 0, listed.stderr
            assert "JD-9" in listed.stdout
            copy = tmp_path / "copy.sqlite3"
            backed_up = run_cli("backup", str(copy), "--data-dir", str(disk.path))
            assert backed_up.returncode == 0, backed_up.stderr
            exported = run_cli(
                "export",
                str(session.id),
                "--format",
                "csv",
                "-o",
                str(tmp_path / "s.csv"),
                "--data-dir",
                str(disk.path),
            )
            assert exported.returncode == 0, exported.stderr
            assert "JD-9" in (tmp_path / "s.csv").read_text()
            pin = run_cli_with_input("583920\n", "set-pin", "--data-dir", str(disk.path))
            assert "read-only" in one_line(pin)
            assert sorted(os.listdir(disk.path)) == before
        finally:
            disk.set_read_only(False)
    reopened = SessionStore.open(copy)
    assert [s.patient_id for s in reopened.sessions()] == ["JD-9"]
    reopened.close()


def test_a_data_dir_that_is_a_file_gives_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    for args in (("sessions",), ("backup", str(tmp_path / "c.sqlite3"))):
        line = one_line(run_cli(*args, "--data-dir", str(not_a_folder)))
        assert str(not_a_folder) in line and "not a folder" in line
    assert "not a folder" in one_line(
        run_cli_with_input("583920\n", "set-pin", "--data-dir", str(not_a_folder))
    )
    assert not_a_folder.read_text() == "hello"


def test_a_store_path_that_is_a_folder_or_a_dangling_link_gives_one_line(
    tmp_path: Path,
) -> None:
    folder_case, link_case = tmp_path / "a", tmp_path / "b"
    folder_case.mkdir()
    link_case.mkdir()
    (folder_case / "session_app.sqlite3").mkdir()
    (link_case / "session_app.sqlite3").symlink_to(tmp_path / "gone.sqlite3")
    assert "is a folder" in one_line(run_cli("sessions", "--data-dir", str(folder_case)))
    assert "does not exist" in one_line(run_cli("sessions", "--data-dir", str(link_case)))
    pin = run_cli_with_input("583920\n", "set-pin", "--data-dir", str(link_case))
    assert "does not exist" in one_line(pin)
    assert not (tmp_path / "gone.sqlite3").exists()  # the link's target was not created


AS_ANOTHER_USER = """
import os, sys
import session_app.app, session_app.config, session_app.store, session_app.domain.clock
import session_app.domain.pin
session_app.app.build_parser().parse_args(sys.argv[1:])  # argparse loads gettext lazily
os.setgroups([])
os.setgid(65534)
os.setuid(65534)  # nobody, from here on
sys.exit(session_app.app.main(sys.argv[1:]))
"""


def test_a_data_dir_owned_by_another_user_gives_one_line() -> None:
    """The CLI drops to `nobody` (the modules loaded first, since the interpreter lives
    where nobody may not read) against a root-owned 0700 folder it can see but not enter."""
    assert os.geteuid() == 0, "needs root to become another user"
    base = Path(tempfile.mkdtemp(prefix="session-app-owner-"))
    try:
        base.chmod(0o755)
        private = base / "root-only"
        private.mkdir(mode=0o700)
        for args, stdin in ((("sessions",), ""), (("set-pin",), "583920\n")):
            result = subprocess.run(
                [sys.executable, "-c", AS_ANOTHER_USER, *args, "--data-dir", str(private)],
                input=stdin,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            line = one_line(result)
            assert str(private) in line and "permission" in line.lower()
        assert private.stat().st_mode & 0o777 == 0o700 and os.listdir(private) == []
    finally:
        shutil.rmtree(base)


@pytest.mark.parametrize(
    "args",
    [
        ("--bogus",),
        ("export",),
        ("export", "1", "--format", "doc", "-o", "x"),
        ("backup",),
        ("--patient-screen", "two"),
    ],
    ids=["unknown-option", "missing-arguments", "bad-choice", "missing-path", "not-a-number"],
)
def test_argument_errors_are_one_line(args: tuple[str, ...]) -> None:
    line = one_line(run_cli(*args))
    assert line.startswith("session-app: error")


def test_help_still_prints_the_usage() -> None:
    result = run_cli("--help")
    assert result.returncode == 0 and "usage: session-app" in result.stdout
    result = run_cli("export", "--help")
    assert result.returncode == 0 and "--format" in result.stdout
