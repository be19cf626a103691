"""The end-of-session summary as plain data, built from the store's records.

One `SessionSummary` feeds the on-screen view, the PDF and (through its record) the CSV
and FHIR exports, so what the nurse reads on screen and what goes to the chart never
disagree. It is pure: the store is read through a small interface (`RecordSource`),
corrections are applied (a corrected row is replaced by its correction), and "now" is
passed in, so a summary of an open session says "so far" without reading a clock.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, runtime_checkable
from typing import Protocol as Interface

from session_app.domain import discharge as discharge_rules
from session_app.domain.baseline import baseline_checks
from session_app.domain.clock import format_local
from session_app.domain.corrections import AlertResolution, current, is_void, versions
from session_app.domain.discharge import DischargeContext, StoredDischarge, discharge_context
from session_app.domain.dose import DoseAmount, stored_amount
from session_app.domain.events import EVENT_KINDS, describe
from session_app.domain.news2 import News2Score, news2
from session_app.domain.protocols import ESKETAMINE_REMS, Protocol
from session_app.domain.records import AlertRecord, SessionEvent
from session_app.domain.rems import RemsForm, build_rems, rems_identity
from session_app.domain.schedule import Schedule, ScheduleCounts, anchors_from_events
from session_app.domain.session import TreatmentSession
from session_app.domain.session_protocol import session_protocol
from session_app.domain.settings import resolve_settings
from session_app.domain.vitals import FIELD_BY_NAME, MEASURE_NAMES, VitalsCheck, VitalSigns

# Measures summarised per vital (baseline, min, max, peak change). Yes/no measures are not.
STAT_MEASURES: tuple[str, ...] = (
    "systolic",
    "diastolic",
    "heart_rate",
    "spo2",
    "resp_rate",
    "temperature_c",
    "moaas",
    "cadss",
    "anxiety",
    "nausea",
    "pain",
)
INFUSION_KINDS = (
    "infusion_start",
    "infusion_rate",
    "infusion_pause",
    "infusion_resume",
    "infusion_stop",
)
# What the REMS form asks before the dose: listed together ("Before dosing"), as `concomitant`.
BEFORE_DOSING = ("concomitant_meds", "pre_dose_check")


class RecordSource(Interface):
    """The read side of SessionStore that a summary needs (kept structural: no store import)."""

    def session(self, session_id: int) -> TreatmentSession: ...
    def checks(self, session_id: int) -> list[VitalsCheck]: ...
    def events(self, session_id: int) -> list[SessionEvent]: ...
    def alerts(self, session_id: int) -> list[AlertRecord]: ...
    def alert_resolutions(self, session_id: int) -> list[AlertResolution]: ...
    def discharge(self, session_id: int) -> dict[str, Any]: ...


@runtime_checkable
class ClinicSource(Interface):
    """What the REMS form reads beyond one session (the store has both): the patient's
    other sessions ("first treatment?") and the clinic settings (setting name, REMS ID,
    prescriber). A source without them (a fake) leaves those fields to be answered."""

    def sessions(self, patient_id: str = "") -> list[TreatmentSession]: ...
    def load_settings(self) -> dict[str, Any]: ...


class DeviceValue(Interface):
    """A stored device value as the summary reads it (store.devices.DeviceObservation)."""

    @property
    def id(self) -> int: ...
    @property
    def message_id(self) -> int | None: ...  # the HL7 message it came in (None: serial)
    @property
    def group(self) -> int | None: ...  # the OBR of that message
    @property
    def measure(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def implausible(self) -> bool: ...
    @property
    def clock_skew(self) -> bool: ...  # its time was far from the room's clock (kept as sent)


@runtime_checkable
class DeviceSource(Interface):
    """The monitor feed's side of the store: every device value of a session, and which
    checks were recorded from which of them. A source without it (a fake) has no monitor
    data, and its summary no monitor section."""

    def device_observations(self, session_id: int) -> Sequence[DeviceValue]: ...
    def checks_from_monitor(self, session_id: int) -> Mapping[int, tuple[int, ...]]: ...


def device_label(device: str) -> str:
    """A device as staff would name it. Devices are sent as an HL7 EI (OBX-18 or MSH-3:
    "080019FFFE5E1700^B40_GE", id then namespace): "B40_GE (080019FFFE5E1700)"; an id
    alone, or an oximeter's port ("/dev/ttyUSB0:nonin"), is shown as it is."""
    parts = device.split("^")
    ident = parts[0].strip()
    namespace = parts[1].strip() if len(parts) > 1 else ""
    if namespace and ident:
        return f"{namespace} ({ident})"
    return ident or namespace or device


@dataclass(frozen=True)
class CorrectionNote:
    """One correction of a record: what it replaced, who made it, when and why.

    `changes` name the values before the correction ("BP was 210/95"), so a reader of
    the chart sees both the value in force and the one it replaced.
    """

    record: str  # which record, e.g. "Check of 10:15"
    changes: tuple[str, ...]
    by: str
    at: datetime  # when the correction was entered
    reason: str

    @property
    def text(self) -> str:
        """E.g. "corrected: BP was 210/95; by AB at 10:42 — typed in the wrong row"."""
        changed = "; ".join(self.changes) if self.changes else "no value changed"
        reason = f" — {self.reason}" if self.reason else ""
        when = format_local(self.at, with_date=False)
        return f"corrected: {changed}; by {self.by} at {when}{reason}"


_SHORT_LABELS = {"systolic": "BP", "heart_rate": "HR", "resp_rate": "RR", "temperature_c": "Temp"}


def _value_text(value: object, unit: str = "") -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value} {unit}".strip() if unit else str(value)


def vitals_changes(before: VitalSigns, after: VitalSigns) -> tuple[str, ...]:
    """What a correction changed, in the words of the previous values ("HR was 150 /min")."""
    changes: list[str] = []
    if (before.systolic, before.diastolic) != (after.systolic, after.diastolic):
        was = "blank" if before.systolic is None else f"{before.systolic}/{before.diastolic}"
        changes.append(f"BP was {was}")
    for name in (*MEASURE_NAMES, "note"):
        if name in ("systolic", "diastolic"):
            continue
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        spec = FIELD_BY_NAME[name]
        label = _SHORT_LABELS.get(name, spec.label)
        was = f"'{old}'" if name == "note" and old else _value_text(old, spec.unit)
        changes.append(f"{label} was {was}")
    return tuple(changes)


def check_changes(before: VitalsCheck, after: VitalsCheck) -> tuple[str, ...]:
    """What a check correction changed: the time taken, then the values (vitals_changes)."""
    moved = before.taken_at != after.taken_at
    was = f"Time taken was {format_local(before.taken_at, with_date=False)}"
    return ((was,) if moved else ()) + vitals_changes(before.signs, after.signs)


def event_changes(before: SessionEvent, after: SessionEvent) -> tuple[str, ...]:
    """What an event correction changed: each field's previous value, and the time; for a
    withdrawal, what was withdrawn ("Withdrawn: Dose given: Ketamine 0.5 mg/kg, ...")."""
    if is_void(after):
        return (f"Withdrawn: {describe(before)}",)
    changes: list[str] = []
    if before.occurred_at != after.occurred_at:
        changes.append(f"Time was {format_local(before.occurred_at, with_date=False)}")
    spec = EVENT_KINDS.get(before.kind)
    names = [f.name for f in spec.fields] if spec else sorted({*before.details, *after.details})
    for name in names:
        old, new = before.details.get(name), after.details.get(name)
        if old == new:
            continue
        label = spec.field(name).label if spec else name.replace("_", " ").capitalize()
        changes.append(f"{label} was {_value_text(old)}")
    return tuple(changes)


def check_corrections(
    rows: Iterable[VitalsCheck], check: VitalsCheck
) -> tuple[CorrectionNote, ...]:
    """The corrections that led to `check`, oldest first (empty for an uncorrected check)."""
    chain = versions(rows, check.id)
    record = f"Check of {format_local(chain[0].taken_at, with_date=False)}"
    return tuple(
        CorrectionNote(
            record,
            check_changes(old, new),
            new.signs.recorded_by,
            new.entered_at,
            new.correction_reason,
        )
        for old, new in itertools.pairwise(chain)
    )


def event_corrections(
    rows: Iterable[SessionEvent], event: SessionEvent
) -> tuple[CorrectionNote, ...]:
    """The corrections that led to `event`, oldest first (empty for an uncorrected event)."""
    chain = versions(rows, event.id)
    spec = EVENT_KINDS.get(chain[0].kind)
    label = spec.label if spec else chain[0].kind.replace("_", " ").capitalize()
    record = f"{label} at {format_local(chain[0].occurred_at, with_date=False)}"
    return tuple(
        CorrectionNote(
            record, event_changes(old, new), new.recorded_by, new.entered_at, new.correction_reason
        )
        for old, new in itertools.pairwise(chain)
    )


@dataclass(frozen=True)
class SessionRecord:
    """Everything the store holds for one session: every stored row, audit trail included."""

    session: TreatmentSession
    checks: tuple[VitalsCheck, ...]
    events: tuple[SessionEvent, ...]
    alerts: tuple[AlertRecord, ...]
    discharge: dict[str, Any] = field(default_factory=dict)
    resolutions: tuple[AlertResolution, ...] = ()  # alerts resolved by a correction
    # REMS inputs from outside the session (read only for an esketamine session):
    earlier_sessions: tuple[TreatmentSession, ...] | None = None  # None: not known
    clinic: Mapping[str, Any] = field(default_factory=dict)  # resolved clinic settings
    # The monitor feed (empty for a session without one): every device value, in the order
    # received, and {check id: the observation ids it was recorded from}.
    device_values: tuple[DeviceValue, ...] = ()
    monitor_checks: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, source: RecordSource, session_id: int) -> SessionRecord:
        """Read one session; KeyError when the id is unknown."""
        session = source.session(session_id)
        earlier: tuple[TreatmentSession, ...] | None = None
        clinic: dict[str, Any] = {}
        if session.protocol_name == ESKETAMINE_REMS and isinstance(source, ClinicSource):
            earlier = earlier_treatments(session, source.sessions(session.patient_id))
            clinic = resolve_settings(source.load_settings())
        devices: tuple[DeviceValue, ...] = ()
        links: Mapping[int, tuple[int, ...]] = {}
        if isinstance(source, DeviceSource):
            devices = tuple(source.device_observations(session_id))
            links = dict(source.checks_from_monitor(session_id)) if devices else {}
        return cls(
            session=session,
            checks=tuple(source.checks(session_id)),
            events=tuple(source.events(session_id)),
            alerts=tuple(source.alerts(session_id)),
            discharge=dict(source.discharge(session_id)),
            resolutions=tuple(source.alert_resolutions(session_id)),
            earlier_sessions=earlier,
            clinic=clinic,
            device_values=devices,
            monitor_checks=links,
        )

    def monitor_origin(self, check: VitalsCheck) -> tuple[DeviceValue, ...]:
        """The device values `check` was recorded from ((): typed). A correction keeps the
        origin of the check it corrects: the values it changed are the nurse's, which the
        FHIR export tells apart by comparing each value (export.fhir)."""
        if not self.monitor_checks:
            return ()
        root = versions(self.checks, check.id)[0] if check.corrects_id is not None else check
        by_id = self._device_values_by_id
        return tuple(by_id[i] for i in self.monitor_checks.get(root.id, ()) if i in by_id)

    @functools.cached_property
    def _device_values_by_id(self) -> dict[int, DeviceValue]:
        """Built once: an 8 h session holds some 60 000 values, its checks a hundred links."""
        return {v.id: v for v in self.device_values}

    @property
    def current_checks(self) -> list[VitalsCheck]:
        return current(self.checks)

    @property
    def current_events(self) -> list[SessionEvent]:
        return current(self.events)

    def protocol(self) -> Protocol:
        """The protocol snapshotted at start (domain.session_protocol, with its fallback)."""
        return session_protocol(self.session)


@dataclass(frozen=True)
class DoseLine:
    at: datetime
    drug: str
    dose: str  # amount with unit, e.g. "84 mg"
    route: str
    lot: str
    recorded_by: str
    corrections: tuple[CorrectionNote, ...] = ()  # how this dose was corrected, oldest first
    event_id: int | None = None  # the stored row shown
    amount: DoseAmount | None = None  # in mg with the weight it used (domain.dose)


@dataclass(frozen=True)
class EventLine:
    at: datetime
    kind: str
    text: str  # one line, as on the timeline
    recorded_by: str
    corrected: bool = False
    corrections: tuple[CorrectionNote, ...] = ()  # how this entry was corrected, oldest first
    event_id: int | None = None  # the stored row shown (None for a note taken at a check)


@dataclass(frozen=True)
class CheckLine:
    """One current check in the vitals table, with its NEWS2 and correction status."""

    check: VitalsCheck
    news2: News2Score
    minutes_from_dose: float | None
    alert_count: int  # alerts of this check (any version) still standing
    corrections: tuple[CorrectionNote, ...] = ()  # how this check was corrected, oldest first
    corrected_alert_count: int = 0  # alerts raised on a value later corrected
    devices: tuple[str, ...] = ()  # recorded from the monitor: its device(s); () typed
    # Recorded from a monitor whose time for it was far from the room's clock: the check
    # keeps the monitor's time, so the record says so (devices.samples.CLOCK_SKEW_WORDS).
    monitor_clock_differed: bool = False

    @property
    def corrected(self) -> bool:
        return self.check.corrects_id is not None

    @property
    def from_monitor(self) -> bool:
        return bool(self.devices)


@dataclass(frozen=True)
class VitalStat:
    """Per vital: baseline, range, and the largest change from baseline and when."""

    measure: str
    label: str
    unit: str
    count: int
    baseline: float | None
    minimum: float | None
    maximum: float | None
    peak_change: float | None  # signed, the largest in size
    peak_change_at: datetime | None


@dataclass(frozen=True)
class MonitorInterval:
    """One measure over one interval: its plausible range and how many values, and how
    many more were flagged implausible (low/high None when every value was flagged)."""

    measure: str
    start: datetime
    end: datetime
    low: float | None
    high: float | None
    count: int
    implausible: int = 0


@dataclass(frozen=True)
class SetAsideNibp:
    """An NIBP measurement the monitor sent that was set aside: stored, never proposed as a
    check (devices.proposals.nibp_set_problem says why), so the record shows the monitor
    took a reading then."""

    observed_at: datetime  # the systolic's device time
    systolic: float
    diastolic: float
    unit: str
    device: str  # device_label
    reason: str  # plain words: "outside the plausibility limits", ...
    sent_as: str  # the device as it names itself (OBX-18, else MSH-3): the CSV's
    observation_ids: tuple[int, ...]  # the stored systolic and diastolic
    implausible: int  # how many of the two were flagged implausible

    @property
    def values_text(self) -> str:
        """ "250/30 mmHg": the values as stored."""
        return f"{self.systolic:g}/{self.diastolic:g} {self.unit}".strip()


@dataclass(frozen=True)
class MonitorTrace:
    """The monitor's continuous values (HR, SpO2) in the summary: one line per interval and
    measure, never a row per value, and the devices that sent values; and the NIBP
    measurements it sent that were set aside."""

    intervals: tuple[MonitorInterval, ...]
    devices: tuple[str, ...]  # device_label of each device that sent values
    set_aside: tuple[SetAsideNibp, ...] = ()  # in time order

    @property
    def implausible(self) -> tuple[tuple[str, int], ...]:
        """(measure, values flagged implausible), in the intervals' measure order."""
        counts: dict[str, int] = {}
        for i in self.intervals:
            if i.implausible:
                counts[i.measure] = counts.get(i.measure, 0) + i.implausible
        return tuple(counts.items())

    @property
    def implausible_count(self) -> int:
        return sum(i.implausible for i in self.intervals)


@dataclass(frozen=True)
class _Flagged:
    """An implausible value, offered to trace_summary as plausible only to be counted
    in the same intervals (one bucketing rule for both)."""

    measure: str
    value: float
    observed_at: datetime
    code: str
    device: str
    implausible: bool = False


def monitor_trace(record: SessionRecord, as_of: datetime | None = None) -> MonitorTrace | None:
    """The trace summary of the session's device values; None without any. The last
    interval ends at `as_of` (the session's end, when given) rather than 15 minutes after
    its start."""
    # here, not at the top: devices.trace_summary reads session_app.trends, which reads
    # this module's RecordSource (and devices.proposals reads the store's records)
    from session_app.devices.trace_summary import summarise

    values = record.device_values
    if not values:
        return None
    origin = record.session.started_at
    flagged = [
        _Flagged(v.measure, v.value, v.observed_at, v.code, v.device)
        for v in values
        if v.implausible
    ]
    merged: dict[tuple[datetime, str], MonitorInterval] = {}
    for i in summarise(values, origin):
        merged[(i.start, i.measure)] = MonitorInterval(
            i.measure, i.start, i.end, i.low, i.high, i.count
        )
    for f in summarise(flagged, origin):
        kept = merged.get((f.start, f.measure))
        merged[(f.start, f.measure)] = (
            dataclasses.replace(kept, implausible=f.count)
            if kept is not None
            else MonitorInterval(f.measure, f.start, f.end, None, None, 0, f.count)
        )
    order = {m: n for n, m in enumerate(MEASURE_NAMES)}
    intervals = sorted(merged.values(), key=lambda i: (i.start, order.get(i.measure, 99)))
    return MonitorTrace(
        intervals=tuple(
            dataclasses.replace(i, end=min(i.end, max(as_of, i.start))) if as_of else i
            for i in intervals
        ),
        devices=tuple(dict.fromkeys(device_label(v.device) for v in values)),
        set_aside=set_aside_nibp(values),
    )


def set_aside_nibp(values: Iterable[DeviceValue]) -> tuple[SetAsideNibp, ...]:
    """The NIBP measurements among `values` that were never proposed, in time order: the
    sets and the rule of devices.proposals, not a second copy of them."""
    from session_app.devices.proposals import nibp_set_problem, nibp_sets

    found = [
        SetAsideNibp(
            observed_at=systolic.observed_at,
            systolic=systolic.value,
            diastolic=diastolic.value,
            unit=systolic.unit,
            device=device_label(systolic.device),
            reason=reason,
            sent_as=systolic.device,
            observation_ids=(systolic.id, diastolic.id),
            implausible=int(systolic.implausible) + int(diastolic.implausible),
        )
        for _, systolic, diastolic in nibp_sets(values)
        if (reason := nibp_set_problem(systolic, diastolic)) is not None
    ]
    return tuple(sorted(found, key=lambda s: (s.observed_at, s.observation_ids)))


@dataclass(frozen=True)
class HighestNews2:
    score: News2Score
    at: datetime


@dataclass(frozen=True)
class SessionSummary:
    record: SessionRecord
    protocol: Protocol
    as_of: datetime  # the end of the session, or "now" for one still open
    monitoring_min: float
    dose_at: datetime | None
    infusion_end_at: datetime | None
    doses: tuple[DoseLine, ...]
    infusion: tuple[EventLine, ...]
    checks: tuple[CheckLine, ...]
    vitals: tuple[VitalStat, ...]
    counts: ScheduleCounts | None
    alerts: tuple[AlertRecord, ...]
    adverse_events: tuple[EventLine, ...]
    interventions: tuple[EventLine, ...]
    notes: tuple[EventLine, ...]
    concomitant: tuple[EventLine, ...]  # asked before dosing (BEFORE_DOSING kinds)
    other_events: tuple[EventLine, ...]
    highest_news2: HighestNews2 | None
    discharge: StoredDischarge | None
    rems: RemsForm | None
    monitor: MonitorTrace | None = None  # None: no monitor fed the session

    @property
    def session(self) -> TreatmentSession:
        return self.record.session

    @property
    def is_ended(self) -> bool:
        return not self.session.is_open

    @property
    def resolutions(self) -> dict[int, AlertResolution]:
        """Alert id -> its resolution, for the alerts a correction resolved."""
        return {r.alert_id: r for r in self.record.resolutions}


def build_summary(record: SessionRecord, now: datetime) -> SessionSummary:
    """Assemble the summary. `now` is used only for a session that has not ended."""
    session = record.session
    as_of = session.ended_at or now
    protocol = record.protocol()
    checks = record.current_checks
    events = record.current_events
    dose_at, infusion_end_at = anchors_from_events(events)
    corrected_ids = {e.corrects_id for e in record.events if e.corrects_id is not None}

    def line(event: SessionEvent) -> EventLine:
        return EventLine(
            event.occurred_at,
            event.kind,
            describe(event),
            event.recorded_by,
            corrected=event.corrects_id is not None or event.id in corrected_ids,
            corrections=(
                event_corrections(record.events, event) if event.corrects_id is not None else ()
            ),
            event_id=event.id,
        )

    resolved = {r.alert_id for r in record.resolutions}
    alert_counts: dict[int, int] = {}  # check id -> alerts standing
    corrected_counts: dict[int, int] = {}  # check id -> alerts resolved by a correction
    for alert in record.alerts:
        if alert.check_id is not None:
            tally = corrected_counts if alert.id in resolved else alert_counts
            tally[alert.check_id] = tally.get(alert.check_id, 0) + 1
    origins = {c.id: record.monitor_origin(c) for c in checks}
    check_lines = tuple(
        CheckLine(
            check=c,
            news2=news2(c.signs),
            minutes_from_dose=(
                (c.taken_at - dose_at).total_seconds() / 60 if dose_at is not None else None
            ),
            alert_count=alert_counts.get(c.id, 0) + _count_for_original(c, record, alert_counts),
            corrections=check_corrections(record.checks, c) if c.corrects_id is not None else (),
            corrected_alert_count=corrected_counts.get(c.id, 0)
            + _count_for_original(c, record, corrected_counts),
            devices=tuple(dict.fromkeys(device_label(v.device) for v in origins[c.id])),
            monitor_clock_differed=any(v.clock_skew for v in origins[c.id]),
        )
        for c in checks
    )
    scored = [(cl.news2, cl.check.taken_at) for cl in check_lines]
    highest = max(scored, key=lambda s: (s[0].total, not s[0].partial), default=None)

    counts: ScheduleCounts | None
    try:
        counts = Schedule(protocol, dose_at, infusion_end_at).counts(checks, as_of)
    except (TypeError, ValueError):
        counts = None

    notes = [line(e) for e in events if e.kind == "note"]
    notes += [
        EventLine(c.taken_at, "check_note", f"At the check: {c.signs.note}", c.signs.recorded_by)
        for c in checks
        if c.signs.note
    ]
    grouped = {"dose", "adverse_event", "intervention", "note", *BEFORE_DOSING, *INFUSION_KINDS}
    return SessionSummary(
        record=record,
        protocol=protocol,
        as_of=as_of,
        monitoring_min=(as_of - session.started_at).total_seconds() / 60,
        dose_at=dose_at,
        infusion_end_at=infusion_end_at,
        doses=tuple(_dose_line(e, record.events) for e in events if e.kind == "dose"),
        infusion=tuple(line(e) for e in events if e.kind in INFUSION_KINDS),
        checks=check_lines,
        vitals=vital_stats(checks, dose_at),
        counts=counts,
        alerts=tuple(record.alerts),
        adverse_events=tuple(line(e) for e in events if e.kind == "adverse_event"),
        interventions=tuple(line(e) for e in events if e.kind == "intervention"),
        notes=tuple(sorted(notes, key=lambda n: n.at)),
        concomitant=tuple(line(e) for e in events if e.kind in BEFORE_DOSING),
        other_events=tuple(line(e) for e in events if e.kind not in grouped),
        highest_news2=HighestNews2(*highest) if highest else None,
        discharge=discharge_rules.from_stored(record.discharge),
        rems=(
            build_rems(
                record.session,
                checks,
                events,
                record.discharge,
                protocol,
                earlier_sessions=record.earlier_sessions,
                clinic=record.clinic,
            )
            if _is_rems(record.session, protocol)
            else None
        ),
        monitor=monitor_trace(record, as_of),
    )


def _count_for_original(
    check: VitalsCheck, record: SessionRecord, alert_counts: dict[int, int]
) -> int:
    """Alerts raised on the row a correction replaced still belong to that check."""
    if check.corrects_id is None:  # most checks: skip the id map (quadratic on 1 Hz data)
        return 0
    total, seen, pointer = 0, set(), check.corrects_id
    by_id = {c.id: c for c in record.checks}
    while pointer is not None and pointer not in seen:
        seen.add(pointer)
        total += alert_counts.get(pointer, 0)
        pointer = by_id[pointer].corrects_id if pointer in by_id else None
    return total


def earlier_treatments(
    session: TreatmentSession, candidates: Iterable[TreatmentSession]
) -> tuple[TreatmentSession, ...]:
    """The patient's esketamine sessions started before `session`, oldest first.

    Same patient ID exactly (the store's search matches part of an ID) and the same
    protocol: an IV ketamine session is not an earlier esketamine treatment.
    """
    return tuple(
        sorted(
            (
                s
                for s in candidates
                if s.patient_id == session.patient_id
                and s.id != session.id
                and s.protocol_name == ESKETAMINE_REMS
                and s.started_at < session.started_at
            ),
            key=lambda s: s.started_at,
        )
    )


def _is_rems(session: TreatmentSession, protocol: Protocol) -> bool:
    return ESKETAMINE_REMS in (session.protocol_name, getattr(protocol, "name", ""))


def _dose_line(event: SessionEvent, rows: Sequence[SessionEvent] = ()) -> DoseLine:
    d = event.details
    amount = d.get("dose", d.get("amount", ""))
    unit = d.get("unit", "")
    return DoseLine(
        at=event.occurred_at,
        drug=str(d.get("drug", "")),
        dose=f"{_num(amount)} {unit}".strip() if amount != "" else "",
        route=str(d.get("route", "")),
        lot=str(d.get("lot", d.get("lot_number", "")) or ""),
        recorded_by=event.recorded_by,
        corrections=event_corrections(rows, event) if event.corrects_id is not None else (),
        event_id=event.id,
        amount=stored_amount(d),
    )


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def vital_stats(
    checks: Sequence[VitalsCheck], dose_at: datetime | None = None
) -> tuple[VitalStat, ...]:
    """Baseline, min, max and the largest change from baseline (and when) for each vital.

    The baseline of a measure is domain.baseline's (the one the alerts compare with);
    a measure without one has no change from baseline.
    """
    baselines = baseline_checks(checks, dose_at, STAT_MEASURES)
    stats: list[VitalStat] = []
    for measure in STAT_MEASURES:
        spec = FIELD_BY_NAME[measure]
        taken = [(c, float(v)) for c in checks if (v := getattr(c.signs, measure)) is not None]
        base_c = baselines.get(measure)
        if not taken or base_c is None:
            values = [v for _, v in taken]
            low, high = (min(values), max(values)) if values else (None, None)
            stats.append(
                VitalStat(measure, spec.label, spec.unit, len(taken), None, low, high, None, None)
            )
            continue
        base = float(getattr(base_c.signs, measure))
        later = [(c, v) for c, v in taken if c.taken_at >= base_c.taken_at and c.id != base_c.id]
        peak = max(later, key=lambda cv: abs(cv[1] - base), default=None)
        values = [v for _, v in taken]
        stats.append(
            VitalStat(
                measure,
                spec.label,
                spec.unit,
                len(taken),
                base,
                min(values),
                max(values),
                peak[1] - base if peak else None,
                peak[0].taken_at if peak else None,
            )
        )
    return tuple(stats)


def discharge_context_for(summary: SessionSummary, now: datetime) -> DischargeContext:
    """The computed side of the discharge checklist for this session at `now`."""
    checks = summary.record.current_checks
    counts: ScheduleCounts | None
    try:
        counts = Schedule(summary.protocol, summary.dose_at, summary.infusion_end_at).counts(
            checks, now
        )
    except (TypeError, ValueError):
        counts = None
    return discharge_context(
        checks,
        now,
        monitoring_ends_at=summary.protocol.monitoring_ends_at(
            summary.dose_at, summary.infusion_end_at
        ),
        min_monitoring_min=summary.protocol.min_monitoring_min,
        missed_checks=counts.missed if counts else 0,
        dose_at=summary.dose_at,
        rems_clinic=rems_identity(summary.record.clinic) if summary.rems is not None else None,
    )


def load_summary(source: RecordSource, session_id: int, now: datetime) -> SessionSummary:
    """Read a session through the store's public methods and summarise it."""
    return build_summary(SessionRecord.load(source, session_id), now)
