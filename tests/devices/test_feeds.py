"""The composed feeds (devices.feeds): a real listener on a real socket, a real store,
the real inbox and sustained rule; `post` queues to "the UI thread" (the test's)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from session_app.devices.feeds import (
    Feed,
    SustainedWatch,
    listen_address,
    start_feeds,
    start_hl7_feed,
)
from session_app.devices.listen import ListenAddress
from session_app.devices.profiles import MessageContext, build_oru
from session_app.devices.simulator import Numerics
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore
from session_app.store.devices import NewObservation
from session_app.store.repository import Change, ChangeKind
from tests.devices.mllp_client import exchange, msa

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
ANY_PORT = ListenAddress("127.0.0.1", 0)


class UiQueue:
    """What the app's post does: queue the call for the UI thread (here: `run()`)."""

    def __init__(self) -> None:
        self.calls: list[Callable[[], None]] = []

    def post(self, call: Callable[[], None]) -> None:
        self.calls.append(call)

    def run(self) -> None:
        calls, self.calls = self.calls, []
        for call in calls:
            call()


@pytest.fixture
def ui() -> UiQueue:
    return UiQueue()


@pytest.fixture
def session_id(store: SessionStore, clock: ManualClock) -> int:
    clock.set(T0)
    return store.start_session(NewSession("JD", IV_KETAMINE, "AB", 70.0), {}).id


@pytest.fixture
def feeds() -> Iterator[list[Feed]]:
    started: list[Feed] = []
    yield started
    for feed in started:
        feed.stop()


def numerics(
    at_s: int, spo2: int, *, patient: str = "JD", heart_rate: int = 72, pulse: int | None = None
) -> str:
    event = Numerics(at_s, heart_rate, heart_rate if pulse is None else pulse, spo2, 14, 3.5)
    ctx = MessageContext(patient, T0 + timedelta(seconds=at_s), f"N{at_s:05d}")
    return build_oru("ge", event, ctx)


def hl7_port(feed: Feed) -> int:
    return int(feed.feed_state().source.rsplit(":", 1)[1])


def test_the_argument_wins_over_the_setting_and_the_setting_alone_starts_it() -> None:
    given = ListenAddress("127.0.0.1", 2600)
    assert listen_address(given, {"monitor_listen": "127.0.0.1:2575"}) == (given, "")
    assert listen_address(None, {"monitor_listen": "127.0.0.1:2575"}) == (
        ListenAddress("127.0.0.1", 2575),
        "",
    )
    assert listen_address(None, {"monitor_listen": ""}) == (None, "")


def test_the_setting_starts_the_listener_with_its_allowed_senders(
    store: SessionStore, ui: UiQueue, session_id: int, feeds: list[Feed]
) -> None:
    with socket.socket() as probe:  # a free port to put in the setting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store.save_settings({"monitor_listen": f"127.0.0.1:{port}", "monitor_allowed_senders": ""})
    feeds += start_feeds(store, ui.post)
    assert [f.feed_state().source for f in feeds] == [f"HL7 127.0.0.1:{port}"]
    [ack] = exchange(port, numerics(0, 97))
    assert msa(ack) == ("AA", "N00000")


def test_a_port_in_use_is_a_quiet_line_and_the_store_still_works(
    store: SessionStore, ui: UiQueue, session_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        feed = start_hl7_feed(store, ui.post, ListenAddress("127.0.0.1", port))
    state = feed.feed_state()
    assert state.problem == f"port {port} is in use" and not state.connected
    assert "port is in use" in caplog.text
    feed.stop()
    store.add_event(session_id, "note", "AB", {"text": "still saving"})


def test_a_stored_message_reaches_the_ui_store_listeners_through_post_only(
    store: SessionStore, ui: UiQueue, session_id: int, feeds: list[Feed]
) -> None:
    heard: list[Change] = []
    store.subscribe(heard.append)
    feeds.append(start_hl7_feed(store, ui.post, ANY_PORT))
    [ack] = exchange(hl7_port(feeds[0]), numerics(0, 97))
    assert msa(ack) == ("AA", "N00000")
    assert heard == []  # not on the listener's thread
    ui.run()
    assert [c.kind for c in heard] == [ChangeKind.DEVICE_DATA]
    assert {o.measure for o in store.device_observations(session_id)} >= {"spo2", "heart_rate"}


def test_spo2_below_92_for_15_s_is_one_alert_from_the_monitor(
    store: SessionStore, ui: UiQueue, session_id: int, feeds: list[Feed]
) -> None:
    feeds.append(start_hl7_feed(store, ui.post, ANY_PORT))
    texts = [numerics(s, 97) for s in range(3)] + [numerics(s, 89) for s in range(3, 25)]
    acks = exchange(hl7_port(feeds[0]), *texts)
    assert [msa(a)[0] for a in acks] == ["AA"] * len(texts)
    [alert] = store.alerts(session_id)
    assert alert.rule == "monitor_sustained_spo2" and alert.check_id is None
    assert alert.message == "From monitor: SpO2 below 92 % for 15 s (lowest 89 %)"
    heard: list[Change] = []
    store.subscribe(heard.append)
    ui.run()
    assert [c.row_id for c in heard if c.kind is ChangeKind.ALERT] == [alert.id]


def test_a_single_low_sample_raises_nothing(
    store: SessionStore, ui: UiQueue, session_id: int, feeds: list[Feed]
) -> None:
    feeds.append(start_hl7_feed(store, ui.post, ANY_PORT))
    texts = [numerics(s, 97) for s in range(10)] + [numerics(10, 85)]
    texts += [numerics(s, 97) for s in range(11, 40)]
    assert len(exchange(hl7_port(feeds[0]), *texts)) == len(texts)
    assert store.alerts(session_id) == []


def test_a_heart_rate_held_high_on_the_ecg_alerts_though_the_pulse_rate_reads_lower(
    store: SessionStore, ui: UiQueue, session_id: int, feeds: list[Feed]
) -> None:
    """Each message carries the ECG's HR and the oximeter's pulse rate: the rule follows
    the ECG's (codes.toml [preferred]); the pulse rate in range does not reset it."""
    feeds.append(start_hl7_feed(store, ui.post, ANY_PORT))
    texts = [numerics(s, 97, heart_rate=150, pulse=80) for s in range(25)]
    assert len(exchange(hl7_port(feeds[0]), *texts)) == len(texts)
    [alert] = store.alerts(session_id)
    assert alert.rule == "monitor_sustained_hr" and alert.value == 150
    stored = {o.value for o in store.device_observations(session_id) if o.measure == "heart_rate"}
    assert stored == {150, 80}  # both kept: the rule chooses, the record keeps everything


def test_the_rule_follows_the_ecg_whichever_heart_rate_a_message_lists_first(
    store: SessionStore, session_id: int
) -> None:
    """Mindray-like order (pulse rate first): the pulse rate in range, written first at
    each second, must not hide the ECG's HR held high."""
    watch = SustainedWatch(store, store.clock)

    def hr(code: str, value: float, at_s: int) -> NewObservation:
        at = T0 + timedelta(seconds=at_s)
        return NewObservation("heart_rate", value, "/min", code, "MR^1", at, "hl7")

    raised = []
    for s in range(20):
        raised += watch.feed([hr("MDC 149530", 80, s), hr("MDC 147842", 150, s)])
    assert [(b.rule, b.worst) for b in raised] == [("hr_high", 150)]


def test_a_repeat_does_not_count_twice_and_another_patient_is_a_notice(
    store: SessionStore, ui: UiQueue, session_id: int, feeds: list[Feed]
) -> None:
    feeds.append(start_hl7_feed(store, ui.post, ANY_PORT))
    port = hl7_port(feeds[0])
    first = numerics(0, 97)
    acks = exchange(port, first, first, numerics(1, 97, patient="ZZ-4711"))
    assert [msa(a) for a in acks] == [("AA", "N00000"), ("AA", "N00000"), ("AR", "N00001")]
    heard: list[Change] = []
    store.subscribe(heard.append)
    ui.run()
    assert [c.kind for c in heard] == [ChangeKind.DEVICE_DATA, ChangeKind.DEVICE_NOTICE]


def test_stopping_a_feed_closes_its_store(
    store: SessionStore, ui: UiQueue, session_id: int
) -> None:
    feed = start_hl7_feed(store, ui.post, ANY_PORT)
    own = feed.store
    assert own is not None and own is not store
    feed.stop()
    assert feed.store is None
    with pytest.raises(Exception, match=r"closed|cannot be read"):
        own.open_session()
    assert store.open_session() is not None  # the UI's own store is untouched
