"""The planned infusion: how long it should run and when it is expected to end.

The nurse enters the planned minutes with the infusion start (the protocol snapshot's
`planned_infusion_min` when left empty). Time the infusion did not run does not count:
a pause lasts until the infusion is resumed or started again, so each pause moves the
expected end later by its length, and an open pause keeps moving it ("now" plus what
remained when it paused). Read from the events in force, so a corrected time moves the
end and a withdrawn start plans nothing. Pure: "now" is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from session_app.domain import events as ev
from session_app.domain.corrections import current
from session_app.domain.records import SessionEvent

# What ends a pause: the infusion runs again.
_RUNS_AGAIN = (ev.INFUSION_RESUME, ev.INFUSION_START)


@dataclass(frozen=True)
class InfusionPlan:
    """The infusion as planned: started, planned length, expected end, an open pause."""

    started_at: datetime
    planned_min: float
    expected_end: datetime
    paused_since: datetime | None = None  # an open pause (the end moves with the clock)


def infusion_plan(
    events: Sequence[SessionEvent],
    default_planned_min: float,
    now: datetime,
    *,
    dose_starts: bool = False,
) -> InfusionPlan | None:
    """The plan of the session's infusion, or None when no infusion start is in force.

    expected end = first start + planned minutes + every pause (pause → resume); an
    open pause counts up to `now`. `dose_starts` (an infusion protocol): a dose logged
    without an infusion start starts the plan, since that dose is the infusion.
    """
    live = sorted(current(events), key=lambda e: (e.occurred_at, e.id))
    first = next((e for e in live if e.kind == ev.INFUSION_START), None)
    if first is None and dose_starts:
        first = next((e for e in live if e.kind == ev.DOSE), None)
    if first is None:
        return None
    planned = float(first.details.get("planned_min") or default_planned_min)
    held = timedelta(0)
    paused_since: datetime | None = None
    for event in live:
        if event.occurred_at < first.occurred_at or event is first:
            continue
        if event.kind == ev.INFUSION_PAUSE and paused_since is None:
            paused_since = event.occurred_at
        elif event.kind in _RUNS_AGAIN and paused_since is not None:
            held += event.occurred_at - paused_since
            paused_since = None
    if paused_since is not None:
        held += max(now - paused_since, timedelta(0))
    end = first.occurred_at + timedelta(minutes=planned) + held
    return InfusionPlan(first.occurred_at, planned, end, paused_since)
