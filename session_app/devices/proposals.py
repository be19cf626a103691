"""Which stored device values make a proposed check: the one rule, pure.

An NIBP measurement is the systolic and diastolic of one OBR of one message (the first
of each). With it go the heart rate, SpO2 and respiratory rate taken with it: the first
of each in the same OBR, else in the same message. Nothing implausible is proposed: an
implausible systolic or diastolic (or a diastolic not below the systolic) makes no
proposal, an implausible numeric is left out. A proposal is named by its systolic
observation, so the store can record what became of it without a table of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol as Interface
from typing import TypeVar

NIBP = ("systolic", "diastolic")
WITH_NIBP = ("heart_rate", "spo2", "resp_rate")
PROPOSED_MEASURES = (*NIBP, *WITH_NIBP)
# A monitor that sends its numerics in messages of their own (GE's PCD-01 shape: the NIBP
# with its pulse only) has the latest value of this long before the NIBP join it.
NUMERICS_BEFORE = timedelta(seconds=30)  # what a proposal is made of (the store reads these)
_SHORT = {"heart_rate": "HR", "spo2": "SpO2", "resp_rate": "RR"}
# Why an NIBP set is not proposed (nibp_set_problem), as the summary says it.
OUTSIDE_LIMITS = "outside the plausibility limits"
NOT_BELOW_SYSTOLIC = "diastolic not below systolic"


class NibpValue(Interface):
    """What the rule reads of a stored device value (store.devices.DeviceObservation; read
    through this, not imported, so the summary can ask the rule without the store)."""

    @property
    def message_id(self) -> int | None: ...
    @property
    def group(self) -> int | None: ...
    @property
    def measure(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def implausible(self) -> bool: ...


class StoredValue(NibpValue, Interface):
    """What a proposal reads besides (store.devices.DeviceObservation)."""

    @property
    def id(self) -> int: ...
    @property
    def session_id(self) -> int: ...
    @property
    def device(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def clock_skew(self) -> bool: ...


V = TypeVar("V", bound=NibpValue)


@dataclass(frozen=True)
class ProposedCheck:
    """An NIBP set the nurse may record as a check (values as the vitals form takes them)."""

    id: int  # its systolic observation
    session_id: int
    observed_at: datetime  # the systolic's device time: the check's "taken at"
    values: Mapping[str, int]
    observation_ids: tuple[int, ...]
    device: str
    # The monitor's time for it was far from the room's clock when it came
    # (devices.samples.CLOCK_SKEW_LIMIT): kept as sent, said before it is recorded.
    clock_skew: bool = False

    def summary(self) -> str:
        """ "142/88 · HR 80 · SpO2 97 · RR 14", for the staff panel's line."""
        parts = [f"{self.values['systolic']}/{self.values['diastolic']}"]
        parts += [f"{_SHORT[m]} {self.values[m]}" for m in WITH_NIBP if m in self.values]
        return " · ".join(parts)


def proposed_checks(observations: Iterable[StoredValue]) -> list[ProposedCheck]:
    """The proposals among `observations` (every value of the messages concerned), in
    time order."""
    found = [
        proposal
        for rows, systolic, diastolic in nibp_sets(observations)
        if (proposal := _proposal(rows, systolic, diastolic)) is not None
    ]
    return sorted(found, key=lambda p: (p.observed_at, p.id))


def nibp_sets(observations: Iterable[V]) -> Iterator[tuple[list[V], V, V]]:
    """Each NIBP measurement among `observations` as (every value of its message, its
    systolic, its diastolic): the first of each in one OBR of one message; an OBR
    without both is no measurement. The summary lists the sets set aside from these."""
    by_message: dict[int, list[V]] = {}
    for observation in observations:
        if observation.message_id is not None:
            by_message.setdefault(observation.message_id, []).append(observation)
    for rows in by_message.values():
        for group in dict.fromkeys(o.group for o in rows if o.measure == "systolic"):
            in_group = [o for o in rows if o.group == group]
            systolic, diastolic = (_first(in_group, m, plausible_only=False) for m in NIBP)
            if systolic is not None and diastolic is not None:
                yield rows, systolic, diastolic


def nibp_set_problem(systolic: NibpValue, diastolic: NibpValue) -> str | None:
    """Why an NIBP set is never proposed, in plain words (the summary and the exports
    show them); None when it may be. A value outside the plausibility limits was flagged
    when it was stored (devices.inbox)."""
    if systolic.implausible or diastolic.implausible:
        return OUTSIDE_LIMITS
    if diastolic.value >= systolic.value:
        return NOT_BELOW_SYSTOLIC
    return None


def _proposal(
    rows: Sequence[StoredValue], systolic: StoredValue, diastolic: StoredValue
) -> ProposedCheck | None:
    if nibp_set_problem(systolic, diastolic) is not None:
        return None
    in_group = [o for o in rows if o.group == systolic.group]
    used = [systolic, diastolic]
    for measure in WITH_NIBP:
        extra = _first(in_group, measure) or _first(rows, measure)
        if extra is not None:
            used.append(extra)
    return ProposedCheck(
        id=systolic.id,
        session_id=systolic.session_id,
        observed_at=systolic.observed_at,
        values={o.measure: _whole(o.value) for o in used},
        observation_ids=tuple(o.id for o in used),
        device=systolic.device,
        clock_skew=systolic.clock_skew,
    )


def _first(rows: Sequence[V], measure: str, *, plausible_only: bool = True) -> V | None:
    return next(
        (o for o in rows if o.measure == measure and not (plausible_only and o.implausible)),
        None,
    )


def _whole(value: float) -> int:
    """A device value as the form's whole number, half up (141.8 mmHg -> 142)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def missing_numerics(proposal: ProposedCheck) -> tuple[str, ...]:
    """The measures taken with an NIBP that its own message did not carry."""
    return tuple(m for m in WITH_NIBP if m not in proposal.values)


def with_numerics_before(
    proposal: ProposedCheck, numerics: Iterable[StoredValue]
) -> ProposedCheck:
    """The proposal with, for each measure its message lacked, the latest plausible value
    the same device observed in the NUMERICS_BEFORE before the NIBP (another device, an
    oximeter say, was not "taken with it"). Only values from before it: they are
    stored when the NIBP arrives, so the line the nurse reads and the check recorded from
    it are the same."""
    earliest = proposal.observed_at - NUMERICS_BEFORE
    values, ids = dict(proposal.values), list(proposal.observation_ids)
    for measure in missing_numerics(proposal):
        candidates = [
            o
            for o in numerics
            if o.measure == measure
            and o.device == proposal.device
            and not o.implausible
            and earliest <= o.observed_at <= proposal.observed_at
        ]
        if candidates:
            latest = max(candidates, key=lambda o: (o.observed_at, o.id))
            values[measure] = _whole(latest.value)
            ids.append(latest.id)
    return replace(proposal, values=values, observation_ids=tuple(ids))
