"""The serial pulse-oximeter reader: a pyserial port at 9600 8N1, on its own thread.

It turns the port's lines into `DeviceSample`s (devices.oximeter) and hands each line's
samples to a callback, on the reader's thread: the callback must store them or pass
them to the UI thread itself. A USB adapter pulled out (EIO, a SerialException, the
device node gone) is a feed state staff can read, "oximeter unplugged — retrying", and
the reader reopens the same port name with a growing back-off until it is back. Nothing
here raises into the app; a device's bytes are never logged (only what went wrong).

Nonin models that send 2 stop bits are read fine at 1: a receiver needs only one.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

import serial

from session_app.devices.oximeter import BAUD_RATE, MAX_LINE, OximeterPort, parse_line
from session_app.devices.samples import DeviceSample, FeedState
from session_app.domain.clock import Clock, SystemClock

log = logging.getLogger("session_app.devices.serial")

UNPLUGGED = "oximeter unplugged — retrying"
NOT_CONNECTED = "oximeter not connected — retrying"
NOT_PERMITTED = "no permission to open the oximeter port — retrying"
NO_READING = "oximeter connected — no reading from the sensor"
RETRY_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0)  # then every 30 s
READ_TIMEOUT_S = 0.5  # how long a read blocks; stop() also cancels it at once
_LINE_END = re.compile(rb"[\r\n]")

SamplesCallback = Callable[[Sequence[DeviceSample]], None]
StateCallback = Callable[[FeedState], None]


class OximeterReader:
    """Reads one oximeter until `stop()`; `feed_state()` says how it stands.

    `on_state`, if given, is called (on the reader's thread) each time the state's
    connection or problem changes. `retry_delays` is the back-off between attempts to
    open the port; its last value repeats.
    """

    def __init__(
        self,
        port: OximeterPort,
        on_samples: SamplesCallback,
        *,
        clock: Clock | None = None,
        on_state: StateCallback | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        self.port = port
        self.retry_delays = tuple(retry_delays)
        self.garbled = 0  # lines that were neither protocol's (a count, never their bytes)
        self._on_samples = on_samples
        self._on_state = on_state
        self._clock = clock or SystemClock()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._serial: serial.Serial | None = None
        self._thread: threading.Thread | None = None
        self._state = FeedState(f"oximeter {port.port}", connected=False)
        self._ever_connected = False

    # the app's side

    def start(self) -> None:
        """Start reading on a daemon thread (the first attempt to open is immediate)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name=f"oximeter {self.port.port}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop reading and join the thread; a blocked read or a back-off wait ends now."""
        self._stopping.set()
        with self._lock:
            port = self._serial
        if port is not None:  # closed meanwhile: the loop sees _stopping on its next turn
            with contextlib.suppress(serial.SerialException, OSError, AttributeError):
                port.cancel_read()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def feed_state(self) -> FeedState:
        with self._lock:
            return self._state

    # the reader's thread

    def _run(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                port = self._open()
            except Exception as exc:  # SerialException, OSError, a bad name: all retried
                log.info("oximeter %s: cannot open (%s)", self.port.port, _reason(exc))
                self._went_down(exc)
                self._stopping.wait(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
                attempt += 1
                continue
            attempt = 0
            self._update(connected=True, problem="")
            self._ever_connected = True
            try:
                self._read_lines(port)
            except (serial.SerialException, OSError) as exc:
                log.warning("oximeter %s: lost (%s)", self.port.port, _reason(exc))
                self._update(connected=False, problem=UNPLUGGED)
            except Exception:  # a bug of ours must not end the feed silently
                log.exception("oximeter %s: reader failed; reopening", self.port.port)
                self._update(connected=False, problem=UNPLUGGED)
            finally:
                self._close(port)
            if not self._stopping.is_set():
                self._stopping.wait(self.retry_delays[0])
        self._update(connected=False, problem=self.feed_state().problem)

    def _open(self) -> serial.Serial:
        port = serial.Serial(
            self.port.port,
            baudrate=BAUD_RATE,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            timeout=READ_TIMEOUT_S,
        )
        with self._lock:
            self._serial = port
        return port

    def _close(self, port: serial.Serial) -> None:
        with self._lock:
            self._serial = None
        with contextlib.suppress(serial.SerialException, OSError):  # gone with the device
            port.close()

    def _read_lines(self, port: serial.Serial) -> None:
        pending = bytearray()
        discarding = False  # inside an over-long run: drop it up to the next line end
        while not self._stopping.is_set():
            chunk = port.read(max(1, port.in_waiting))
            if not chunk:
                continue  # the read timed out: look at _stopping again
            pending += chunk
            while (end := _LINE_END.search(pending)) is not None:
                line = bytes(pending[: end.start()])
                del pending[: end.end()]
                if discarding:
                    discarding = False
                elif line:
                    self._handle(line)
            if len(pending) > MAX_LINE:  # noise with no line end: one garbled line
                if not discarding:
                    self._count_garbled()
                discarding = True
                pending.clear()

    def _handle(self, line: bytes) -> None:
        at = self._clock.now()
        parsed = parse_line(self.port.protocol, line, device=self.port.device, at=at)
        if parsed.garbled:
            self._count_garbled()
            return
        if parsed.no_reading:
            self._update(connected=True, problem=NO_READING)
            return
        if not parsed.samples:
            return
        self._update(connected=True, problem="", last_value_at=at)
        try:
            self._on_samples(parsed.samples)
        except Exception:  # the store's trouble is the store's to report; keep reading
            log.exception("oximeter %s: samples not taken", self.port.port)

    def _count_garbled(self) -> None:
        self.garbled += 1
        if self.garbled in (1, 10, 100) or self.garbled % 1000 == 0:
            log.warning("oximeter %s: %d garbled lines", self.port.port, self.garbled)

    def _went_down(self, exc: BaseException) -> None:
        if self._ever_connected:
            problem = UNPLUGGED
        elif getattr(exc, "errno", None) == errno.EACCES:
            problem = NOT_PERMITTED
        else:
            problem = NOT_CONNECTED
        self._update(connected=False, problem=problem)

    def _update(
        self, *, connected: bool, problem: str, last_value_at: datetime | None = None
    ) -> None:
        with self._lock:
            before = self._state
            self._state = FeedState(
                before.source, connected, last_value_at or before.last_value_at, problem
            )
            changed = (before.connected, before.problem) != (connected, problem)
            state = self._state
        if changed and self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("oximeter %s: state not taken", self.port.port)


def _reason(exc: BaseException) -> str:
    """What went wrong, without the device's bytes: the errno's name, else the type."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int):
        return errno.errorcode.get(code, type(exc).__name__)
    return type(exc).__name__
