"""The MLLP listener over real sockets (port 0), with a small fake handler: framing, the
ACK after the handler returns, and the limits that keep a bad client from hurting the room.

No real sleeps: timeouts are 0.2 s and clients wait on sockets, never on the clock."""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from session_app.devices.mllp import ListenError, MllpListener
from session_app.devices.samples import MessageHandler
from session_app.domain.clock import ManualClock

START, END = b"\x0b", b"\x1c\x0d"
MakeListener = Callable[..., MllpListener]
WAIT_S = 5.0  # the most a client waits for an answer (a failing test, not a passing one)


def message(control_id: str) -> str:
    """A minimal ORU; only the fake handler looks inside it."""
    return (
        f"MSH|^~\\&|MON|BED1|ROOM|CLINIC|20260105090000||ORU^R01|{control_id}|P|2.6\r"
        "OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|262688^MDC_DIM_PERCENT^MDC\r"
    )


def frame(text: str) -> bytes:
    return START + text.encode() + END


class EchoHandler:
    """A fake `MessageHandler`: records what it got and answers AA with MSH-10.

    `gate`, when given, holds each call until it is set (a commit that takes its time);
    `entered` is set as soon as a call starts."""

    def __init__(self, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.received: list[tuple[str, str]] = []
        self.gate = gate
        self.fail = fail
        self.entered = threading.Event()
        self.returned = 0

    def handle(self, message: str, peer: str) -> str:
        self.entered.set()
        if self.fail:
            raise RuntimeError(f"cannot store {message}")
        if self.gate is not None:
            assert self.gate.wait(WAIT_S)
        self.received.append((message, peer))
        control_id = message.split("\r")[0].split("|")[9]
        self.returned += 1
        header = f"MSH|^~\\&|ROOM|CLINIC|MON|BED1|20260105090001||ACK|A{control_id}|P|2.6"
        return f"{header}\rMSA|AA|{control_id}\r"


@pytest.fixture
def make_listener(clock: ManualClock) -> Iterator[MakeListener]:
    """Started listeners on a free port with short deadlines; each is stopped after."""
    started: list[MllpListener] = []

    def make(handler: MessageHandler, **options: Any) -> MllpListener:
        options.setdefault("port", 0)
        options.setdefault("frame_deadline_s", 0.2)
        options.setdefault("idle_timeout_s", 5.0)
        listener = MllpListener(handler, clock=clock, **options)
        listener.start()
        started.append(listener)
        return listener

    yield make
    for listener in started:
        listener.stop()


def connect(listener: MllpListener) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", listener.port), timeout=WAIT_S)
    return client


def read_frame(client: socket.socket, pending: bytearray) -> str | None:
    """The next MLLP frame from the listener, or None when it closed the connection."""
    while END not in pending:
        try:
            chunk = client.recv(65536)
        except ConnectionResetError:
            return None
        if not chunk:
            return None
        pending += chunk
    end = pending.index(END)
    assert pending[:1] == START
    text = pending[1:end].decode()
    del pending[: end + 2]
    return text


def closed_by_listener(client: socket.socket) -> bool:
    """True when the listener closed this connection (EOF or reset) without a frame."""
    try:
        return client.recv(65536) == b""
    except ConnectionResetError:
        return True


def served(listener: MllpListener, control_id: str = "GOOD-1") -> bool:
    """A well-behaved client gets its ACK."""
    with connect(listener) as client:
        client.sendall(frame(message(control_id)))
        ack = read_frame(client, bytearray())
    return ack is not None and f"MSA|AA|{control_id}" in ack


def test_two_messages_on_one_connection_are_each_acked_in_order(
    make_listener: MakeListener,
) -> None:
    handler = EchoHandler()
    listener = make_listener(handler)
    with connect(listener) as client:
        client.sendall(frame(message("C-1")) + frame(message("C-2")))  # one segment, two frames
        pending = bytearray()
        first, second = read_frame(client, pending), read_frame(client, pending)
    assert first is not None and "MSA|AA|C-1" in first
    assert second is not None and "MSA|AA|C-2" in second
    assert [text for text, _ in handler.received] == [message("C-1"), message("C-2")]
    assert {peer for _, peer in handler.received} == {"127.0.0.1"}


def test_no_ack_before_the_handler_returned(make_listener: MakeListener) -> None:
    gate = threading.Event()
    handler = EchoHandler(gate=gate)
    listener = make_listener(handler)
    with connect(listener) as client:
        client.sendall(frame(message("C-1")))
        assert handler.entered.wait(WAIT_S)
        readable, _, _ = select.select([client], [], [], 0.2)
        assert readable == []  # the commit is still running: nothing has been sent
        gate.set()
        ack = read_frame(client, bytearray())
    assert ack is not None and "MSA|AA|C-1" in ack
    assert handler.returned == 1


def test_a_slow_handler_blocks_neither_the_listener_nor_the_order(
    make_listener: MakeListener,
) -> None:
    """While one commit takes its time the loop still serves (a bad client is closed at
    once), and messages are handled in the order they arrived, across connections."""
    gate = threading.Event()
    handler = EchoHandler(gate=gate)
    listener = make_listener(handler, frame_deadline_s=60.0, idle_timeout_s=60.0)
    with connect(listener) as first, connect(listener) as second:
        first.sendall(frame(message("FIRST")))
        assert handler.entered.wait(WAIT_S)
        second.sendall(frame(message("SECOND")))
        with connect(listener) as bad:
            bad.sendall(b"garbage")
            assert closed_by_listener(bad)
        gate.set()
        assert read_frame(first, bytearray()) is not None
        assert read_frame(second, bytearray()) is not None
    assert [text for text, _ in handler.received] == [message("FIRST"), message("SECOND")]


def test_bytes_outside_a_frame_close_the_connection(make_listener: MakeListener) -> None:
    """At once: the deadlines are long, so only the framing rule can close these."""
    handler = EchoHandler()
    listener = make_listener(handler, frame_deadline_s=60.0, idle_timeout_s=60.0)
    with connect(listener) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: room\r\n\r\n")
        assert closed_by_listener(client)
    with connect(listener) as client:  # garbage after a good message
        client.sendall(frame(message("C-1")) + b"junk")
        pending = bytearray()
        assert read_frame(client, pending) is not None
        assert read_frame(client, pending) is None
    assert len(handler.received) == 1
    assert served(listener)


def test_a_5_mb_frame_is_closed_before_its_end(make_listener: MakeListener) -> None:
    """The frame never ends: only the size limit can close it (the deadline is long), so a
    listener that buffered it whole would leave the client waiting."""
    handler = EchoHandler()
    listener = make_listener(handler, frame_deadline_s=60.0)
    with connect(listener) as client:

        def send_5_mb() -> None:
            # the listener closes while we are still sending: what we want
            with contextlib.suppress(OSError):
                client.sendall(START + b"OBX|" + b"9" * (5 * 1024 * 1024))

        sender = threading.Thread(target=send_5_mb)
        sender.start()
        assert closed_by_listener(client)
        sender.join(WAIT_S)
    assert handler.received == []
    assert served(listener)


def test_a_client_dripping_one_byte_at_a_time_is_closed_by_the_message_deadline(
    make_listener: MakeListener,
) -> None:
    handler = EchoHandler()
    listener = make_listener(handler, frame_deadline_s=0.2, idle_timeout_s=5.0)
    drip = frame(message("SLOW-1"))
    with connect(listener) as client:
        client.settimeout(0.05)  # a byte every 50 ms: each byte well inside any per-read timeout
        sent = 0
        closed = False
        while sent < len(drip) and not closed:
            try:
                client.send(drip[sent : sent + 1])
                sent += 1
                closed = client.recv(1) == b""
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                closed = True
        assert closed and sent < len(drip)
    assert handler.received == []
    assert served(listener)


def test_an_idle_connection_is_closed_after_the_idle_timeout(make_listener: MakeListener) -> None:
    handler = EchoHandler()
    listener = make_listener(handler, idle_timeout_s=0.2)
    with connect(listener) as client:
        client.sendall(frame(message("C-1")))
        pending = bytearray()
        assert read_frame(client, pending) is not None
        assert read_frame(client, pending) is None  # then silence: closed, not held open


def wait_until_no_connection(listener: MllpListener, clock: ManualClock) -> None:
    clock.advance(minutes=2)  # a recent message no longer counts as "connected"
    done = threading.Event()
    for _ in range(500):
        if not listener.feed_state().connected:
            return
        done.wait(0.01)
    raise AssertionError("the listener still counts open connections")


def test_fifty_connections_at_once_the_limit_holds_and_a_good_client_is_served_after(
    make_listener: MakeListener, clock: ManualClock
) -> None:
    handler = EchoHandler()
    listener = make_listener(handler, max_connections=8)
    clients = [connect(listener) for _ in range(50)]
    try:
        for number, client in enumerate(clients):
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # refused
                client.sendall(frame(message(f"M-{number}")))
        answered = [read_frame(client, bytearray()) is not None for client in clients]
    finally:
        for client in clients:
            client.close()
    assert sum(answered) == 8
    assert len(handler.received) == 8
    wait_until_no_connection(listener, clock)
    assert served(listener)


def test_a_sender_not_in_the_allowed_list_is_refused(make_listener: MakeListener) -> None:
    handler = EchoHandler()
    listener = make_listener(handler, allowed_senders=["10.20.30.40"])
    with connect(listener) as client:
        client.sendall(frame(message("C-1")))
        assert closed_by_listener(client)
    assert handler.received == []
    allowed = make_listener(handler, allowed_senders=["10.20.30.40", "127.0.0.1"])
    assert served(allowed)


def test_an_allowed_sender_must_be_an_ip_address() -> None:
    with pytest.raises(ValueError, match=r"monitor\.example"):
        MllpListener(EchoHandler(), allowed_senders=["monitor.example"])


def test_listening_beyond_loopback_needs_an_allowed_senders_list() -> None:
    listener = MllpListener(EchoHandler(), host="0.0.0.0", port=0)
    with pytest.raises(ListenError, match="allowed senders"):
        listener.start()


def test_a_port_in_use_is_one_clear_error_at_start() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        listener = MllpListener(EchoHandler(), port=port)
        with pytest.raises(ListenError) as error:
            listener.start()
    text = str(error.value)
    assert f"127.0.0.1:{port}" in text and "in use" in text and "\n" not in text
    assert listener.feed_state().problem == text and not listener.feed_state().connected
    listener.stop()  # harmless after a failed start


def test_a_handler_that_raises_closes_the_connection_and_logs_no_message_text(
    make_listener: MakeListener, caplog: pytest.LogCaptureFixture
) -> None:
    handler = EchoHandler(fail=True)
    listener = make_listener(handler)
    with caplog.at_level(logging.DEBUG, logger="session_app"):
        with connect(listener) as client:
            client.sendall(frame(message("SECRET-PATIENT-42")))
            assert closed_by_listener(client)
        listener.stop()
    assert "RuntimeError" in caplog.text
    assert "SECRET-PATIENT-42" not in caplog.text and "OBX" not in caplog.text


def test_a_handler_that_cannot_read_the_message_closes_the_connection(
    make_listener: MakeListener,
) -> None:
    class Unreadable(EchoHandler):
        def handle(self, message: str, peer: str) -> str:
            return ""

    listener = make_listener(Unreadable())
    with connect(listener) as client:
        client.sendall(frame("not hl7 at all"))
        assert closed_by_listener(client)


def test_feed_state_connected_and_last_value_on_the_room_clock(
    make_listener: MakeListener, clock: ManualClock
) -> None:
    handler = EchoHandler()
    listener = make_listener(handler)
    state = listener.feed_state()
    assert state.source == f"HL7 127.0.0.1:{listener.port}"
    assert not state.connected and state.last_value_at is None
    with connect(listener) as client:
        client.sendall(frame(message("C-1")))
        assert read_frame(client, bytearray()) is not None
        handled_at = clock.now()
        clock.advance(minutes=5)
        assert listener.feed_state().connected  # the connection is open
    wait_until_no_connection(listener, clock)
    assert listener.feed_state().last_value_at == handled_at
    clock.set(handled_at + timedelta(seconds=30))
    assert listener.feed_state().connected  # a message in the last minute


def test_stop_closes_open_connections_and_the_port(make_listener: MakeListener) -> None:
    listener = make_listener(EchoHandler())
    port = listener.port
    client = connect(listener)
    listener.stop()
    assert closed_by_listener(client)
    client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=WAIT_S).close()
    listener.stop()  # twice is harmless
