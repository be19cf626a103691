"""The shapes every device path shares: one value from a device, and a message handler.

An HL7 message, a Nonin line and a Masimo line all become `DeviceSample`s; the MLLP
listener hands each framed message to a `MessageHandler` and sends back what it returns.
Defined before their producers so that the parser, the listener, the oximeter reader and
the store are built against the same seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

# The measures a device value may map to: the vitals form's names, so a proposed check
# needs no second mapping. Canonical units: mmHg, %, /min, °C.
MEASURES = (
    "systolic",
    "diastolic",
    "mean_bp",
    "heart_rate",
    "spo2",
    "resp_rate",
    "temperature_c",
)

# A device time further than this from the room's clock is flagged, never shifted: a
# check recorded from it keeps the monitor's time. The words say so wherever it shows
# (the staff panel's proposal, the summary, PDF, CSV and FHIR).
CLOCK_SKEW_LIMIT = timedelta(minutes=5)
CLOCK_SKEW_WORDS = (
    f"the monitor's time for it was more than {CLOCK_SKEW_LIMIT.seconds // 60} minutes"
    " from the room's clock"
)


@dataclass(frozen=True)
class DeviceSample:
    """One value as a device reported it, already in the measure's canonical unit.

    `code` is the code it came under ("MDC 150456", "MDIL SpO2", "LOINC 2708-6",
    "NONIN SPO2"); `device` names the sender (OBX-18, else MSH-3/MSH-4; the serial port
    for an oximeter); `observed_at` is aware (the device's time with its offset)."""

    measure: str
    value: float
    unit: str
    code: str
    device: str
    observed_at: datetime
    source: str  # "hl7" or "serial"


class MessageHandler(Protocol):
    """Takes one framed HL7 message (text, segments split by CR) from `peer` (its IP
    address) and returns the ACK to send back. It returns only after whatever it stores
    is committed, so an AA never precedes the commit. It never raises: a message it cannot
    read gets an AE/AR ACK (or '' when not even MSH can be read: the listener then closes)."""

    def handle(self, message: str, peer: str) -> str: ...


@dataclass(frozen=True)
class FeedState:
    """How one feed stands, for the staff header ("Monitor: connected · last value 4 s ago").

    `source` names the feed without PHI ("HL7 127.0.0.1:2575", "oximeter /dev/ttyUSB0");
    `last_value_at` is when the app last received a value (the room's clock), not the
    device's own time; `problem` is one line ("unplugged — retrying"), '' when none."""

    source: str
    connected: bool
    last_value_at: datetime | None = None
    problem: str = ""


class FeedStatus(Protocol):
    """Anything that can say how its feed stands (the listener, the oximeter reader)."""

    def feed_state(self) -> FeedState: ...
