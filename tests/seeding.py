"""Seed checks the way the staff panel saves them: through MonitoringService.record_check.

The store has one write for a check (`add_check_with_alerts`), and only the service
calls it after validating the values and working out the alerts. Tests seed through
here, so a seeded check is one the app could have stored: plausible values, initials,
and exactly the alerts the session's rules raise.
"""

from __future__ import annotations

from datetime import datetime

from session_app.domain.vitals import value_text
from session_app.monitoring import MonitoringService, SavedCheck


def typed(**values: object) -> dict[str, str]:
    """Values as the form's text: 72 -> "72", True -> "yes", None -> "" (not measured)."""
    return {name: value_text(value) for name, value in values.items()}


def record(
    service: MonitoringService,
    session_id: int,
    *,
    taken_at: datetime | None = None,
    is_baseline: bool | None = None,
    **values: object,
) -> SavedCheck:
    """Record one check from Python values (72, True, 36.7, "a note"), typed as a nurse
    types them (`value_text`); None or "" is "not measured". Initials default to AB.
    Pass a VitalSigns as `**signs.as_dict()`."""
    raw = {"recorded_by": "AB"} | typed(**values)
    return service.record_check(session_id, raw, taken_at=taken_at, is_baseline=is_baseline)
