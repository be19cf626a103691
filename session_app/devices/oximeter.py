"""Serial pulse-oximeter protocols: one ASCII line in, `DeviceSample`s out (pure).

Both protocols send one line a second at 9600 baud, 8 data bits, no parity, 1 stop bit.

- **Nonin** real-time ASCII: ``SPO2=XXX HR=YYY``, three characters each, ``---`` when
  there is no reading; some models put ``HH:MM:SS`` first, and a line may end in ``F``
  (fast-responding values), ``*`` (event marker) or ``B`` (breath detected). Sources:
  Nonin Avant 4000 / BT4000 and Avant 9600 user manuals ("Real-Time Patient Data
  Output"), Nonin 9847 and 8500 operator's manuals ("Serial Output").
- **Masimo ASCII 1** (Rad-8, Rad-87, Radical-7): ``MM/DD/YY HH:MM:SS`` then
  ``KEY=VALUE`` fields, ``SN= SPO2=097% BPM=072 PI=… ALARM=… EXC=…`` (the set of fields
  varies by model, so fields are read by name); ``--`` means no value. ``EXC`` is a hex
  bit field: 001 no sensor, 002 defective sensor, 004 low perfusion, 008 pulse search,
  010 interference, 020 sensor off, 040 ambient light, 080 unrecognised sensor, 400 low
  signal IQ, 800 SET mode. Sources: Masimo Rad-87 operator's manual ("Serial Interface
  Specifications": ASCII 1 by default, 9600 8N1), Rad-8 operator's manual (the exception
  bits, and its sample output where ``000`` follows a sensor-off), and the ASCII 1 lines
  quoted in remkolems/masimo-datacapture.

The time of a value is the room's clock when the line arrived: neither device sends a
time zone, and a Nonin header's clock is often unset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from session_app.devices.samples import DeviceSample
from session_app.domain.clock import ensure_utc
from session_app.domain.text import snippet

PROTOCOLS = ("nonin", "masimo")
BAUD_RATE = 9600
MAX_LINE = 512  # a longer run without a line end is not either protocol

_NONIN = re.compile(
    r"(?:\d\d:\d\d:\d\d +)?SPO2=(?P<spo2>\d{3}|---) +HR=(?P<hr>\d{3}|---) *[FB*]?\*?"
)
_MASIMO_DATE = re.compile(r"\d\d/\d\d/\d\d")
_MASIMO_TIME = re.compile(r"\d\d:\d\d:\d\d")
_MASIMO_NUMBER = re.compile(r"(?P<number>\d{1,3})%?|-+%?")
_MASIMO_EXC = re.compile(r"(?P<hex>[0-9A-Fa-f]{1,8})(?::[A-Za-z,]*)?")
# Exceptions under which the numbers on the line are not a reading of the patient.
MASIMO_NO_READING = 0x001 | 0x002 | 0x008 | 0x020 | 0x080


@dataclass(frozen=True)
class ParsedLine:
    """What one line said: its samples; or that it was a data line with no reading (probe
    off, searching), which keeps the feed "connected" but gives no value; or garbled."""

    samples: tuple[DeviceSample, ...] = ()
    no_reading: bool = False
    garbled: bool = False


GARBLED = ParsedLine(garbled=True)
NO_READING = ParsedLine(no_reading=True)


@dataclass(frozen=True)
class OximeterPort:
    """Where an oximeter is and what it speaks (`--oximeter PORT:PROTOCOL`)."""

    port: str
    protocol: str

    @property
    def device(self) -> str:
        """The name its samples carry: the option's own spelling, e.g. COM3:masimo."""
        return f"{self.port}:{self.protocol}"


def parse_oximeter_option(text: str) -> OximeterPort:
    """`/dev/ttyUSB0:nonin` → OximeterPort; ValueError with one sentence to show."""
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(f"'{snippet(text)}' contains a control character")
    port, _, protocol = text.rpartition(":")
    if not port or not protocol:
        raise ValueError(f"'{snippet(text)}' is not PORT:PROTOCOL (e.g. /dev/ttyUSB0:nonin)")
    if protocol.lower() not in PROTOCOLS:
        raise ValueError(
            f"'{snippet(protocol)}' is not a supported protocol ({' or '.join(PROTOCOLS)})"
        )
    return OximeterPort(port, protocol.lower())


def _sample(measure: str, value: int, code: str, device: str, at: datetime) -> DeviceSample:
    unit = "%" if measure == "spo2" else "/min"
    return DeviceSample(measure, value, unit, code, device, at, "serial")


def _samples(
    spo2: int | None, hr: int | None, vendor: str, hr_code: str, device: str, at: datetime
) -> ParsedLine:
    found = []
    if spo2 is not None:
        found.append(_sample("spo2", spo2, f"{vendor} SPO2", device, at))
    if hr is not None:
        found.append(_sample("heart_rate", hr, f"{vendor} {hr_code}", device, at))
    return ParsedLine(tuple(found)) if found else NO_READING


def parse_nonin(line: str, *, device: str, at: datetime) -> ParsedLine:
    """One Nonin real-time line. An empty line is nothing (not garbled)."""
    at = ensure_utc(at)
    text = line.strip("\r\n")
    if not text:
        return ParsedLine()
    match = _NONIN.fullmatch(text)
    if match is None:
        return GARBLED
    spo2, hr = (None if v == "---" else int(v) for v in match.group("spo2", "hr"))
    return _samples(spo2, hr, "NONIN", "HR", device, at)


def parse_masimo(line: str, *, device: str, at: datetime) -> ParsedLine:
    """One Masimo ASCII 1 line. An empty line is nothing (not garbled)."""
    at = ensure_utc(at)
    tokens = line.split()
    if not tokens:
        return ParsedLine()
    if (
        len(tokens) < 3
        or not _MASIMO_DATE.fullmatch(tokens[0])
        or not _MASIMO_TIME.fullmatch(tokens[1])
        or not all("=" in t for t in tokens[2:])
    ):
        return GARBLED
    fields = dict(t.split("=", 1) for t in tokens[2:])
    (spo2_ok, spo2), (bpm_ok, bpm) = (_masimo_number(fields.get(k)) for k in ("SPO2", "BPM"))
    exc = _MASIMO_EXC.fullmatch(fields.get("EXC", "0"))
    if not spo2_ok or not bpm_ok or exc is None:
        return GARBLED
    if int(exc.group("hex"), 16) & MASIMO_NO_READING:
        return NO_READING
    # 000 is Masimo's blank (its manual's sample output), never a measured 0
    return _samples(spo2 or None, bpm or None, "MASIMO", "BPM", device, at)


def _masimo_number(text: str | None) -> tuple[bool, int | None]:
    """(readable, the field's number or None for dashes); unreadable when absent."""
    match = _MASIMO_NUMBER.fullmatch(text or "")
    if match is None:
        return False, None
    number = match.group("number")
    return True, None if number is None else int(number)


PARSERS: dict[str, Callable[..., ParsedLine]] = {"nonin": parse_nonin, "masimo": parse_masimo}


def parse_line(protocol: str, raw: bytes, *, device: str, at: datetime) -> ParsedLine:
    """One line as read from the port (bytes, with or without CR/LF). Anything not ASCII
    text, or longer than a line of either protocol, is garbled; nothing raises."""
    if len(raw) > MAX_LINE:
        return GARBLED
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return GARBLED
    return PARSERS[protocol](text, device=device, at=at)
