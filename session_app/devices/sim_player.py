"""The players behind `session-app monitor-sim`: a session over MLLP, or oximeter lines.

The MLLP framing and the ACK parsing are python-hl7's (`hl7.mllp` asyncio streams): each
message waits for its ACK before the next; a message whose ACK never came is sent again
after reconnecting, with the same MSH-10, so the listener can tell a resend from a new
message. A listener that is not there is said once on stderr, then retried (or, with
--once, given up on). Apart from `sim_cli` so that the app, which builds its argument parser
at every start, loads asyncio and python-hl7 only when a simulation runs.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import termios
import time
import tty
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import hl7
from hl7.mllp import HL7StreamReader, HL7StreamWriter, InvalidBlockError, open_hl7_connection

from session_app.devices.profiles import OXIMETER_LINES, Outgoing
from session_app.devices.simulator import Numerics

EXIT_BAD_INPUT = 2
RETRY_DELAY_S = 1.0  # between attempts to reach a listener that is not there
CONNECT_TIMEOUT_S = 5.0
ACK_TIMEOUT_S = 10.0  # an ACK later than this counts as lost: reconnect and resend


@dataclass(frozen=True)
class Target:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


async def pause_before_retry() -> None:
    """Wait before trying a listener that was not there again (a seam for the tests)."""
    await asyncio.sleep(RETRY_DELAY_S)


class _Lost(Exception):
    """The connection went away before the ACK came (or the ACK never came)."""


class _GiveUp(Exception):
    """--once: the listener is not there, or went away."""


class _Link:
    """The MLLP connection to the listener, opened again whenever it is lost: each outage
    is said once on stderr, and the message in flight is sent again (same MSH-10)."""

    def __init__(self, target: Target, *, once: bool) -> None:
        self.target, self.once = target, once
        self._connection: tuple[HL7StreamReader, HL7StreamWriter] | None = None

    async def deliver(self, message: Outgoing) -> Answer:
        """Send `message` until an ACK comes back; its MSA-1 (or what was wrong with it)."""
        while True:
            connection = self._connection or await self._connect()
            try:
                return await _exchange(*connection, message)
            except _Lost:
                self.close()
                if self.once:
                    raise _GiveUp(f"lost the listener at {self.target}") from None
                _say(f"lost the listener at {self.target} — reconnecting")

    async def _connect(self) -> tuple[HL7StreamReader, HL7StreamWriter]:
        said = False
        while True:
            try:
                self._connection = await asyncio.wait_for(
                    open_hl7_connection(self.target.host, self.target.port, encoding="utf-8"),
                    CONNECT_TIMEOUT_S,
                )
            except (OSError, TimeoutError):
                if self.once:
                    raise _GiveUp(f"no listener at {self.target}") from None
                if not said:
                    _say(f"no listener at {self.target} — retrying")
                    said = True
                await pause_before_retry()
                continue
            if said:
                _say(f"connected to {self.target}")
            return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection[1].close()
            self._connection = None


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def play_hl7(
    target: Target, outgoing: Iterable[Outgoing], speed: float, *, once: bool
) -> int:
    """Send each message when it is due (simulated time / `speed`) and wait for its ACK;
    one line per NIBP ("09:15 NIBP 142/88 → AA"), a tally at the end."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    link = _Link(target, once=once)
    answers: Counter[str] = Counter()
    try:
        for message in outgoing:
            delay = began + message.at_s / speed - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            answer = await link.deliver(message)
            answers[answer.code] += 1
            if message.nibp is not None:
                pressure = f"{message.nibp.systolic}/{message.nibp.diastolic}"
                print(f"{message.observed_at:%H:%M} NIBP {pressure} → {answer}", flush=True)
    except _GiveUp as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        link.close()
    tally = ", ".join(f"{count} {answer}" for answer, count in sorted(answers.items()))
    print(f"sent {sum(answers.values())} messages to {target}: {tally}")
    return 0


@dataclass(frozen=True)
class Answer:
    """What the listener said to one message: MSA-1 and, if any, MSA-3's text."""

    code: str
    note: str = ""

    def __str__(self) -> str:
        return f"{self.code} ({self.note})" if self.note else self.code


def _printable(text: str, limit: int = 120) -> str:
    """The listener's words as plain text: no control characters (a terminal escape
    sequence from the network must not reach the user's terminal), at most `limit`."""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


async def _exchange(reader: HL7StreamReader, writer: HL7StreamWriter, message: Outgoing) -> Answer:
    """Send one message and read its ACK with the library (MSA-1, MSA-2, MSA-3)."""
    try:
        writer.writemessage(message.text)
        await writer.drain()
        ack = await asyncio.wait_for(reader.readmessage(), ACK_TIMEOUT_S)
    except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
        raise _Lost from exc
    except (InvalidBlockError, ValueError, hl7.ParseException, UnicodeDecodeError):
        return Answer("?", "unreadable ACK")
    try:
        msa = ack.segment("MSA")
    except KeyError:
        return Answer("?", "ACK without MSA")
    code, echoed, text = (_printable(str(msa[n])) if len(msa) > n else "" for n in (1, 2, 3))
    if echoed != message.control_id:
        return Answer(code or "?", f"MSA-2 {echoed!r} is not this message's MSH-10")
    return Answer(code or "?", text)


# ---------------------------------------------------------------- serial oximeter
class _SerialError(Exception):
    pass


def _open_serial(path: str) -> int:
    """Open an existing terminal (a serial port or a pty) for writing, never a file: the
    simulator writes only where a reader listens, and creates nothing."""
    try:
        # O_NONBLOCK: a FIFO without a reader is refused (ENXIO) instead of hanging here.
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError as exc:
        raise _SerialError(f"cannot open {path}: {exc.strerror}") from exc
    if not stat.S_ISCHR(os.fstat(fd).st_mode) or not os.isatty(fd):
        os.close(fd)
        raise _SerialError(f"{path} is not a serial port or pty; nothing was written")
    os.set_blocking(fd, True)
    # 9600 baud, 8N1, raw (no CR/LF translation), as the oximeters send.
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[4] = attrs[5] = termios.B9600
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return fd


def play_serial(
    path: str, protocol: str, samples: Sequence[Numerics], start: datetime, speed: float
) -> int:
    line_of = OXIMETER_LINES[protocol]
    try:
        fd = _open_serial(path)
    except _SerialError as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"writing {protocol} lines to {path}, one a second ({speed:g}x)", flush=True)
    began = time.monotonic()
    written = 0
    try:
        for sample in samples:
            delay = began + sample.at_s / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            line = line_of(sample, start + timedelta(seconds=sample.at_s / speed))
            os.write(fd, line.encode("ascii"))
            written += 1
    except OSError as exc:
        print(
            f"session-app: writing to {path} failed after {written} lines: {exc.strerror}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    finally:
        os.close(fd)
    print(f"wrote {written} {protocol} lines to {path}")
    return 0
