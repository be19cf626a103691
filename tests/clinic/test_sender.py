"""The room → clinic sender against a real PostgreSQL server and real SQLite files: what
it sends (the agreed record format), its marks, a resend after a crash, a room whose
clock is off, a server it must refuse, and a server that is not there."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from session_app.app import main
from session_app.clinic.schema import RECORD_TABLES
from session_app.clinic.sender import NOT_JOINED, Backoff, ClinicLink, ClinicSender, start_sender
from session_app.clinic.status import SyncState
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.outbox import SENT_TABLES
from tests.clinic.conftest import ClinicServer, _free_port

BASELINE = {"systolic": "128", "diastolic": "80", "heart_rate": "74", "spo2": "98",
            "resp_rate": "14", "temperature_c": "36.6", "recorded_by": "AB"}  # fmt: skip
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
FAST = Backoff(first_s=0.02, cap_s=0.2)  # tests do not wait out a real back-off
SETTLE_S = 60.0  # an upper bound for a wait on a condition, never a sleep


def test_the_room_sends_every_table_the_server_keeps_and_no_other() -> None:
    # Two lists, because store/ may not import clinic/: a table on one side only is either
    # never sent or refused by the server (no such table, or no grant to the room).
    assert sorted(SENT_TABLES) == sorted(RECORD_TABLES)
    assert len(set(SENT_TABLES)) == len(SENT_TABLES)


def write_session(service: MonitoringService, clock: ManualClock, patient: str = "RT-7") -> int:
    """One short session through the real service: a session, a baseline, a dose, a check
    that raises alerts, their acknowledgement, a correction that resolves one, an end."""
    sid = service.start_session(NewSession(patient, ESKETAMINE_REMS, "AB", 70.0)).id
    service.record_check(sid, BASELINE)
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    saved = service.record_check(sid, {**BASELINE, "spo2": "88"})
    service.acknowledge_all([a.id for a in saved.alerts], "cd", "deep breaths")
    service.correct_check(saved.check.id, {**BASELINE, "spo2": "97"}, reason="probe slipped",
                          recorded_by="CD")  # fmt: skip
    return sid


def local_rows(path: Path, table: str) -> dict[int, dict[str, Any]]:
    with sqlite3.connect(path) as raw:
        raw.row_factory = sqlite3.Row
        return {row["id"]: dict(row) for row in raw.execute(f"SELECT * FROM {table}")}


def assert_server_holds_exactly(clinic: ClinicServer, room_paths: dict[str, Path]) -> None:
    """Per table: the server's (room, local_id) list is the union of the rooms' ids, each once."""
    for table in SENT_TABLES:
        expected = sorted((room, i) for room, p in room_paths.items() for i in local_rows(p, table))
        assert clinic.keys(table) == expected, table


def joined_sender(store: SessionStore, **options: Any) -> ClinicSender:
    link = ClinicLink.from_settings(store.load_settings())
    assert link is not None
    sender = ClinicSender(store.path, link, subscribe=store.subscribe, backoff=FAST, **options)
    sender.start()
    return sender


@pytest.fixture
def stopping() -> Iterator[list[ClinicSender]]:
    senders: list[ClinicSender] = []
    yield senders
    for sender in senders:
        sender.stop()


def test_every_record_goes_to_the_server_once_as_the_local_row(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path, stopping: list[ClinicSender],
) -> None:  # fmt: skip
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    sender = joined_sender(store)
    stopping.append(sender)
    sid = write_session(service, clock)
    service.save_settings({**service.load_settings(), "thresholds.spo2_low": 90})
    assert sender.wait_until_sent(SETTLE_S)
    assert_server_holds_exactly(clinic, {"Room 1": store.path})
    state = sender.state()
    assert (state.joined, state.room, state.reachable, state.waiting) == (True, "Room 1", True, 0)
    assert state.problem == "" and state.last_sent_at is not None
    # The agreed format: `details` is the whole local row; the typed columns beside it.
    [correction] = [r for r in local_rows(store.path, "vitals_checks").values() if r["corrects_id"]]
    with clinic.admin() as conn:
        row = conn.execute(
            "SELECT session_local_id, taken_at, corrects_local_id, details FROM vitals_checks"
            " WHERE room = 'Room 1' AND local_id = %s", (correction["id"],)).fetchone()
        assert row == (sid, correction["taken_at"], correction["corrects_id"], correction)
        [event] = local_rows(store.path, "events").values()
        details = conn.execute("SELECT details FROM events WHERE local_id = %s",
                               (event["id"],)).fetchone()[0]  # fmt: skip
        assert details == event and isinstance(details["details_json"], str)


def test_a_resend_after_a_crash_before_the_mark_update_is_stored_once(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path,
) -> None:  # fmt: skip
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    write_session(service, clock)
    sender = joined_sender(store)
    assert sender.wait_until_sent(SETTLE_S)
    sender.stop()
    # What a crash between the server's commit and the local mark update leaves: every
    # record on the server, the marks still at nothing.
    with sqlite3.connect(store.path) as raw:
        marks = dict(raw.execute("SELECT table_name, sent_id FROM clinic_marks"))
        assert marks == {t: max(local_rows(store.path, t), default=0) for t in marks}
        raw.execute("UPDATE clinic_marks SET sent_id = 0")
    again = joined_sender(store)
    try:
        assert again.wait_until_sent(SETTLE_S)
    finally:
        again.stop()
    assert_server_holds_exactly(clinic, {"Room 1": store.path})
    with sqlite3.connect(store.path) as raw:
        assert dict(raw.execute("SELECT table_name, sent_id FROM clinic_marks")) == marks


def test_a_room_whose_clock_is_off_is_received_at_the_server_time(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path, stopping: list[ClinicSender],
) -> None:  # fmt: skip
    clock.set(datetime(2031, 6, 1, 9, 0, tzinfo=UTC))  # five years ahead
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    with clinic.admin() as conn:
        before = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    sender = joined_sender(store)
    stopping.append(sender)
    sid = write_session(service, clock)
    assert sender.wait_until_sent(SETTLE_S)
    with clinic.admin() as conn:
        after = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        started, received = conn.execute(
            "SELECT started_at, received_at FROM sessions WHERE local_id = %s", (sid,)).fetchone()
    assert started.startswith("2031-06-01T09:00")  # the room's time, as the room wrote it
    assert before <= received <= after  # the server's own time


def test_a_newer_server_schema_is_refused_and_the_room_keeps_saving(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path, stopping: list[ClinicSender],
) -> None:  # fmt: skip
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    with clinic.admin() as conn:
        conn.execute("INSERT INTO clinic_schema_version (version) SELECT max(version) + 1"
                     " FROM clinic_schema_version")  # fmt: skip
    sender = joined_sender(store)
    stopping.append(sender)
    write_session(service, clock)
    total = sum(len(local_rows(store.path, t)) for t in SENT_TABLES)
    joined = len(clinic.keys("settings_versions"))  # the link, sent by `clinic join`
    assert sender.wait_for(lambda s: "newer" in s.problem and s.waiting == total - joined,
                           SETTLE_S)  # fmt: skip
    assert not sender.state().reachable
    assert clinic.keys("sessions") == []
    assert len(local_rows(store.path, "vitals_checks")) == 3  # every save committed locally


def test_an_unreachable_server_leaves_the_room_saving_and_counts_what_waits(
    service: MonitoringService, store: SessionStore, clock: ManualClock, tmp_path: Path,
    caplog: pytest.LogCaptureFixture, stopping: list[ClinicSender],
) -> None:  # fmt: skip
    nobody = f"host=127.0.0.1 port={_free_port()} dbname=clinic user=room connect_timeout=2"
    link = ClinicLink(room="Room 1", server=nobody, passfile=str(tmp_path / "none.pgpass"))
    sender = ClinicSender(store.path, link, subscribe=store.subscribe, backoff=FAST)
    stopping.append(sender)
    sender.start()
    write_session(service, clock, patient="PHI-4711")
    total = sum(len(local_rows(store.path, t)) for t in SENT_TABLES)
    assert sender.wait_for(lambda s: s.waiting == total and s.unreachable_since is not None,
                           SETTLE_S)  # fmt: skip
    state = sender.state()
    assert not state.reachable and state.problem.startswith("cannot reach the clinic server")
    outage_lines = [r for r in caplog.records if r.name == "session_app.clinic.sender"]
    assert len(outage_lines) == 1  # one line per outage, however many retries
    assert "PHI-4711" not in caplog.text


def test_a_room_that_has_not_joined_starts_no_sender(store: SessionStore) -> None:
    assert ClinicLink.from_settings(store.load_settings()) is None
    assert start_sender(store) is None
    assert NOT_JOINED.state() == SyncState(joined=False)


def test_stop_joins_the_thread_even_while_it_backs_off(
    store: SessionStore, tmp_path: Path
) -> None:
    nobody = f"host=127.0.0.1 port={_free_port()} dbname=clinic user=room connect_timeout=2"
    link = ClinicLink(room="Room 1", server=nobody)
    sender = ClinicSender(store.path, link, subscribe=store.subscribe,
                          backoff=Backoff(first_s=3600, cap_s=3600))  # fmt: skip
    sender.start()
    assert sender.wait_for(lambda s: s.unreachable_since is not None, SETTLE_S)
    sender.stop()
    assert not sender.is_alive()


def test_the_sender_never_uses_the_ui_connection(
    clinic: ClinicServer, store: SessionStore, data_dir: Path
) -> None:
    """Its own SQLite connection: closing the store the UI uses does not stop it."""
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    path = store.path
    link = ClinicLink.from_settings(store.load_settings())
    assert link is not None
    sender = ClinicSender(path, link, backoff=FAST)
    sender.start()
    try:
        other = SessionStore.open(path)
        other.start_session(NewSession("RT-8", ESKETAMINE_REMS, "AB", 70.0))
        other.close()
        assert sender.wait_until_sent(SETTLE_S)  # by its poll: `other` announces to no one
    finally:
        sender.stop()
    with psycopg.connect(clinic.cluster.admin_conninfo(clinic.db)) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


def test_the_key_is_the_only_unique_constraint_of_a_record_table(clinic: ClinicServer) -> None:
    """The sender's ON CONFLICT DO NOTHING names no target (a room role may not SELECT): it
    must then be the key (room, local_id), and nothing else, that a resend runs into."""
    with clinic.admin() as conn:
        rows = conn.execute(
            "SELECT t.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE i.indisunique AND t.relname = ANY(%s)", (list(SENT_TABLES),)).fetchall()
    assert sorted(table for table, _ in rows) == sorted(SENT_TABLES)
    assert all(definition.endswith("(room, local_id)") for _, definition in rows)


def test_a_mark_that_cannot_be_written_is_said_and_its_records_sent_once(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path, stopping: list[ClinicSender],
) -> None:  # fmt: skip
    """Another program holds the file's write lock after the server committed a batch:
    the mark stays behind, the staff strip says why, and the resend changes nothing."""
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    write_session(service, clock)
    locker = sqlite3.connect(store.path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        sender = joined_sender(store)
        stopping.append(sender)
        assert sender.wait_for(lambda s: "cannot note its progress" in s.problem
                               and s.waiting > 0, SETTLE_S)  # fmt: skip
        assert "locked" in sender.state().problem
        assert len(clinic.keys("sessions")) == 1  # the batch the mark missed is on the server
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert sender.wait_until_sent(SETTLE_S)
    assert_server_holds_exactly(clinic, {"Room 1": store.path})


def test_the_app_starts_a_sender_only_for_a_joined_room(
    clinic: ClinicServer, store: SessionStore, data_dir: Path
) -> None:
    from session_app.app import _start_clinic_sender

    assert _start_clinic_sender(store) is None
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    sender = _start_clinic_sender(store)
    assert sender is not None
    try:
        assert sender.wait_until_sent(SETTLE_S)
        assert sender.state().room == "Room 1"
    finally:
        sender.stop()
    assert not sender.is_alive()


def test_a_room_on_its_own_never_imports_the_driver(data_dir: Path) -> None:
    """psycopg's import costs start-up time a room that has not joined must not pay."""
    script = (
        "import sys; from pathlib import Path; from session_app import app;"
        "from session_app.store import SessionStore;"
        f"store = SessionStore.open(Path({str(data_dir)!r}));"
        "assert app._start_clinic_sender(store) is None;"
        "print(sorted(m for m in sys.modules if m.startswith('psycopg')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.strip() == "[]"


def test_a_wrong_password_is_one_line_in_the_staff_strip_and_the_log_and_saving_goes_on(
    qtbot, clinic: ClinicServer, service: MonitoringService, store: SessionStore,
    clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    stopping: list[ClinicSender],
) -> None:  # fmt: skip
    from session_app.ui.staff.clinic_notice import ClinicNotice

    fields = clinic.passfiles["Room 1"].read_text().strip().split(":")
    wrong = tmp_path / "wrong.pgpass"
    wrong.write_text(":".join([*fields[:4], "not-the-password"]) + "\n")
    wrong.chmod(0o600)
    link = ClinicLink(room="Room 1", server=clinic.room_conninfo("Room 1"), passfile=str(wrong))
    sender = ClinicSender(store.path, link, subscribe=store.subscribe, backoff=FAST)
    stopping.append(sender)
    sender.start()
    write_session(service, clock, patient="PHI-0815")  # the room saves whatever the server says
    assert sender.wait_for(lambda s: "password" in s.problem and s.waiting > 0, SETTLE_S)
    notice = ClinicNotice(sender, clock)
    qtbot.addWidget(notice)
    line = notice.label.text()
    assert line.startswith("Clinic: password refused for role ") and "\n" not in line
    assert "records waiting" in line and "not-the-password" not in line
    logged = [r.getMessage() for r in caplog.records if r.name == "session_app.clinic.sender"]
    assert len(logged) == 1 and "password refused" in logged[0]
    assert "PHI-0815" not in caplog.text and "not-the-password" not in caplog.text


def test_the_app_starts_the_sender_after_the_first_paint_and_stops_it_at_exit(
    qtbot, clinic: ClinicServer, store: SessionStore, clock: ManualClock, data_dir: Path
) -> None:
    from session_app.app import _ClinicLater
    from session_app.ui.staff.panel import StaffPanel

    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    panel = StaffPanel(MonitoringService(store, clock), now_playing=None, require_pin=False)
    qtbot.addWidget(panel)
    panel.show()
    later = _ClinicLater(store, panel)
    assert later.sender is None and panel.clinic_notice is None  # not before the event loop
    qtbot.waitUntil(lambda: later.sender is not None, timeout=10_000)
    sender = later.sender
    assert sender is not None and panel.clinic_notice is not None
    assert sender.wait_until_sent(SETTLE_S)
    later.stop()
    assert not sender.is_alive()
    panel.stop()


def test_a_room_on_its_own_stops_cleanly_before_and_after_the_start_time(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    from session_app.app import _ClinicLater
    from session_app.ui.staff.panel import StaffPanel

    panel = StaffPanel(MonitoringService(store, clock), now_playing=None, require_pin=False)
    qtbot.addWidget(panel)
    early = _ClinicLater(store, panel)
    early.stop()  # the app closed within the first second and a half
    late = _ClinicLater(store, panel)
    late.start()
    assert late.sender is None and panel.clinic_notice is None
    late.stop()
    panel.stop()
