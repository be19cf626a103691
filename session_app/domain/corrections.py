"""Correction chains: a correction is a new row pointing at the row it replaces, so the
record in force and each record's versions are read from the rows themselves.

A withdrawal (an event entered by mistake) is a correction too: its row carries
`void_details()` and, in force, takes the event out of the clinical picture, while the
original and the withdrawal both stay in the record and its audit trail.

Kept apart from the summary so the monitoring service (which corrects records) needs
none of the summary's imports.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from session_app.domain.records import AlertRecord


class Correctable(Protocol):
    """A stored row that a later row may correct (checks and timeline events)."""

    @property
    def id(self) -> int: ...
    @property
    def corrects_id(self) -> int | None: ...


R = TypeVar("R", bound=Correctable)

# The details key of a withdrawal row (the events table is append-only: no column, no
# migration; a withdrawal is a correction whose details say only this).
VOID = "void"


def void_details() -> dict[str, Any]:
    """The details a withdrawal row stores."""
    return {VOID: True}


def is_void(row: object) -> bool:
    """Whether a row is a withdrawal (a void marker) rather than a version with values."""
    details = getattr(row, "details", None)
    corrects = getattr(row, "corrects_id", None)
    return isinstance(details, Mapping) and details.get(VOID) is True and corrects is not None


def _in_force(rows: list[R]) -> list[R]:
    corrected = {r.corrects_id for r in rows if r.corrects_id is not None}
    return [r for r in rows if r.id not in corrected]


def current(rows: Iterable[R]) -> list[R]:
    """The rows in force, in the order given: a row that another row corrects is replaced,
    and a withdrawn record (a void marker in force) is left out.

    The one rule for "which version counts", used by the schedule, the timeline, the
    service, the summary and the exports, so a withdrawn dose neither anchors the
    schedule nor reaches a chart. Two corrections of one row (a race the service
    refuses but the file may hold) both stay: neither hides the other.
    """
    return [r for r in _in_force(list(rows)) if not is_void(r)]


def withdrawn(rows: Iterable[R]) -> list[R]:
    """The withdrawal rows in force, in the order given (each names what it withdrew)."""
    return [r for r in _in_force(list(rows)) if is_void(r)]


def versions(rows: Iterable[R], row_id: int) -> list[R]:
    """Every version of one record, the original first and the one in force last.

    `row_id` may name any version. Only the version in force can be corrected, so the
    versions form one chain; a row pointing at a missing original starts the chain.
    """
    by_id = {r.id: r for r in rows}
    if row_id not in by_id:
        raise KeyError(f"no record with id {row_id}")
    successor = {r.corrects_id: r for r in by_id.values() if r.corrects_id is not None}
    root, seen = by_id[row_id], {row_id}
    while root.corrects_id in by_id and root.corrects_id not in seen:
        seen.add(root.corrects_id)
        root = by_id[root.corrects_id]
    chain, walked = [root], {root.id}
    while chain[-1].id in successor and successor[chain[-1].id].id not in walked:
        walked.add(successor[chain[-1].id].id)
        chain.append(successor[chain[-1].id])
    return chain


# How the summary, the PDF and the CSV name an alert that a correction resolved.
RESOLVED_BY_CORRECTION = "raised on a value later corrected"


@dataclass(frozen=True)
class AlertResolution:
    """An alert resolved by a correction: which one, by which correction, who and when.

    Stored as its own row (the alert row is never changed), so an acknowledgement and a
    resolution of one alert are both kept.
    """

    alert_id: int
    correction_id: int
    resolved_by: str
    resolved_at: datetime


def resolved_by_correction(
    earlier: Iterable[AlertRecord],
    chain: Sequence[Correctable],
    still_raised: Iterable[str],
    already: Container[int] = (),
) -> list[AlertRecord]:
    """The alerts a correction resolves: raised on an earlier version of the check (`chain`,
    as `versions` gives it) and not resolved yet, whose rule the corrected values no longer
    raise. A correction that still crosses the same threshold keeps that alert open.
    """
    ids = {row.id for row in chain}
    raised = set(still_raised)
    return [
        a for a in earlier if a.check_id in ids and a.rule not in raised and a.id not in already
    ]
