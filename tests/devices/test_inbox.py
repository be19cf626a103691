"""The inbox (devices.inbox): real python-hl7, a real SQLite store, real threads."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from session_app.devices.inbox import OTHER_PATIENT_NOTICE, Inbox
from session_app.devices.oru import parse_message
from session_app.devices.samples import DeviceSample
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind
from tests.devices import messages

NOW = datetime(2026, 1, 5, 9, 15, tzinfo=UTC)  # the GE message's time


@pytest.fixture
def session_id(store: SessionStore, clock: ManualClock) -> int:
    clock.set(NOW - timedelta(minutes=15))
    started = store.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0), {}).id
    clock.set(NOW)
    return started


@pytest.fixture
def inbox(store: SessionStore) -> Inbox:
    return Inbox(store, zone=ZoneInfo("Europe/Paris"))


@pytest.fixture
def changes(store: SessionStore) -> list[Change]:
    heard: list[Change] = []
    store.subscribe(heard.append)
    return heard


def ack_of(text: str) -> tuple[str, str, str]:
    ack = parse_message(text)
    return ack["MSA.F1"], ack["MSA.F2"], ack["MSA.F3"]


def test_a_message_for_the_open_session_is_stored_then_acknowledged(
    inbox: Inbox, store: SessionStore, session_id: int, changes: list[Change]
) -> None:
    assert ack_of(inbox.handle(messages.ge(), "127.0.0.1")) == ("AA", "GE0001", "")
    stored = store.device_observations(session_id)
    assert sorted(o.measure for o in stored) == sorted(
        ["systolic", "diastolic", "mean_bp", "heart_rate", "spo2", "resp_rate"]
    )
    assert not any(o.implausible or o.clock_skew for o in stored)
    assert [c.kind for c in changes] == [ChangeKind.DEVICE_DATA]


def test_a_repeat_is_acknowledged_again_and_stored_once(
    inbox: Inbox, store: SessionStore, session_id: int
) -> None:
    """The app killed after the commit, before the ACK: the monitor resends."""
    inbox.handle(messages.ge(), "127.0.0.1")  # its ACK never reached the monitor
    assert ack_of(inbox.handle(messages.ge(), "127.0.0.1"))[:2] == ("AA", "GE0001")
    assert len(store.device_observations(session_id)) == 6


def test_the_bed_label_matches_when_the_patient_id_does_not(
    inbox: Inbox, store: SessionStore, session_id: int
) -> None:
    store.save_settings({"bed_label": "KET^^CHAIR3"})
    assert ack_of(inbox.handle(messages.mindray(patient="OTHER"), "10.0.0.5"))[0] == "AA"
    assert len(store.device_observations(session_id)) == 4  # one vendor code set aside


def test_any_pid_3_repetition_matches(inbox: Inbox, store: SessionStore, session_id: int) -> None:
    assert ack_of(inbox.handle(messages.philips(), "10.0.0.5"))[0] == "AA"
    assert len(store.device_observations(session_id)) == 6


def test_no_open_session_is_refused_and_nothing_stored(
    inbox: Inbox, store: SessionStore, data_dir: object
) -> None:
    assert ack_of(inbox.handle(messages.ge(), "127.0.0.1")) == ("AR", "GE0001", "no open session")
    raw = sqlite3.connect(store.path)
    try:
        assert raw.execute("SELECT COUNT(*) FROM device_messages").fetchone() == (0,)
        assert raw.execute("SELECT COUNT(*) FROM device_observations").fetchone() == (0,)
    finally:
        raw.close()


def test_another_patient_is_refused_nothing_stored_and_staff_told_quietly(
    inbox: Inbox,
    store: SessionStore,
    session_id: int,
    changes: list[Change],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store.save_settings({"bed_label": "KET^^CHAIR9"})
    changes.clear()
    code, control_id, _ = ack_of(inbox.handle(messages.ge(patient="ZZ-4711"), "127.0.0.1"))
    assert (code, control_id) == ("AR", "GE0001")
    assert store.device_observations(session_id) == []
    assert changes == [Change(ChangeKind.DEVICE_NOTICE, session_id, 0)]
    assert OTHER_PATIENT_NOTICE == "Monitor sent data for another patient"
    assert "ZZ-4711" not in caplog.text
    # and a later message of this patient is taken as usual (the refusal kept nothing)
    assert ack_of(inbox.handle(messages.ge(control_id="GE0002"), "127.0.0.1"))[0] == "AA"


def test_a_malformed_message_is_answered_ae(inbox: Inbox, session_id: int) -> None:
    code, _, text = ack_of(inbox.handle(messages.ge(nibp_time="tomorrow"), "127.0.0.1"))
    assert code == "AE"
    assert "OBX-14" in text


def test_another_message_type_is_answered_ar(inbox: Inbox, session_id: int) -> None:
    text = messages.ge().replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")
    assert ack_of(inbox.handle(text, "127.0.0.1"))[0] == "AR"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "\x00\x01\x02",
        "GET / HTTP/1.1\r\n",
        "MSH",
        "MSH1X4\u00e94H9I0XIP^4U6P",  # letters for delimiters: the parser's assertion
        "MSH|^^\\&|MON||||202601050900||ORU^R01|1|P|2.5",  # a delimiter twice
    ],
)
def test_garbage_without_an_msh_gets_no_ack_so_the_listener_closes(
    inbox: Inbox, session_id: int, garbage: str
) -> None:
    assert inbox.handle(garbage, "127.0.0.1") == ""


def test_an_implausible_value_is_stored_flagged(
    inbox: Inbox, store: SessionStore, session_id: int
) -> None:
    assert ack_of(inbox.handle(messages.ge(systolic="350"), "127.0.0.1"))[0] == "AA"
    flagged = {o.measure: o.implausible for o in store.device_observations(session_id)}
    assert flagged["systolic"] is True
    assert flagged["diastolic"] is False


def test_a_time_far_from_the_rooms_clock_is_flagged_not_shifted(
    inbox: Inbox, store: SessionStore, session_id: int
) -> None:
    far = "20260105104430+0100"  # 09:44:30 UTC: 29 min ahead of the room
    inbox.handle(messages.ge(nibp_time=far), "127.0.0.1")
    by_measure = {o.measure: o for o in store.device_observations(session_id)}
    assert by_measure["systolic"].clock_skew is True
    assert by_measure["systolic"].observed_at == datetime(2026, 1, 5, 9, 44, 30, tzinfo=UTC)
    assert by_measure["heart_rate"].clock_skew is False  # its OBR-7 is the room's time


def test_a_write_that_fails_is_answered_ae_and_stores_nothing(
    store: SessionStore, session_id: int
) -> None:
    blocker = sqlite3.connect(store.path, isolation_level=None)
    inbox_store = store.for_thread(lambda call: call(), busy_timeout_ms=0)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        inbox = Inbox(inbox_store, zone=ZoneInfo("Europe/Paris"))
        code, _, text = ack_of(inbox.handle(messages.ge(), "127.0.0.1"))
        assert code == "AE" and "not stored" in text
        blocker.execute("ROLLBACK")
        assert ack_of(inbox.handle(messages.ge(), "127.0.0.1"))[0] == "AA"  # the resend
        assert len(store.device_observations(session_id)) == 6
    finally:
        blocker.close()
        inbox_store.close()


def test_called_from_the_listeners_thread_the_views_hear_on_theirs(
    store: SessionStore, session_id: int
) -> None:
    posted: queue.Queue[Callable[[], None]] = queue.Queue()
    inbox_store = store.for_thread(posted.put)
    inbox = Inbox(inbox_store, zone=ZoneInfo("Europe/Paris"))
    heard: list[tuple[ChangeKind, int]] = []
    store.subscribe(lambda change: heard.append((change.kind, threading.get_ident())))
    acks: list[str] = []
    worker = threading.Thread(target=lambda: acks.append(inbox.handle(messages.ge(), "::1")))
    worker.start()
    worker.join()
    assert ack_of(acks[0])[0] == "AA"
    assert heard == []
    posted.get_nowait()()
    assert heard == [(ChangeKind.DEVICE_DATA, threading.get_ident())]
    inbox_store.close()


def test_a_broken_view_does_not_turn_the_ack_into_an_error(
    inbox: Inbox, store: SessionStore, session_id: int
) -> None:
    def broken(change: Change) -> None:
        raise RuntimeError("a view's bug")

    store.subscribe(broken)
    assert ack_of(inbox.handle(messages.ge(), "127.0.0.1"))[0] == "AA"


def oximeter(measure: str, value: float, at: datetime = NOW) -> DeviceSample:
    return DeviceSample(measure, value, "%", "NONIN SPO2", "/dev/ttyUSB0", at, "serial")


def test_oximeter_samples_go_to_the_same_table(
    inbox: Inbox, store: SessionStore, session_id: int
) -> None:
    assert inbox.accept_samples([oximeter("spo2", 97), oximeter("spo2", 30)]) == 2
    stored = store.device_observations(session_id)
    assert [(o.value, o.source, o.message_id, o.implausible) for o in stored] == [
        (97, "serial", None, False),
        (30, "serial", None, True),
    ]


def test_oximeter_samples_without_a_session_are_not_kept(inbox: Inbox, store: SessionStore) -> None:
    assert inbox.accept_samples([oximeter("spo2", 97)]) == 0


@pytest.fixture(autouse=True)
def _no_thread_leak() -> Iterator[None]:
    before = threading.active_count()
    yield
    assert threading.active_count() == before


def test_the_values_committed_are_kept_for_the_rules_that_follow_them_and_a_repeat_has_none(
    session_id: int, inbox: Inbox, store: SessionStore
) -> None:
    inbox.handle(messages.ge(), "127.0.0.1")
    stored = store.device_observations(session_id)
    assert {(s.measure, s.value) for s in inbox.committed} == {
        (o.measure, o.value) for o in stored
    }
    inbox.handle(messages.ge(), "127.0.0.1")  # the resend of a lost ACK
    assert inbox.committed == ()
    inbox.handle(messages.ge(patient="SOMEONE-ELSE"), "127.0.0.1")
    assert inbox.committed == ()
