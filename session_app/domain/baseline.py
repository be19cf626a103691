"""The baseline a session's values are compared with: one rule for every reader.

Alerts (the rise rules), the summary's per-vital figures, the discharge BP comparison,
the REMS form's pre-dose BP and the trend charts' baseline lines all ask here, so a
nurse who repeats a high pre-dose BP after a rest sees the same baseline everywhere
(issue 14). The rule: for each measure, the latest check in force that is marked
baseline, has that measure, and was taken at or before the dose; when none was taken
before the dose, the latest marked one. A session without a marked baseline has none:
a value taken after the dose is never a baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from session_app.domain.schedule import current_checks
from session_app.domain.vitals import VitalsCheck


def baseline_check(
    checks: Sequence[VitalsCheck], dose_at: datetime | None, measure: str = "systolic"
) -> VitalsCheck | None:
    """The baseline check for `measure` (corrections applied; see the module's rule)."""
    marked = [
        c for c in current_checks(checks) if c.is_baseline and getattr(c.signs, measure) is not None
    ]
    before = [c for c in marked if dose_at is None or c.taken_at <= dose_at]
    return max(before or marked, key=lambda c: (c.taken_at, c.id), default=None)


def baseline_values(
    checks: Sequence[VitalsCheck], dose_at: datetime | None, measures: Iterable[str]
) -> dict[str, float]:
    """The baseline value of each of `measures` that has one."""
    values: dict[str, float] = {}
    for measure in measures:
        check = baseline_check(checks, dose_at, measure)
        if check is not None:
            values[measure] = float(getattr(check.signs, measure))
    return values
