"""When vitals checks are due, which due time a check answers, and what is overdue.

Due times come from the session's protocol snapshot and two anchors read from the
timeline: the dose (first dose given or infusion started) and the infusion end. A
check answers the latest due time at or before it (allowing `early_min` before), if
no earlier check answered that one; it is late when taken more than
`overdue_amber_min` after the due time. A missed due time stays missed: a later check
answers the later due time, never an old one.

An infusion's phases change when "Infusion stopped" is logged, never by the clock alone.
Past the planned end (domain.infusion) with no stop logged, the infusion phase goes on
(guessing a stop time would drop checks the patient may need) but its checks say they
are past the plan, and the status carries a reminder to log the stop.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from session_app.domain import events as ev
from session_app.domain.clock import format_local
from session_app.domain.corrections import current
from session_app.domain.infusion import infusion_plan
from session_app.domain.protocols import Anchor, Protocol
from session_app.domain.records import SessionEvent
from session_app.domain.vitals import VitalsCheck

_LABELS = {
    (Anchor.DOSE, True): "During the infusion",
    (Anchor.DOSE, False): "Regular check after dosing",
    (Anchor.INFUSION_END, True): "After the infusion",
    (Anchor.INFUSION_END, False): "After the infusion",
}
PAST_PLAN_LABEL = "Past the planned end of the infusion"
PLANNED_END_REACHED = "Planned end of the infusion reached"


class DueState(Enum):
    BASELINE_NEEDED = "baseline_needed"  # no dose yet and no baseline check
    WAITING = "waiting"  # nothing due now (next due later, or waiting for the dose)
    DUE = "due"  # a check is due and not yet overdue by more than overdue_amber_min
    OVERDUE_AMBER = "overdue_amber"
    OVERDUE_RED = "overdue_red"
    COMPLETE = "complete"  # no scheduled check remains


@dataclass(frozen=True)
class DueCheck:
    due_at: datetime
    label: str


@dataclass(frozen=True)
class ScheduleStatus:
    """What the countdown shows. `seconds_until` is negative when overdue, None if no time."""

    state: DueState
    next_due: datetime | None
    seconds_until: float | None
    text: str  # short staff wording, e.g. "Next check in 04:12", "Check overdue by 3 min"
    label: str = ""  # which check, e.g. "About 40 min after dosing"
    reminder: str = ""  # a quiet staff note, e.g. the planned end passed with no stop logged


@dataclass(frozen=True)
class ScheduleCounts:
    """Scheduled checks up to a time: due, answered, answered late, not answered.

    `extra` counts post-dose checks that answered no due time; `baseline` says whether a
    baseline check exists (it is not among `due`).
    """

    due: int
    done: int
    late: int
    missed: int
    extra: int = 0
    baseline: bool = False


@dataclass(frozen=True)
class Assignment:
    """A check and the due time it answered."""

    check: VitalsCheck
    due: DueCheck
    late: bool


def anchors_from_events(
    events: Sequence[SessionEvent],
) -> tuple[datetime | None, datetime | None]:
    """(dose_at, infusion_end_at) from the timeline, after corrections.

    dose_at: the earliest dose given or infusion started. infusion_end_at: the last
    infusion stop, unless the infusion was started again after it (then None: running).
    """
    live = current(events)
    starts = [e.occurred_at for e in live if e.kind in (ev.DOSE, ev.INFUSION_START)]
    dose_at = min(starts, default=None)
    stops = [e.occurred_at for e in live if e.kind == ev.INFUSION_STOP]
    if not stops or dose_at is None:
        return dose_at, None
    last_stop = max(stops)
    restarted = any(e.kind == ev.INFUSION_START and e.occurred_at > last_stop for e in live)
    if restarted or last_stop < dose_at:
        return dose_at, None
    return dose_at, last_stop


def format_countdown(seconds: float) -> str:
    """04:12, or 1:19:00 from an hour up."""
    whole = max(0, int(seconds + 0.999))  # round up: "00:01" until it is really due
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Schedule:
    """The due times of one session. Pure: give it the checks and a time, it answers."""

    def __init__(
        self,
        protocol: Protocol,
        dose_at: datetime | None,
        infusion_end_at: datetime | None = None,
        *,
        planned_end: datetime | None = None,
    ) -> None:
        """`planned_end`: the infusion's expected end (domain.infusion), if one is planned."""
        self.protocol = protocol
        self.dose_at = dose_at
        if infusion_end_at is not None and dose_at is not None and infusion_end_at < dose_at:
            infusion_end_at = None  # an impossible order: trust the dose, ignore the stop
        self.infusion_end_at = infusion_end_at
        self.planned_end = planned_end

    def _past_plan(self, when: datetime) -> bool:
        """Still in the infusion phase (no stop logged) at or after its planned end."""
        return (
            self.protocol.uses_infusion
            and self.dose_at is not None
            and self.infusion_end_at is None
            and self.planned_end is not None
            and when >= self.planned_end
        )

    # -- due times --------------------------------------------------------------
    def _anchor_time(self, anchor: Anchor) -> datetime | None:
        if self.dose_at is None:
            return None
        return self.dose_at if anchor is Anchor.DOSE else self.infusion_end_at

    def _phase_times(self, anchor: Anchor) -> Iterator[DueCheck]:
        start = self._anchor_time(anchor)
        if start is None:
            return
        label = _LABELS[(anchor, self.protocol.uses_infusion)]
        cut = (
            self.infusion_end_at if anchor is Anchor.DOSE and self.protocol.uses_infusion else None
        )
        offset = timedelta(0)
        for phase in (p for p in self.protocol.phases if p.anchor is anchor):
            every = timedelta(minutes=phase.every_min)
            steps = (
                itertools.count(1)
                if phase.for_min is None
                else range(1, phase.for_min // phase.every_min + 1)
            )
            for k in steps:
                due = start + offset + k * every
                if cut is not None and due > cut:
                    return
                past = anchor is Anchor.DOSE and self._past_plan(due)
                yield DueCheck(due, PAST_PLAN_LABEL if past else label)
            if phase.for_min is None:
                return
            offset += timedelta(minutes=phase.for_min)

    def _fixed_times(self) -> Iterator[DueCheck]:
        fixed = []
        for check in self.protocol.fixed_checks:
            start = self._anchor_time(check.anchor)
            if start is not None:
                fixed.append(DueCheck(start + timedelta(minutes=check.at_min), check.label))
        yield from sorted(fixed, key=lambda d: d.due_at)

    def iter_due(self) -> Iterator[DueCheck]:
        """Every due time in order (maybe endless); a fixed check wins a tie with a phase."""
        sources = [self._fixed_times()] + [self._phase_times(a) for a in Anchor]
        previous: datetime | None = None
        for due in heapq.merge(*sources, key=lambda d: d.due_at):
            if due.due_at != previous:
                previous = due.due_at
                yield due

    def due_times(self, until: datetime) -> list[DueCheck]:
        """Due checks at or before `until` (none before the dose is known)."""
        return list(itertools.takewhile(lambda d: d.due_at <= until, self.iter_due()))

    def next_after(self, when: datetime) -> DueCheck | None:
        return next((d for d in self.iter_due() if d.due_at > when), None)

    def _latest_at_or_before(self, when: datetime) -> DueCheck | None:
        latest = None
        for due in self.iter_due():
            if due.due_at > when:
                break
            latest = due
        return latest

    def _latest_for_each(self, times: Sequence[datetime]) -> list[DueCheck | None]:
        """`_latest_at_or_before` of each of `times` (in order) in one walk of the due
        times; a long session has hundreds of checks (issue 7)."""
        found: list[DueCheck | None] = []
        dues = self.iter_due()
        latest: DueCheck | None = None
        upcoming = next(dues, None)
        for when in times:
            while upcoming is not None and upcoming.due_at <= when:
                latest, upcoming = upcoming, next(dues, None)
            found.append(latest)
        return found

    # -- answering due times ----------------------------------------------------
    def _early(self) -> timedelta:
        return timedelta(minutes=self.protocol.early_min)

    def _is_late(self, taken_at: datetime, due_at: datetime) -> bool:
        return taken_at - due_at > timedelta(minutes=self.protocol.overdue_amber_min)

    def is_late(self, taken_at: datetime, due_at: datetime) -> bool:
        """Whether a check taken at `taken_at` answers `due_at` late (a corrected time)."""
        return self._is_late(taken_at, due_at)

    def _after_dose(self, check: VitalsCheck) -> bool:
        return not check.is_baseline and self.dose_at is not None and check.taken_at >= self.dose_at

    def assignments(self, checks: Sequence[VitalsCheck]) -> list[Assignment]:
        """Replay the checks in time order: which due time each one answered."""
        answered: dict[datetime, Assignment] = {}
        live = sorted(
            (c for c in current(checks) if self._after_dose(c)),
            key=lambda c: (c.taken_at, c.id),
        )
        latest = self._latest_for_each([c.taken_at + self._early() for c in live])
        for check, due in zip(live, latest, strict=True):
            if due is not None and due.due_at not in answered:
                late = self._is_late(check.taken_at, due.due_at)
                answered[due.due_at] = Assignment(check, due, late)
        return list(answered.values())

    def classify(
        self, taken_at: datetime, checks: Sequence[VitalsCheck]
    ) -> tuple[datetime | None, bool]:
        """Which due time a new check taken at `taken_at` answers, and whether it is late.

        (None, False) for a check before the dose, or one whose due time was already
        answered (an extra check).
        """
        if self.dose_at is None or taken_at < self.dose_at:
            return None, False
        answered = {a.due.due_at for a in self.assignments(checks)}
        due = self._latest_at_or_before(taken_at + self._early())
        if due is None or due.due_at in answered:
            return None, False
        return due.due_at, self._is_late(taken_at, due.due_at)

    # -- what the countdown shows -------------------------------------------------
    def status(self, checks: Sequence[VitalsCheck], now: datetime) -> ScheduleStatus:
        """The state of the schedule at `now`, given the checks taken so far, with the
        reminder to log the stop once the planned end of the infusion has passed."""
        status = self._status(checks, now)
        if self._past_plan(now) and self.planned_end is not None:
            when = format_local(self.planned_end, with_date=False)
            reminder = f"{PLANNED_END_REACHED} ({when}): log 'Infusion stopped' when it stops."
            return replace(status, reminder=reminder)
        return status

    def _status(self, checks: Sequence[VitalsCheck], now: datetime) -> ScheduleStatus:
        taken = [c for c in current(checks) if c.taken_at <= now]
        if self.dose_at is None:
            if any(c.is_baseline for c in taken) or taken:
                return ScheduleStatus(
                    DueState.WAITING, None, None, "Baseline recorded — waiting for the dose"
                )
            label = self.protocol.baseline_label
            return ScheduleStatus(
                DueState.BASELINE_NEEDED,
                None,
                None,
                "Baseline vitals needed before the dose",
                label,
            )
        answered = {a.due.due_at for a in self.assignments(taken)}
        last = self._latest_at_or_before(now)
        if last is not None and last.due_at not in answered:
            overdue = now - last.due_at
            minutes = overdue / timedelta(minutes=1)
            if minutes > self.protocol.overdue_red_min:
                state = DueState.OVERDUE_RED
            elif minutes > self.protocol.overdue_amber_min:
                state = DueState.OVERDUE_AMBER
            else:
                state = DueState.DUE
            text = (
                "Check due now" if state is DueState.DUE else f"Check overdue by {int(minutes)} min"
            )
            return ScheduleStatus(state, last.due_at, -overdue.total_seconds(), text, last.label)
        upcoming = next(
            (d for d in self.iter_due() if d.due_at > now and d.due_at not in answered), None
        )
        if upcoming is None:
            return ScheduleStatus(DueState.COMPLETE, None, None, "No more scheduled checks")
        seconds = (upcoming.due_at - now).total_seconds()
        return ScheduleStatus(
            DueState.WAITING,
            upcoming.due_at,
            seconds,
            f"Next check in {format_countdown(seconds)}",
            upcoming.label,
        )

    def counts(self, checks: Sequence[VitalsCheck], until: datetime) -> ScheduleCounts:
        """Due / done / late / missed up to `until` (call it with the session's end time).

        A due time not answered by `until` counts as missed, so mid-session the check
        due right now counts as missed until it is taken.
        """
        taken = [c for c in current(checks) if c.taken_at <= until]
        due = self.due_times(until)
        assigned = [a for a in self.assignments(taken) if a.due.due_at <= until]
        after_dose = sum(1 for c in taken if self._after_dose(c))
        return ScheduleCounts(
            due=len(due),
            done=len(assigned),
            late=sum(1 for a in assigned if a.late),
            missed=len(due) - len(assigned),
            extra=after_dose - len(assigned),
            baseline=any(c.is_baseline for c in taken),
        )

    def monitoring_ends_at(self) -> datetime | None:
        """When the protocol's minimum monitoring time is reached (None if not yet known)."""
        return self.protocol.monitoring_ends_at(self.dose_at, self.infusion_end_at)


def session_schedule(
    protocol: Protocol, events: Sequence[SessionEvent], now: datetime
) -> Schedule:
    """A session's schedule from its timeline: the dose and infusion-end anchors, and the
    infusion's planned end at `now`. The room's monitoring service and the clinic station
    both build it here, so the room and the charge nurse agree on what is due."""
    dose_at, infusion_end_at = anchors_from_events(events)
    plan = infusion_plan(
        events, protocol.planned_infusion_min, now, dose_starts=protocol.uses_infusion
    )
    return Schedule(
        protocol, dose_at, infusion_end_at, planned_end=plan.expected_end if plan else None
    )
