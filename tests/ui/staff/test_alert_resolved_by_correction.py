"""The staff panel's open alerts: an alert resolved by a correction leaves the list."""

from __future__ import annotations

from session_app.domain.clock import ManualClock
from session_app.domain.session import TreatmentSession
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def test_a_resolved_alert_leaves_the_open_list(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    service = panel.service
    service.record_check(session.id, BASELINE)
    clock.advance(minutes=5)
    service.log_event(session.id, "dose", DOSE, "AB")
    clock.advance(minutes=10)
    typo = service.record_check(session.id, {**BASELINE, "spo2": "79"})
    qtbot.waitUntil(lambda: [c.alert.id for c in panel.alerts.cards] == [typo.alerts[0].id])
    assert panel.alerts.summary.text() == "1 to acknowledge"
    clock.advance(minutes=1)
    service.correct_check(
        typo.check.id, {**BASELINE, "spo2": "97"}, reason="typed 79 for 97", recorded_by="cd"
    )
    qtbot.waitUntil(lambda: panel.alerts.cards == [])
    assert panel.alerts.summary.text() == "No open alerts."
