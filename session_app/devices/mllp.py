"""The socket edge of the monitor feed: HL7 v2 messages over MLLP, each handed to a
`MessageHandler`, its ACK framed and sent back. Framing only: the handler parses.

Why asyncio on a thread of its own, not a QTcpServer: devices/ is Qt-free (an
import-linter contract), and one loop serves every connection and every timeout without
a thread per client. The handler runs on one worker thread (`run_in_executor` with a
single worker), so messages are committed in arrival order, across connections too, and
the loop never waits on the store; the ACK is written only after `handle` returned.

Why a few lines of framing rather than python-hl7's `hl7.mllp`: its reader reads up to
the end block (`0x1C 0x0D`) before it looks at the start byte, so garbage with no end
block is only noticed at the size limit or the deadline (here: at its first byte); its
`readmessage` parses, which is the handler's job; and its stream protocol overrides
private asyncio internals. Framing is `0x0B` message `0x1C 0x0D`, several per
connection, nothing between frames; the text is read as UTF-8 (ASCII, HL7's default, is
a subset; a stray byte becomes U+FFFD for the handler to judge). Connections are accepted
by a plain reader on the listening socket rather than `asyncio.start_server`, whose
server can leak a connection accepted just as it closes (Python 3.11).

Limits, each a constructor argument (tests pass short ones):
- a frame over `max_frame_bytes` (1 MiB) closes the connection. No AE: answering needs
  MSH-10, which means parsing, and reading the rest of a 5 MB frame to find its end is
  what the limit is there to avoid. At most the limit plus one read is buffered.
- a byte outside a frame (anything but `0x0B` where a message should start) closes it;
- a frame not complete `frame_deadline_s` (10 s) after its first byte closes it, however
  steadily the bytes drip; no new frame for `idle_timeout_s` (60 s) closes it;
- over `max_connections` (8) open connections, a new one is closed at once, unread;
- a sender not in `allowed_senders` (IP addresses) is closed at once, unread. An empty
  list allows this machine only (127.0.0.1, ::1), and then the listener must be bound to
  a loopback address: listening on a network address with nobody allowed is refused at
  start, since it would only turn every monitor away.
A handler that raises is logged by exception type only (a message carries PHI) and its
connection closed; one that returns '' (not even MSH readable) has its connection closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from session_app.devices.listen import DEFAULT_HOST, DEFAULT_PORT, ListenAddress
from session_app.devices.samples import FeedState, MessageHandler
from session_app.domain.clock import Clock, SystemClock

log = logging.getLogger("session_app.devices.mllp")

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
READ_CHUNK = 64 * 1024
RECENT = timedelta(minutes=1)  # a message this recent counts as "connected"
_LOOPBACK = frozenset({ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ListenError(Exception):
    """The listener cannot start: one line for staff and clinic IT."""


class _Closed(Exception):
    """This connection is to be closed; the text (no message content) is logged."""


def _sender_address(text: str) -> IPAddress:
    """An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d: compare it as IPv4."""
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _close(writer: asyncio.StreamWriter) -> None:
    """A FIN after the last ACK has gone out; a reset when the sender left ACKs unread
    (closing would wait for it to read them)."""
    if writer.transport.get_write_buffer_size():
        writer.transport.abort()
    else:
        writer.close()


class MllpListener:
    """Listens on `host:port` once `start()` has returned; `stop()` ends it.

    `feed_state()` may be called from any thread (the staff header's timer)."""

    def __init__(
        self,
        handler: MessageHandler,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        allowed_senders: Iterable[str] = (),
        clock: Clock | None = None,
        max_frame_bytes: int = 1024 * 1024,
        frame_deadline_s: float = 10.0,
        idle_timeout_s: float = 60.0,
        max_connections: int = 8,
        encoding: str = "utf-8",
    ) -> None:
        self._handler = handler
        try:
            self._host = str(ipaddress.ip_address(host))
        except ValueError:
            raise ValueError(f"cannot listen on {host!r}: not an IP address") from None
        self._port = port
        allowed = []
        for sender in allowed_senders:
            try:
                allowed.append(_sender_address(sender.strip()))
            except ValueError:
                raise ValueError(f"allowed sender {sender!r} is not an IP address") from None
        self._allowed = frozenset(allowed) or _LOOPBACK
        self._allowed_given = bool(allowed)
        self._clock = clock or SystemClock()
        self._max_frame = max_frame_bytes
        self._frame_deadline = frame_deadline_s
        self._idle_timeout = idle_timeout_s
        self._max_connections = max_connections
        self._encoding = encoding
        self._lock = threading.Lock()  # guards the three fields feed_state reads
        self._open = 0
        self._last_value_at: datetime | None = None
        self._problem = ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._worker: ThreadPoolExecutor | None = None
        # every connection from the moment it is accepted, so stop() closes each one
        self._connections: dict[asyncio.Task[None], socket.socket] = {}

    @property
    def port(self) -> int:
        """The bound port (the one the OS chose when constructed with port 0)."""
        return self._port

    @property
    def address(self) -> ListenAddress:
        return ListenAddress(self._host, self._port)

    def start(self) -> None:
        """Bind and serve on a thread of its own; returns once listening.

        Raises ListenError (one line) when the address cannot be used."""
        if self._thread is not None:
            return
        if not self._allowed_given and not ipaddress.ip_address(self._host).is_loopback:
            raise ListenError(
                f"cannot listen for HL7 on {self.address}: set the allowed senders "
                "(the monitors' IP addresses) to listen beyond this machine"
            )
        ready = threading.Event()
        failure: list[str] = []
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hl7-handler")
        self._thread = threading.Thread(
            target=self._run, args=(ready, failure), name="hl7-listener", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            self._worker.shutdown(wait=False)
            self._worker = None
            with self._lock:
                self._problem = failure[0]
            raise ListenError(failure[0])

    def stop(self) -> None:
        """Close the port and every connection, then join both threads. Never raises: it
        runs as the app closes. A handler call under way is let finish (its commit stands;
        its ACK is not sent, and the monitor's resend is the handler's duplicate)."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        try:
            if loop is not None and stopping is not None:
                with contextlib.suppress(RuntimeError):  # the loop has ended already
                    loop.call_soon_threadsafe(stopping.set)
            thread.join()
            if self._worker is not None:
                self._worker.shutdown(wait=True, cancel_futures=True)
        except Exception as exc:  # closing must not take the app down with it
            log.error("HL7 listener did not stop cleanly: %s", type(exc).__name__)
        finally:
            self._thread = self._loop = self._stopping = self._worker = None

    def feed_state(self) -> FeedState:
        """Connected while a sender's connection is open or a message came in the last
        minute; `last_value_at` is when the last message was handled (the room's clock)."""
        with self._lock:
            last, open_now, problem = self._last_value_at, self._open, self._problem
        recent = last is not None and self._clock.now() - last <= RECENT
        return FeedState(
            source=f"HL7 {self.address}",
            connected=open_now > 0 or recent,
            last_value_at=last,
            problem=problem,
        )

    # --- the loop's thread -------------------------------------------------------------

    def _run(self, ready: threading.Event, failure: list[str]) -> None:
        try:
            asyncio.run(self._serve(ready, failure))
        except Exception as exc:  # never into the app: say so in the feed state
            log.error("HL7 listener stopped: %s", type(exc).__name__)
            with self._lock:
                self._problem = "listener stopped"
        finally:
            ready.set()

    async def _serve(self, ready: threading.Event, failure: list[str]) -> None:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        try:
            listening = socket.create_server((self._host, self._port), family=family, backlog=100)
        except OSError as exc:
            in_use = exc.errno == errno.EADDRINUSE
            reason = "the port is in use" if in_use else (exc.strerror or str(exc))
            failure.append(f"cannot listen for HL7 on {self.address}: {reason}")
            return
        listening.setblocking(False)
        self._port = listening.getsockname()[1]
        self._loop = loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        loop.add_reader(listening, self._accept, listening)
        log.info("listening for HL7 on %s", self.address)
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            loop.remove_reader(listening)
            listening.close()
            await self._close_connections()
        log.info("HL7 listener on %s stopped", self.address)

    def _accept(self, listening: socket.socket) -> None:
        """The listening socket is readable. Synchronous on purpose: from `accept()` to
        a registered task nothing awaits, so stop() can never miss a connection (asyncio's
        own server can lose one accepted just as it closes, on Python 3.11)."""
        for _ in range(100):
            try:
                conn, peername = listening.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:  # out of file descriptors and the like: pause, go on
                log.warning("HL7 listener cannot accept: %s", exc.strerror or type(exc).__name__)
                loop = asyncio.get_running_loop()
                loop.remove_reader(listening)
                loop.call_later(1.0, loop.add_reader, listening, self._accept, listening)
                return
            self._admit(conn, _sender_address(str(peername[0])))

    def _admit(self, conn: socket.socket, peer: IPAddress) -> None:
        """An allowed sender under the connection limit gets a task; anyone else is
        closed at once, before a byte is read."""
        if peer not in self._allowed:
            log.warning("HL7 connection from %s refused: not an allowed sender", peer)
            conn.close()
            return
        with self._lock:
            full = self._open >= self._max_connections
            if not full:
                self._open += 1
        if full:
            log.warning("HL7 connection from %s refused: %d open already", peer, self._open)
            conn.close()
            return
        conn.setblocking(False)
        task = asyncio.get_running_loop().create_task(self._connection(conn, str(peer)))
        self._connections[task] = conn
        task.add_done_callback(self._connections.pop)

    async def _close_connections(self) -> None:
        """Cancel every connection's task, wait for them, then close every socket (one
        whose task never started has nobody else to close it)."""
        tasks = list(self._connections)
        sockets = list(self._connections.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for conn in sockets:
            conn.close()  # a no-op for one its transport closed
        with self._lock:
            self._open = 0

    async def _connection(self, conn: socket.socket, peer: str) -> None:
        writer: asyncio.StreamWriter | None = None
        try:
            reader, writer = await asyncio.open_connection(sock=conn)
            await self._converse(reader, writer, peer)
        except _Closed as reason:
            log.warning("HL7 connection from %s closed: %s", peer, reason)
        except (ConnectionError, asyncio.IncompleteReadError):
            log.info("HL7 connection from %s dropped", peer)
        except asyncio.CancelledError:
            pass  # stop(): the port is closing
        except Exception as exc:  # the handler, or anything else: no message text (PHI)
            log.error("HL7 connection from %s closed after %s", peer, type(exc).__name__)
        finally:
            if writer is not None:
                _close(writer)
            else:
                conn.close()
            with self._lock:
                self._open -= 1

    async def _converse(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        """Frame after frame: hand each to the handler, send back its ACK, in order."""
        loop = asyncio.get_running_loop()
        pending = bytearray()
        while True:
            body = await self._next_frame(reader, pending)
            if body is None:
                return  # the sender closed between messages
            text = body.decode(self._encoding, errors="replace")
            ack = await loop.run_in_executor(self._worker, self._handler.handle, text, peer)
            if not ack:
                raise _Closed("the handler could not read the message")
            with self._lock:
                self._last_value_at = self._clock.now()
            writer.write(START_BLOCK + ack.encode(self._encoding, errors="replace") + END_BLOCK)
            try:  # a sender that never reads its ACKs must not hold the connection
                await asyncio.wait_for(writer.drain(), self._idle_timeout)
            except TimeoutError:
                raise _Closed("the sender does not read its ACKs") from None

    async def _next_frame(self, reader: asyncio.StreamReader, pending: bytearray) -> bytes | None:
        """The next frame's content, None at a clean end between frames. `pending` holds
        bytes read past the previous frame (a sender may send several at once)."""
        if not pending:
            try:
                chunk = await asyncio.wait_for(reader.read(READ_CHUNK), self._idle_timeout)
            except TimeoutError:
                raise _Closed(f"idle for {self._idle_timeout:g} s") from None
            if not chunk:
                return None
            pending += chunk
        if pending[:1] != START_BLOCK:
            raise _Closed("bytes outside an MLLP frame")
        deadline = asyncio.get_running_loop().time() + self._frame_deadline
        searched = 0
        while (end := pending.find(END_BLOCK, searched)) < 0:
            if len(pending) > self._max_frame + len(START_BLOCK) + len(END_BLOCK):
                raise _Closed(f"frame over {self._max_frame} bytes")
            searched = max(len(pending) - 1, 0)  # the end block may straddle two reads
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                chunk = await asyncio.wait_for(reader.read(READ_CHUNK), remaining)
            except TimeoutError:
                raise _Closed(f"frame not complete within {self._frame_deadline:g} s") from None
            if not chunk:
                raise _Closed("closed in the middle of a frame")
            pending += chunk
        if end - 1 > self._max_frame:
            raise _Closed(f"frame over {self._max_frame} bytes")
        body = bytes(pending[1:end])
        del pending[: end + len(END_BLOCK)]
        return body
