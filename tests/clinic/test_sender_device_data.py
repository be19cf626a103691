"""Issue 17's device data in clinic mode: what a monitor sent a room (its messages, every
value, the links of a check recorded from it, a dismissed proposal) reaches the clinic
server once each, as the room holds it, and wakes no station (no NOTIFY for device rows).
A real PostgreSQL server, a real SQLite file, the real inbox taking GE-shaped messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from psycopg import sql

from session_app.app import main
from session_app.clinic.schema import BOARD_TABLES, DEVICE_TABLES, NOTIFY_CHANNEL
from session_app.clinic.sender import ClinicLink, ClinicSender
from session_app.devices.inbox import Inbox
from session_app.devices.oru import parse_message
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.outbox import SENT_TABLES
from tests.clinic.conftest import ClinicServer
from tests.clinic.test_sender import FAST, SETTLE_S, assert_server_holds_exactly, local_rows
from tests.devices import messages


def hl7_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


def monitor_session(service: MonitoringService, store: SessionStore, clock: ManualClock) -> int:
    """Two GE NIBP sets through the real inbox: the first recorded as a check (with the
    nurse's MOAA/S), the second dismissed."""
    sid = service.start_session(NewSession("RT-8", ESKETAMINE_REMS, "AB", 70.0)).id
    for n in (1, 2):
        now = hl7_time(clock.now())
        text = messages.ge(control_id=f"GE{n:04d}", patient="RT-8", nibp_time=now, msh_time=now)
        assert parse_message(Inbox(store).handle(text, "127.0.0.1"))["MSA.F1"] == "AA"
        clock.advance(minutes=5)
    first, second = service.proposed_checks(sid)
    service.record_proposed(first.id, {"moaas": "5"}, "AB")
    service.dismiss_proposed(second.id, "AB")
    return sid


def test_a_monitor_fed_session_reaches_the_server_whole_and_wakes_no_station(
    clinic: ClinicServer, service: MonitoringService, store: SessionStore, clock: ManualClock,
    data_dir: Path,
) -> None:  # fmt: skip
    assert set(DEVICE_TABLES) <= set(SENT_TABLES)
    assert main(clinic.join_argv("Room 1", data_dir)) == 0
    with clinic.admin() as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
        sid = monitor_session(service, store, clock)
        for table in DEVICE_TABLES:
            assert local_rows(store.path, table), f"the room holds no {table}"
        link = ClinicLink.from_settings(store.load_settings())
        assert link is not None
        sender = ClinicSender(store.path, link, subscribe=store.subscribe, backoff=FAST)
        sender.start()
        try:
            assert sender.wait_until_sent(SETTLE_S)
        finally:
            sender.stop()
        listener.execute("SELECT pg_notify(%s, 'end of the test')", (NOTIFY_CHANNEL,))
        heard = []
        for note in listener.notifies(timeout=SETTLE_S):
            if note.payload == "end of the test":
                break
            heard.append(note.payload)
    assert_server_holds_exactly(clinic, {"Room 1": store.path})
    tables = {json.loads(payload).get("table") for payload in heard} - {None}  # - heartbeats
    assert "vitals_checks" in tables and tables <= set(BOARD_TABLES)

    # The agreed format, as for every record: typed columns beside the whole local row.
    [check] = local_rows(store.path, "vitals_checks").values()
    observations = local_rows(store.path, "device_observations")
    with clinic.admin() as conn:
        linked = conn.execute(
            "SELECT check_local_id, observation_local_id FROM check_observations"
            " WHERE room = 'Room 1' ORDER BY observation_local_id").fetchall()  # fmt: skip
        assert linked and {c for c, _ in linked} == {check["id"]}
        assert {o for _, o in linked} <= set(observations)
        outcomes = conn.execute(
            "SELECT outcome, check_local_id, decided_by FROM device_proposal_outcomes"
            " WHERE room = 'Room 1' ORDER BY local_id").fetchall()  # fmt: skip
        assert outcomes == [("recorded", check["id"], "AB"), ("dismissed", None, "AB")]
        some = next(o for o in observations.values() if o["measure"] == "spo2")
        row = conn.execute(
            "SELECT session_local_id, measure, value, unit, code, device, observed_at,"
            " implausible, details FROM device_observations WHERE room = 'Room 1'"
            " AND local_id = %s", (some["id"],)).fetchone()  # fmt: skip
        assert row == (sid, "spo2", 97.0, some["unit"], some["code"], some["device"],
                       some["observed_at"], 0, some)  # fmt: skip
        [message_row] = conn.execute(
            "SELECT control_id, outcome FROM device_messages WHERE control_id = 'GE0001'"
        ).fetchall()
        assert message_row == ("GE0001", "AA")
