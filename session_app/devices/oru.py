"""What an HL7 v2 ORU^R01 message (IHE PCD-01) says, as device samples: no I/O, no store.

Parsing is python-hl7's (`hl7.parse`, `hl7.parse_datetime`, `Message.create_ack`); this
module only decides what the fields mean:

- the control id (MSH-10) and the sender (MSH-3 and MSH-4, as sent), which together
  name a message for "stored once";
- the patient: the ID (CX.1) of every PID-3 repetition, and the bed: PV1-3 as sent,
  the whole point of care with its components ("KET^^CHAIR3"), trailing empty
  components dropped. The whole field, not a component, so that bed "3" of another unit
  never matches;
- each numeric OBX as a `DeviceSample` through the alias table (codes.toml), in the
  measure's canonical unit; its device is OBX-18, else the sender; its time OBX-14,
  else its OBR's OBR-7, else MSH-7, each with its offset (none: the room's zone);
- what was set aside, and why (no numeric value, unknown code, a unit that does not fit).

A message without MSH-10 or MSH-7, or with a time that is not an HL7 time, is malformed
as a whole (the ACK is AE): a value is never stored with a guessed time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

import hl7

from session_app.devices.codes import CodeTable, load_codes
from session_app.devices.samples import DeviceSample

log = logging.getLogger("session_app.devices")

# An HL7 DTM down to the minute at least: YYYYMMDDHHMM[SS[.S…]][+/-ZZZZ].
_DTM = re.compile(r"[0-9]{12}([0-9]{2}(\.[0-9]{1,4})?)?([+-][0-9]{4})?")
_NUMBER = re.compile(r"[+-]?[0-9]{1,9}(\.[0-9]{1,6})?")
# OBX-11 statuses whose value must not be used: cannot be obtained, deleted, wrong.
_VOID_STATUSES = frozenset({"X", "D", "W"})


class MalformedMessage(ValueError):
    """The message cannot be read as sent (answered AE); the text says which field."""


class UnsupportedMessage(ValueError):
    """A readable message of a type the room does not take (answered AR)."""


@dataclass(frozen=True)
class MappedValue:
    """One OBX as a sample, with the OBR it came under (1 for the first; 0 before any):
    an NIBP set is the systolic and diastolic of one OBR."""

    sample: DeviceSample
    group: int
    obx: str  # OBX-1, the set id


@dataclass(frozen=True)
class Ignored:
    """An OBX not stored: its set id, its code as sent (never its value), and why."""

    obx: str
    code: str
    reason: str


@dataclass(frozen=True)
class OruMessage:
    control_id: str
    sender: str
    sent_at: datetime  # MSH-7: with the sender and control id, names the message
    patient_ids: tuple[str, ...]
    bed: str
    values: tuple[MappedValue, ...]
    ignored: tuple[Ignored, ...]


def parse_message(text: str) -> hl7.Message:
    """The message parsed by python-hl7; MalformedMessage when it has no MSH to read
    (then not even an ACK can be addressed: the listener closes the connection)."""
    stripped = text.replace("\r\n", "\r").replace("\n", "\r").strip()
    if not stripped.startswith("MSH") or len(stripped) < 8:
        raise MalformedMessage("no MSH segment: not an HL7 v2 message")
    delimiters = stripped[3:8]  # MSH-1 and MSH-2: field, component, repetition, escape, sub
    if len(set(delimiters)) < 5 or any(c.isalnum() or c.isspace() for c in delimiters):
        raise MalformedMessage("MSH-1/MSH-2 do not hold five distinct delimiters")
    try:
        message = hl7.parse(stripped)
        message.segment("MSH")
    except (hl7.HL7Exception, KeyError, IndexError, ValueError, AssertionError) as exc:
        raise MalformedMessage(f"the MSH segment cannot be read ({type(exc).__name__})") from exc
    return message


def map_oru(message: hl7.Message, zone: tzinfo, codes: CodeTable | None = None) -> OruMessage:
    """Read a parsed ORU^R01; `zone` is the room's, for times sent without an offset."""
    table = codes or load_codes()
    kind, trigger = _get(message, "MSH", 9, comp=1), _get(message, "MSH", 9, comp=2)
    if (kind, trigger) != ("ORU", "R01"):
        raise UnsupportedMessage(f"{_safe(kind)}^{_safe(trigger)} is not ORU^R01")
    control_id = _get(message, "MSH", 10)
    if not control_id:
        raise MalformedMessage("MSH-10 (message control id) is empty")
    msh_time = _time(_get(message, "MSH", 7), zone, "MSH-7")
    if msh_time is None:
        raise MalformedMessage("MSH-7 (message time) is empty")
    sender = "/".join(p for p in (_whole(message, "MSH", 3), _whole(message, "MSH", 4)) if p)
    values: list[MappedValue] = []
    ignored: list[Ignored] = []
    group, group_time = 0, msh_time
    for segment in message:
        name = str(segment[0])
        if name == "OBR":
            group += 1
            group_time = _time(_seg(segment, 7), zone, "OBR-7") or msh_time
        elif name == "OBX":
            mapped = _obx(segment, table, zone, group, group_time, sender)
            (values if isinstance(mapped, MappedValue) else ignored).append(mapped)
    for skipped in ignored:
        if skipped.reason == "unknown code":
            log.info("monitor code %s is not in the alias table: ignored", skipped.code)
    return OruMessage(
        control_id=control_id,
        sender=sender,
        sent_at=msh_time,
        patient_ids=_patient_ids(message),
        bed=_whole(message, "PV1", 3),
        values=tuple(values),
        ignored=tuple(ignored),
    )


def build_ack(message: hl7.Message, code: str, text: str = "") -> str:
    """The ACK for `message` (MSA-1 `code`, MSA-2 its MSH-10, MSA-3 `text`), built by
    python-hl7's `create_ack` from the message's own header, padded to the fields
    create_ack reads, so that a short or odd MSH still gets its answer."""
    msh = message.segment("MSH")
    field_sep, component_sep = message.separators[1], message.separators[3]
    if len(msh) > 12 and component_sep in str(msh(9)):  # a whole MSH: as it is (a parse less)
        ack = message.create_ack(ack_code=code)
    else:
        fields = [str(msh(n)) if n < len(msh) else "" for n in range(3, 13)]
        if component_sep not in fields[6]:  # MSH-9 needs a trigger component
            fields[6] += component_sep
        header = field_sep.join(["MSH", str(msh(2)), *fields])
        ack = hl7.parse(header).create_ack(ack_code=code)
    if text:
        ack.segment("MSA").assign_field(message.escape(text), 3)
    return str(ack)


def _obx(
    segment: hl7.Segment,
    table: CodeTable,
    zone: tzinfo,
    group: int,
    group_time: datetime,
    sender: str,
) -> MappedValue | Ignored:
    set_id = _seg(segment, 1)
    identifier, text, system = (_seg(segment, 3, comp=c) for c in (1, 2, 3))
    sent_code = _safe(f"{system} {identifier or text}".strip())
    value_text = _seg(segment, 5)
    if _seg(segment, 2) != "NM" or not _NUMBER.fullmatch(value_text):
        return Ignored(set_id, sent_code, "no numeric value")
    status = _seg(segment, 11)
    if status in _VOID_STATUSES:
        return Ignored(set_id, sent_code, f"status {status}")
    found = table.measure_for(identifier, text, system)
    if found is None:
        return Ignored(set_id, sent_code, "unknown code")
    measure, code = found
    unit_id, unit_text = _seg(segment, 6, comp=1), _seg(segment, 6, comp=2)
    converted = table.convert(measure, float(value_text), unit_id, unit_text)
    if converted is None:
        return Ignored(set_id, code, f"unit {_safe(unit_id or unit_text)}")
    value, unit = converted
    when = _time(_seg(segment, 14), zone, "OBX-14") or group_time
    device = _segment_whole(segment, 18) or sender
    sample = DeviceSample(measure, value, unit, code, device, when, "hl7")
    return MappedValue(sample, group, set_id)


def _patient_ids(message: hl7.Message) -> tuple[str, ...]:
    """The ID of every PID-3 repetition, as sent (trimmed)."""
    try:
        pid = message.segment("PID")
    except KeyError:
        return ()
    if len(pid) <= 3:
        return ()
    found = (_seg(pid, 3, rep=r) for r in range(1, len(pid(3)) + 1))
    return tuple(i for i in found if i)


def _time(text: str, zone: tzinfo, where: str) -> datetime | None:
    """An HL7 time, aware: its own offset, else the room's zone; None when empty."""
    if not text:
        return None
    if not _DTM.fullmatch(text):
        raise MalformedMessage(f"{where} is not an HL7 time to the minute ('{_safe(text)}')")
    try:
        when = hl7.parse_datetime(text)
    except ValueError as exc:
        raise MalformedMessage(f"{where} is not a real time ('{_safe(text)}')") from exc
    offset = when.utcoffset()
    if offset is None:
        return when.replace(tzinfo=zone)
    return when.replace(tzinfo=timezone(offset))


def _get(message: hl7.Message, name: str, field: int, *, comp: int = 1) -> str:
    try:
        return _seg(message.segment(name), field, comp=comp)
    except KeyError:
        return ""


def _seg(segment: hl7.Segment, field: int, *, rep: int = 1, comp: int = 1) -> str:
    """One component's text (unescaped), '' when absent."""
    try:
        return str(segment.extract_field(1, field, rep, comp)).strip()
    except (IndexError, TypeError):
        return ""


def _whole(message: hl7.Message, name: str, field: int) -> str:
    try:
        return _segment_whole(message.segment(name), field)
    except KeyError:
        return ""


def _segment_whole(segment: hl7.Segment, field: int) -> str:
    """A field's first repetition as sent, with its components ("KET^^CHAIR3")."""
    if field >= len(segment):
        return ""
    value = segment(field)
    first = value(1) if isinstance(value, hl7.Field) and len(value) else value
    return str(first).rstrip(segment.separators[3]).strip()


def _safe(text: str, limit: int = 40) -> str:
    """Outside text for a log line or an ACK: printable, short."""
    shown = "".join(c if c.isprintable() else "?" for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
