"""`session-app clinic join` on a room PC, against a real server: what it saves, what it
sends, and each refusal as one line with exit 2 (the room's records untouched)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from session_app.app import main
from session_app.clinic.schema import SCHEMA_VERSION
from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.settings import resolve_settings
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.clinic.conftest import ClinicServer, _free_port, make_clinic
from tests.clinic.test_sender import assert_server_holds_exactly, local_rows, write_session


def one_line_refusal(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("session-app: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


def test_join_saves_the_link_in_the_settings_and_rejoining_is_fine(
    clinic: ClinicServer, store: SessionStore, data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    before = store.load_settings()
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    assert "Room 1" in capsys.readouterr().out
    saved = resolve_settings(store.load_settings())
    assert saved["clinic.room"] == "Room 1"
    assert saved["clinic.server"] == clinic.room_conninfo("Room 1")
    assert saved["clinic.passfile"] == str(clinic.passfiles["Room 1"].resolve())
    assert {k: v for k, v in store.load_settings().items() if not k.startswith("clinic.")} == before
    assert main(clinic.join_argv("Room 1", data_dir)) == 0  # the same install, again


def test_a_room_with_local_history_sends_it_all_on_join(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for patient in ("RT-1", "RT-2", "RT-3"):
        sid = write_session(service, clock, patient)
        clock.advance(minutes=60)
        assert sid > 0
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    out = capsys.readouterr().out
    total = sum(len(local_rows(store.path, t)) for t in ("sessions", "vitals_checks"))
    assert "sent" in out and total > 10, out
    assert_server_holds_exactly(clinic, {"Room 1": store.path})


def test_the_same_room_claimed_from_another_install_is_refused(
    clinic: ClinicServer, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    other_pc = tmp_path / "other-pc"
    other_pc.mkdir(mode=0o700)
    capsys.readouterr()
    assert main(clinic.join_argv("Room 1", other_pc)) == 2
    one_line_refusal(capsys, "Room 1", "another installation")
    other = SessionStore.open(other_pc)
    try:
        assert "clinic.room" not in other.load_settings()
    finally:
        other.close()


def test_a_copy_of_the_data_file_is_the_same_install(
    clinic: ClinicServer, store: SessionStore, data_dir: Path, tmp_path: Path
) -> None:
    """The install id lives in the file: a restored backup may rejoin its own room."""
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    store.backup(restored / "session_app.sqlite3")
    assert main(clinic.join_argv("Room 1", restored)) == 0


def test_a_room_joined_to_another_clinic_or_as_another_room_is_refused(
    clinic: ClinicServer, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with clinic.admin() as conn:
        conn.execute(f"CREATE DATABASE {clinic.db}_other")
    (tmp_path / "other").mkdir()
    elsewhere = make_clinic(clinic.cluster, f"{clinic.db}_other", tmp_path / "other", "Room 7")
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    capsys.readouterr()
    assert main(elsewhere.join_argv("Room 7", data_dir)) == 2
    one_line_refusal(capsys, "already joined", "Room 1")
    assert main(clinic.join_argv("Room 2", data_dir)) == 2
    one_line_refusal(capsys, "already joined", "Room 1")
    with elsewhere.admin() as conn:
        assert conn.execute("SELECT install_id FROM rooms").fetchall() == [(None,)]


def test_a_passfile_for_another_room_is_refused(
    clinic: ClinicServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = clinic.join_argv("Room 1", data_dir)
    argv[argv.index("--room") + 1] = "Room 2"
    assert main(argv) == 2
    one_line_refusal(capsys, "Room 1", "Room 2")


def test_a_newer_server_schema_is_refused_and_nothing_is_saved(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with clinic.admin() as conn:
        conn.execute("INSERT INTO clinic_schema_version (version) VALUES (%s)",
                     (SCHEMA_VERSION + 1,))  # fmt: skip
    assert main(clinic.join_argv("Room 1", data_dir)) == 2
    one_line_refusal(capsys, "newer", str(SCHEMA_VERSION + 1))
    assert "clinic.room" not in store.load_settings()
    write_session(service, clock)  # the room keeps working
    assert len(local_rows(store.path, "vitals_checks")) == 3
    with clinic.admin() as conn:
        assert conn.execute("SELECT install_id FROM rooms WHERE name = 'Room 1'").fetchone() == (
            None,
        )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a: a.__setitem__(a.index("--server") + 1, a[a.index("--server") + 1]
                                 + " password=hunter2"), ("password", "passfile")),
        (lambda a: a.__setitem__(a.index("--server") + 1, "host='unclosed"), ("--server",)),
        (lambda a: a.__setitem__(a.index("--passfile") + 1, "/nonexistent/r.pgpass"),
         ("/nonexistent/r.pgpass",)),
        (lambda a: a.__setitem__(a.index("--room") + 1, "  "), ("room name",)),
    ],
    ids=["password-in-conninfo", "malformed-conninfo", "missing-passfile", "empty-room"],
)  # fmt: skip
def test_bad_join_arguments_are_one_line_each(
    clinic: ClinicServer, data_dir: Path, capsys: pytest.CaptureFixture[str],
    change: object, words: tuple[str, ...],
) -> None:  # fmt: skip
    argv = clinic.join_argv("Room 1", data_dir)
    change(argv)  # type: ignore[operator]
    assert main(argv) == 2
    err = one_line_refusal(capsys, *words)
    assert "hunter2" not in err


def test_a_passfile_others_can_read_is_refused(
    clinic: ClinicServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """libpq would ignore it silently and the room would fail with 'no password supplied'."""
    os.chmod(clinic.passfiles["Room 1"], 0o644)
    assert main(clinic.join_argv("Room 1", data_dir)) == 2
    one_line_refusal(capsys, "0600")


def test_join_never_changes_a_record(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path,
) -> None:  # fmt: skip
    write_session(service, clock)
    before = {t: local_rows(store.path, t) for t in ("sessions", "vitals_checks", "alerts")}
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    assert {t: local_rows(store.path, t) for t in before} == before
    with sqlite3.connect(store.path) as raw:
        [(install,)] = raw.execute("SELECT install_id FROM clinic_install").fetchall()
    with clinic.admin() as conn:
        row = conn.execute("SELECT install_id::text FROM rooms WHERE name = 'Room 1'").fetchone()
        assert row == (install,)


@pytest.mark.parametrize(
    "server", ["host=db dbname=clinic password=hunter2", "postgresql://room:hunter2@db/clinic"]
)
def test_the_settings_never_keep_a_password_in_the_server_string(
    service: MonitoringService, server: str
) -> None:
    """The settings are records the room sends to the server: no password may get in."""
    with pytest.raises(ValidationError, match="passfile") as refused:
        service.save_settings({"clinic.server": server})
    assert "hunter2" not in str(refused.value)
    assert "clinic.server" not in service.load_settings()


def test_joining_a_server_that_is_not_there_is_one_line_and_saves_nothing(
    clinic: ClinicServer, store: SessionStore, data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    argv = clinic.join_argv("Room 1", data_dir)
    port = str(clinic.cluster.port)
    argv[argv.index("--server") + 1] = argv[argv.index("--server") + 1].replace(
        f"port={port}", f"port={_free_port()}")  # fmt: skip
    assert main(argv) == 2
    one_line_refusal(capsys, "cannot reach the clinic server")
    assert "clinic.room" not in store.load_settings()
