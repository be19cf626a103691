"""The staff panel's header text for a session in progress: who and what, then when.

Plain strings from the session and its schedule, so the wording is tested without a
window and the panel only sets two labels.
"""

from __future__ import annotations

from session_app.domain.clock import format_local
from session_app.domain.dose import stored_amount
from session_app.domain.events import DOSE
from session_app.domain.session import TreatmentSession
from session_app.monitoring import MonitoringService

NO_SESSION = "No session in progress. Start one with the form on the left."


def session_banner(service: MonitoringService, session: TreatmentSession) -> tuple[str, str]:
    """(title, details): "In progress: RT-1 · IV ketamine · 70 kg" and
    "Started … by AB · dose 09:12 (0.5 mg/kg × 70 kg = 35 mg) · minimum monitoring until
    11:12 · checks: …"."""
    weight = f" · {session.weight_kg:g} kg" if session.weight_kg else ""
    title = f"In progress: {session.patient_id} · {session.protocol_name}{weight}"
    schedule = service.schedule(session.id)
    parts = [f"Started {format_local(session.started_at)} by {session.staff_initials}"]
    if schedule.dose_at is not None:
        parts.append(
            f"dose {format_local(schedule.dose_at, with_date=False)}{_amount(service, session)}"
        )
    else:
        parts.append("no dose logged yet")
    plan = service.infusion_plan(session.id)  # the planned infusion (domain.infusion)
    if plan is not None and schedule.infusion_end_at is not None:
        parts.append(f"infusion stopped {format_local(schedule.infusion_end_at, with_date=False)}")
    elif plan is not None and plan.paused_since is not None:
        since = format_local(plan.paused_since, with_date=False)
        parts.append(f"infusion paused since {since}: the expected end moves until resumed")
    elif plan is not None:
        end = format_local(plan.expected_end, with_date=False)
        parts.append(f"infusion expected to end {end} ({plan.planned_min:g} min planned)")
    ends = schedule.monitoring_ends_at()
    if ends is not None:
        parts.append(f"minimum monitoring until {format_local(ends, with_date=False)}")
    parts.append(f"checks: {service.protocol(session.id).describe_schedule()}")
    return title, " · ".join(parts)


def _amount(service: MonitoringService, session: TreatmentSession) -> str:
    """The first dose as an amount, with the weight it used (domain.dose), e.g.
    " (0.5 mg/kg × 72.5 kg = 36.25 mg)"; empty before a dose (an infusion start only)."""
    dose = next((e for e in service.events(session.id) if e.kind == DOSE), None)
    amount = stored_amount(dose.details) if dose else None
    return f" ({amount.text})" if amount else ""
