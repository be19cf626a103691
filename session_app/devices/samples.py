"""The shapes every device path shares: one value from a device, and a message handler.

An HL7 message, a Nonin line and a Masimo line all become `DeviceSample`s; the MLLP
listener hands each framed message to a `MessageHandler` and sends back what it returns.
Defined before their producers so that the parser, the listener, the oximeter reader and
the store are built against the same seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
