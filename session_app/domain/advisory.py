"""The advisory band: a blood pressure above the pre-dose "consider delaying" level but
below the alert threshold (issue 15: 165/100 at 40 min got no cue at all).

A display cue only, never an alert: nothing is raised, stored or sounded. Both edges
are the session's own thresholds (DESIGN.md section 3: "consider delaying" above
140/90 before dosing, from the esketamine labelling; the high alert at 180/110). No
public source sets this band as a cue after the dose, so the clinic setting that shows
it (TINT_SETTING) ships off.
"""

from __future__ import annotations

from session_app.domain.protocols import Thresholds
from session_app.domain.vitals import VitalSigns

TINT_SETTING = "flowsheet.bp_advisory_tint"
TINT_TEXT = (
    "Between the pre-dose 'consider delaying' level and the alert threshold "
    "({delay} → {alert} mmHg). A cue, not an alert: nothing was raised."
)

# (measure, its "consider delaying" threshold field, its alert threshold field)
_BANDS = (
    ("systolic", "predose_sys_delay", "sys_high"),
    ("diastolic", "predose_dia_delay", "dia_high"),
)


def between_delay_and_alert(signs: VitalSigns, thresholds: Thresholds) -> tuple[str, ...]:
    """The BP measures strictly above their "consider delaying" level (the advisory rule's
    own comparison) and below their alert threshold (which is "at or above")."""
    inside = []
    for measure, delay, alert in _BANDS:
        value = getattr(signs, measure)
        if value is not None and getattr(thresholds, delay) < value < getattr(thresholds, alert):
            inside.append(measure)
    return tuple(inside)


def band_text(thresholds: Thresholds) -> str:
    """The tooltip of a tinted value, with the session's two levels."""
    t = thresholds
    return TINT_TEXT.format(
        delay=f"{t.predose_sys_delay}/{t.predose_dia_delay}", alert=f"{t.sys_high}/{t.dia_high}"
    )
