"""Issue 15 at the bedside: "now" typed in a time box is taken (point 10), and the pre-dose
check and the new adverse events reach the event form, which builds itself from the domain."""

from __future__ import annotations

from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE


def test_now_typed_in_the_event_time_logs_the_pre_dose_check_now(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    form = panel.event_form
    panel.entry_tabs.setCurrentWidget(form)
    form.select_kind("pre_dose_check")
    answer = form.fields["pre_dose_check"]["vitals_ok"]
    answer.setCurrentIndex(answer.findData("yes"))
    qtbot.keyClicks(form.occurred_at, " Now ")
    qtbot.keyClicks(form.recorded_by, "ab")
    qtbot.keyClick(form.recorded_by, Qt.Key.Key_Return)

    assert form.message.text() == ""
    [event] = store.events(session.id)
    assert event.kind == "pre_dose_check" and event.details == {"vitals_ok": True}
    assert event.occurred_at == clock.now()
    assert panel.timeline.item(0, 1).text() == (
        "Pre-dose check: vital signs acceptable before dosing yes"
    )


def test_now_typed_in_the_time_taken_saves_the_check_now(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    form = panel.vitals_form
    panel.entry_tabs.setCurrentWidget(form)
    for name, text in BASELINE.items():
        qtbot.keyClicks(form.controls[name], text)
    qtbot.keyClicks(form.taken_at, "NOW")
    qtbot.keyClick(form.controls["recorded_by"], Qt.Key.Key_Return)

    assert form.message.text() == "", form.message.text()
    [check] = store.checks(session.id)
    assert check.taken_at == clock.now()


def test_the_event_form_offers_the_coded_adverse_events_and_opioids(
    panel: StaffPanel, session
) -> None:
    kinds = panel.event_form.fields
    types = kinds["adverse_event"]["type"]
    offered = [types.itemData(i) for i in range(types.count())]
    assert "breathing difficulty / respiratory depression" in offered
    assert "dissociation beyond what is expected" in offered and offered[-1] == "other"
    assert kinds["concomitant_meds"]["opioids"].accessibleName()
