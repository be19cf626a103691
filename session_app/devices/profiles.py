"""How three vendors write a simulated event as HL7 v2 ORU^R01: the simulator's profiles.

Building is not parsing: messages are plain segment strings (CR between segments); the
tests read every one back with python-hl7. Each profile follows its vendor's public HL7
document where we could read it; where a detail is not public we say so below and follow
IHE PCD-01 (IHE Patient Care Device Technical Framework, Vol. 2, Rev. 9.0, 2019-12-12,
transaction PCD-01 "Communicate PCD Data": HL7 2.6, MDC codes in OBX-3 and OBX-6, the
containment tree in OBX-4, the device in OBX-18, times with their UTC offset). Device IDs
(EUI-64) are the simulator's own, not a real device's.

- ``ge``: GE Healthcare, "B40/B20 Patient Monitor HL7 Reference Manual", 2062665-001 G
  (2014), its PCD-01 chapter and sample messages: MSH-3 ``VSP^<EUI-64>^EUI-64``, MSH-4
  ``GE Healthcare``, MSH-21 ``PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO``,
  PID-3 ``<id>^^^PID^MR``, OBR-4 ``182777000^monitoring of patient^SCT``, an MDS OBX
  (69965) and the BP VMD/channel OBXs (69854/69855) with no value and status X, values
  with status R and OBX-18 ``<EUI-64>^B40_GE``, RR in 264928 (MDC_DIM_RESP_PER_MIN). The
  time is OBR-7 (no OBX-14), as in GE's samples. Not public in what we read: the
  CARESCAPE Gateway manual itself, the OBX-4 number of the NIBP VMD (we use 1.14), and
  the offset on times (GE's samples have none; we add it as PCD-01 asks).
- ``mindray``: Mindray's public documents are the "Patient Data Share Protocol
  Programmer's Guide" (rev. 10.0, July 2013, 0010-20-43061-2: its own parameter IDs, HL7
  over TCP) and the A-Series "Communication Protocol Interface Guide" (which states IHE
  PCD DEC / PCD-01 conformance). The BeneVision / eGateway HL7 interface guide is not
  public, so this profile is plain PCD-01 as that gateway claims: NIBP as cuff pressure
  (150301/150302/150303, IHE PCD terminology), OBX-14 on every value, status F.
- ``philips``: Philips, "IntelliVue Information Center HL7 Parameter Data Interface
  Programmer's Guide" (4535 641 03281, Edition 1, January 2009) and "IntelliVue
  Information Center Release N HL7 Programmer's Reference Guide" (4535 642 64661, October
  2011) name the MDIL coding; the OBX shape is the one Philips prints in the "Efficia CM
  Series Data Export Guide": ``0002-4a05^NBPs^MDIL`` with unit ``0004-0f20^mmHg^MDIL``
  (an MDIL code is the MDC code in hex: 0x4a05 = 150021 - 2 * 65536), status F, OBX-14
  on NIBP only, empty OBX set IDs, HL7 2.4. Not public in what we read: the information
  centre's MSH-3/MSH-4 (we send ``PIIC`` / ``Philips``). RR is labelled ``RR`` (the
  IntelliVue numeric label; the Efficia guide prints ``Resp`` for the same 0002-5000).

Serial pulse oximeters (one ASCII line a second, 9600 baud, 8N1, CR LF):

- ``nonin``: Nonin operator's manuals (e.g. 8500 handheld, Avant 4000, "Real-Time Patient
  Data Output"): ``SPO2=XXX HR=YYY``, three digits each, ``---`` when there is no reading.
- ``masimo``: Masimo Rad-8 / Rad-87 operator's manuals ("Serial Interface
  Specifications": ASCII 1 is the default text output, 9600 baud, 8 bits, no parity, 1
  stop bit). The field layout is not printed there; we follow a public capture of a Rad-8
  in ASCII 1 mode: ``MM/DD/YY HH:MM:SS SN=... SPO2=098% BPM=097 PI=03.60% SPCO=--.-%
  SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000800`` (EXC 000800: Masimo SET, no
  exception).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from session_app.devices.simulator import NibpReading, Numerics, VitalsEvent

PCD_01_PROFILE = "1.3.6.1.4.1.19376.1.6.1.1.1"
MONITORING_OF_PATIENT = "182777000^monitoring of patient^SCT"
# What HL7 v2 uses for structure (and CR/LF, which end a segment): never in a value.
_STRUCTURE = set("|^~\\&\r\n")


@dataclass(frozen=True)
class MessageContext:
    """What a message says besides the values: who, where, when, and its MSH-10."""

    patient_id: str
    observed_at: datetime  # aware: the device's clock, with its offset
    control_id: str
    bed: str = ""


@dataclass(frozen=True)
class Outgoing:
    """One message as the sender will send it: at `at_s` of simulated time."""

    at_s: int
    observed_at: datetime
    control_id: str
    text: str
    nibp: NibpReading | None


def field_problem(text: str) -> str:
    """Why `text` cannot go into a message field ('' when it can): HL7 separators or
    control characters would change the message's structure, not just its content."""
    if not text.strip():
        return "must not be empty"
    if any(ch in _STRUCTURE or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return "must not contain | ^ ~ \\ & or control characters"
    if len(text) > 64:
        return "must be at most 64 characters"
    return ""


def hl7_time(at: datetime) -> str:
    """HL7 DTM to the second with the UTC offset, as PCD-01 asks: 20261201091500+0100."""
    if at.tzinfo is None:
        raise ValueError("an HL7 time needs its UTC offset: pass an aware datetime")
    return at.strftime("%Y%m%d%H%M%S%z")


def control_id(run_started: datetime, number: int) -> str:
    """MSH-10: unique within a run and across runs (the run's start in ms), 20 characters
    at most (ST 20 in HL7 2.4), so a listener's duplicate check never merges two runs."""
    return f"{int(run_started.timestamp() * 1000) % 10**13:013d}{number % 10**7:07d}"


def _segment(name: str, fields: dict[int, str]) -> str:
    return "|".join([name, *(fields.get(i, "") for i in range(1, max(fields) + 1))])


def _msh(fields: dict[int, str]) -> str:
    """MSH-1 is the field separator itself and MSH-2 the encoding characters."""
    return "MSH|^~\\&|" + "|".join(fields.get(i, "") for i in range(3, max(fields) + 1))


def _location(bed: str) -> str:
    """PV1-3 (PL): the bed is its third component."""
    return f"^^{bed}" if bed else ""


# ---------------------------------------------------------------- IHE PCD-01 (GE, Mindray)
@dataclass(frozen=True)
class _Mdc:
    code: str
    name: str
    unit: str
    unit_name: str

    def coded(self) -> str:
        return f"{self.code}^{self.name}^MDC"

    def unit_coded(self) -> str:
        return f"{self.unit}^{self.unit_name}^MDC"


_MMHG = ("266016", "MDC_DIM_MMHG")
_BPM = ("264864", "MDC_DIM_BEAT_PER_MIN")
_PERCENT = ("262688", "MDC_DIM_PERCENT")
_RPM = ("264928", "MDC_DIM_RESP_PER_MIN")

ECG_HR = _Mdc("147842", "MDC_ECG_HEART_RATE", *_BPM)
SPO2_PULSE = _Mdc("149530", "MDC_PULS_OXIM_PULS_RATE", *_BPM)
SPO2 = _Mdc("150456", "MDC_PULS_OXIM_SAT_O2", *_PERCENT)
RESP_RATE = _Mdc("151562", "MDC_RESP_RATE", *_RPM)
NIBP_PULSE = _Mdc("149546", "MDC_PULS_RATE_NON_INV", *_BPM)
NIBP = (
    _Mdc("150021", "MDC_PRESS_BLD_NONINV_SYS", *_MMHG),
    _Mdc("150022", "MDC_PRESS_BLD_NONINV_DIA", *_MMHG),
    _Mdc("150023", "MDC_PRESS_BLD_NONINV_MEAN", *_MMHG),
)
CUFF = (
    _Mdc("150301", "MDC_PRESS_CUFF_SYS", *_MMHG),
    _Mdc("150302", "MDC_PRESS_CUFF_DIA", *_MMHG),
    _Mdc("150303", "MDC_PRESS_CUFF_MEAN", *_MMHG),
)


@dataclass(frozen=True)
class _PcdProfile:
    """A PCD-01 device observation reporter; the vendors differ in the details below."""

    sending_application: str
    sending_facility: str
    profile_id: str
    device: str  # OBX-18
    status: str  # OBX-11
    nibp_codes: tuple[_Mdc, _Mdc, _Mdc]
    value_times: bool  # OBX-14 on every value (else OBR-7 only)
    headers: bool  # the MDS / VMD / channel OBXs of the containment tree

    def oru(self, event: VitalsEvent, ctx: MessageContext) -> str:
        when = hl7_time(ctx.observed_at)
        eui = self.sending_application.split("^")[1]
        filler = f"{eui}{when[:14]}^{self.sending_application}"
        segments = [
            _msh(
                {
                    3: self.sending_application,
                    4: self.sending_facility,
                    7: when,
                    9: "ORU^R01^ORU_R01",
                    10: ctx.control_id,
                    11: "P",
                    12: "2.6",
                    15: "NE",
                    16: "AL",
                    18: "UNICODE UTF-8",
                    21: self.profile_id,
                }
            ),
            _segment("PID", {3: f"{ctx.patient_id}^^^PID^MR"}),
            _segment("PV1", {2: "R", 3: _location(ctx.bed)}),
            _segment("OBR", {1: "1", 2: filler, 3: filler, 4: MONITORING_OF_PATIENT, 7: when}),
        ]
        rows: list[tuple[str, _Mdc | str, str]] = []  # (OBX-4, code, value); value '' = header
        if self.headers:
            rows.append(("1.0.0.0", "69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC", ""))
        if isinstance(event, NibpReading):
            if self.headers:
                rows.append(("1.14.0.0", "69854^MDC_DEV_METER_PRESS_BLD_VMD^MDC", ""))
                rows.append(("1.14.1.0", "69855^MDC_DEV_METER_PRESS_BLD_CHAN^MDC", ""))
            systolic, diastolic, mean = self.nibp_codes
            rows += [
                ("1.14.1.1", systolic, str(event.systolic)),
                ("1.14.1.2", diastolic, str(event.diastolic)),
                ("1.14.1.3", mean, str(event.mean)),
                ("1.14.1.4", NIBP_PULSE, str(event.pulse_rate)),
            ]
        else:
            rows += [
                ("1.5.1.1", ECG_HR, str(event.heart_rate)),
                ("1.22.1.1", SPO2_PULSE, str(event.pulse_rate)),
                ("1.22.1.2", SPO2, str(event.spo2)),
                ("1.6.1.1", RESP_RATE, str(event.resp_rate)),
            ]
        for number, (sub_id, code, value) in enumerate(rows, start=1):
            if isinstance(code, str):  # a containment-tree header: no value, status X
                segments.append(_segment("OBX", {1: str(number), 3: code, 4: sub_id, 11: "X"}))
                continue
            fields = {
                1: str(number),
                2: "NM",
                3: code.coded(),
                4: sub_id,
                5: value,
                6: code.unit_coded(),
                11: self.status,
                18: self.device,
            }
            if self.value_times:
                fields[14] = when
            segments.append(_segment("OBX", fields))
        return "\r".join(segments)


GE = _PcdProfile(
    sending_application="VSP^080019FFFE5E1700^EUI-64",
    sending_facility="GE Healthcare",
    profile_id=f"PCD_DEC_001^IHE PCD^{PCD_01_PROFILE}^ISO",
    device="080019FFFE5E1700^B40_GE",
    status="R",
    nibp_codes=NIBP,
    value_times=False,
    headers=True,
)
MINDRAY = _PcdProfile(
    sending_application="MINDRAY_GW^5E1A00FFFE001700^EUI-64",
    sending_facility="Mindray",
    profile_id=f"IHE_PCD_001^IHE PCD^{PCD_01_PROFILE}^ISO",
    device="5E1A00FFFE001700^^5E1A00FFFE001700^EUI-64",  # EI: id^namespace^universal id^type
    status="F",
    nibp_codes=CUFF,
    value_times=True,
    headers=True,
)


# ---------------------------------------------------------------- Philips (MDIL)
def _mdil(code: str, label: str, unit: str, unit_label: str) -> tuple[str, str]:
    return f"{code}^{label}^MDIL", f"{unit}^{unit_label}^MDIL"


_PHILIPS_NIBP = (
    _mdil("0002-4a05", "NBPs", "0004-0f20", "mmHg"),
    _mdil("0002-4a06", "NBPd", "0004-0f20", "mmHg"),
    _mdil("0002-4a07", "NBPm", "0004-0f20", "mmHg"),
)
_PHILIPS_HR = _mdil("0002-4182", "HR", "0004-0aa0", "bpm")
_PHILIPS_SPO2 = _mdil("0002-4bb8", "SpO2", "0004-0220", "%")
_PHILIPS_PULSE = _mdil("0002-480a", "Pulse", "0004-0aa0", "bpm")
_PHILIPS_RR = _mdil("0002-5000", "RR", "0004-0ae0", "rpm")


def _philips_oru(event: VitalsEvent, ctx: MessageContext) -> str:
    when = hl7_time(ctx.observed_at)
    segments = [
        _msh(
            {3: "PIIC", 4: "Philips", 7: when, 9: "ORU^R01", 10: ctx.control_id, 11: "P", 12: "2.4"}
        ),
        _segment("PID", {3: ctx.patient_id}),
        _segment("PV1", {3: _location(ctx.bed)}),
        _segment("OBR", {4: "MONITOR", 7: when}),
    ]
    if isinstance(event, NibpReading):
        values = (event.systolic, event.diastolic, event.mean)
        for (code, unit), value in zip(_PHILIPS_NIBP, values, strict=True):
            fields = {2: "NM", 3: code, 5: str(value), 6: unit, 11: "F", 14: when}
            segments.append(_segment("OBX", fields))
    else:
        rows = [
            (_PHILIPS_HR, event.heart_rate, ""),
            (_PHILIPS_SPO2, event.spo2, ""),
            (_PHILIPS_PULSE, event.pulse_rate, _PHILIPS_SPO2[0]),  # OBX-17: pulse from SpO2
            (_PHILIPS_RR, event.resp_rate, ""),
        ]
        for (code, unit), value, source in rows:
            fields = {2: "NM", 3: code, 5: str(value), 6: unit, 11: "F"}
            if source:
                fields[17] = source
            segments.append(_segment("OBX", fields))
    return "\r".join(segments)


PROFILES: dict[str, Callable[[VitalsEvent, MessageContext], str]] = {
    "ge": GE.oru,
    "mindray": MINDRAY.oru,
    "philips": _philips_oru,
}


def build_oru(profile: str, event: VitalsEvent, ctx: MessageContext) -> str:
    """One ORU^R01 for `event` in `profile`'s shape (KeyError for an unknown profile)."""
    return PROFILES[profile](event, ctx)


def session_messages(
    profile: str,
    events: Iterable[VitalsEvent],
    *,
    patient_id: str,
    start: datetime,
    speed: float,
    bed: str = "",
) -> Iterator[Outgoing]:
    """Every message of a session, built as it is needed (an 8 h session is 29 000 of
    them), stamped with the wall-clock time it will be sent at (`start` + simulated time
    / `speed`): a monitor stamps with its own clock, so a compressed session stays near
    the room's clock instead of running hours ahead."""
    build = PROFILES[profile]
    for number, event in enumerate(events, start=1):
        observed_at = start + timedelta(seconds=event.at_s / speed)
        ctx = MessageContext(patient_id, observed_at, control_id(start, number), bed)
        nibp = event if isinstance(event, NibpReading) else None
        yield Outgoing(event.at_s, observed_at, ctx.control_id, build(event, ctx), nibp)


def numerics_only(events: Sequence[VitalsEvent]) -> list[Numerics]:
    """The 1 Hz numerics of a session (what a pulse oximeter reports)."""
    return [e for e in events if isinstance(e, Numerics)]


MASIMO_SERIAL_NUMBER = "0000000017"  # the simulator's own


def nonin_line(sample: Numerics, at: datetime) -> str:
    """A Nonin real-time line (`at` unused: Nonin's plain format carries no time)."""
    del at
    return f"SPO2={sample.spo2:03d} HR={sample.pulse_rate:03d}\r\n"


def masimo_line(sample: Numerics, at: datetime) -> str:
    """A Masimo ASCII 1 line, stamped with the oximeter's clock (local, no offset)."""
    return (
        f"{at:%m/%d/%y %H:%M:%S} SN={MASIMO_SERIAL_NUMBER} SPO2={sample.spo2:03d}% "
        f"BPM={sample.pulse_rate:03d} PI={sample.perfusion_index:05.2f}% SPCO=--.-% "
        "SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000800\r\n"
    )


OXIMETER_LINES: dict[str, Callable[[Numerics, datetime], str]] = {
    "nonin": nonin_line,
    "masimo": masimo_line,
}
