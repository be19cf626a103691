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

from session_app.domain.corrections import current
from session_app.domain.vitals import VitalsCheck


def baseline_check(
    checks: Sequence[VitalsCheck], dose_at: datetime | None, measure: str = "systolic"
) -> VitalsCheck | None:
    """The baseline check for `measure` (corrections applied; see the module's rule)."""
    return baseline_checks(checks, dose_at, (measure,)).get(measure)


def baseline_checks(
    checks: Sequence[VitalsCheck], dose_at: datetime | None, measures: Iterable[str]
) -> dict[str, VitalsCheck]:
    """The baseline check of each of `measures` that has one (one pass over `checks`:
    an 8-hour session of 1 Hz monitor data has 28,800 of them)."""
    marked = [c for c in current(checks) if c.is_baseline]
    found: dict[str, VitalsCheck] = {}
    for measure in measures:
        having = [c for c in marked if getattr(c.signs, measure) is not None]
        before = [c for c in having if dose_at is None or c.taken_at <= dose_at]
        latest = max(before or having, key=lambda c: (c.taken_at, c.id), default=None)
        if latest is not None:
            found[measure] = latest
    return found


def baseline_values(
    checks: Sequence[VitalsCheck], dose_at: datetime | None, measures: Iterable[str]
) -> dict[str, float]:
    """The baseline value of each of `measures` that has one."""
    return {
        measure: float(getattr(check.signs, measure))
        for measure, check in baseline_checks(checks, dose_at, measures).items()
    }
