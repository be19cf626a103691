"""The planned infusion and withdrawing an event on the real staff panel and store
(issue 15, point 4): the header's expected end, the quiet reminder, Withdraw…."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.schedule import PLANNED_END_REACHED
from session_app.domain.session import NewSession, TreatmentSession
from session_app.store import SessionStore
from session_app.ui.staff.banner import session_banner
from session_app.ui.staff.correction_dialog import WithdrawEventDialog
from session_app.ui.staff.flowsheet import WITHDRAWN_MARK
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE

START = {"rate": "25", "rate_unit": "mL/h", "planned_min": "40"}


def iv_session(panel: StaffPanel) -> TreatmentSession:
    started = panel.service.start_session(NewSession("RT-3", IV_KETAMINE, "AB", 70.0))
    panel.show_session(started)
    return started


def test_the_header_shows_the_expected_end_and_an_open_pause(
    panel: StaffPanel, clock: ManualClock
) -> None:
    session = iv_session(panel)
    service = panel.service
    begun = clock.now()
    service.log_event(session.id, "infusion_start", START, "AB")
    end = format_local(begun + timedelta(minutes=40), with_date=False)
    assert f"infusion expected to end {end}" in session_banner(service, session)[1]
    assert f"infusion expected to end {end}" in panel.session_details.text()
    clock.advance(minutes=10)
    service.log_event(session.id, "infusion_pause", {}, "AB")
    paused = format_local(clock.now(), with_date=False)
    details = panel.session_details.text()
    assert f"infusion paused since {paused}: the expected end moves until resumed" in details
    clock.advance(minutes=5)
    service.log_event(session.id, "infusion_resume", {}, "AB")
    moved = format_local(begun + timedelta(minutes=45), with_date=False)
    assert f"infusion expected to end {moved}" in panel.session_details.text()
    service.log_event(session.id, "infusion_stop", {}, "AB")
    stopped = format_local(clock.now(), with_date=False)
    assert f"infusion stopped {stopped}" in panel.session_details.text()
    assert "expected to end" not in panel.session_details.text()


def test_a_quiet_reminder_comes_at_the_expected_end_and_goes_when_stopped(
    panel: StaffPanel, clock: ManualClock
) -> None:
    session = iv_session(panel)
    service = panel.service
    service.record_check(session.id, BASELINE)
    service.log_event(session.id, "infusion_start", START, "AB")
    for _ in range(2):  # the checks at 15 and 30 min, on time
        clock.advance(minutes=15)
        service.record_check(session.id, BASELINE)
    clock.advance(minutes=9)  # 39 min: nothing to say
    panel.countdown.tick()
    assert not panel.notice.isVisible()
    clock.advance(minutes=1)  # the planned end
    panel.countdown.tick()
    assert panel.notice.isVisible()
    assert panel.notice.label.text().startswith(PLANNED_END_REACHED)
    assert "log 'Infusion stopped' when it stops" in panel.notice.label.text()
    assert panel.notice.property("dueState") == "none"  # a reminder, not an overdue colour
    service.log_event(session.id, "infusion_stop", {}, "AB")
    assert not panel.notice.isVisible()  # the panel ticks on the store's announcement


def test_withdraw_an_event_from_the_timeline(
    qtbot, panel: StaffPanel, store: SessionStore, clock: ManualClock
) -> None:
    session = iv_session(panel)
    start = panel.service.log_event(session.id, "infusion_start", START, "AB")
    assert panel.service.schedule(session.id).dose_at is not None
    timeline = panel.timeline
    panel.record_tabs.setCurrentWidget(timeline)
    timeline.table.selectRow(0)
    assert timeline.withdraw_button.isEnabled()
    dialog = timeline.open_withdrawal()
    assert isinstance(dialog, WithdrawEventDialog)
    assert "Infusion started: 25 mL/h" in dialog.intro.text()
    dialog.recorded_by.setText("cd")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Reason: required" in dialog.message.text()
    dialog.reason.setText("started on the other pump")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    assert panel.service.events(session.id) == []
    assert panel.service.schedule(session.id).dose_at is None
    # listed, marked, with its reason; no longer correctable or withdrawable
    assert timeline.rowCount() == 1
    assert WITHDRAWN_MARK in timeline.item(0, 0).text()
    assert "Withdrawn — started on the other pump" in timeline.item(0, 1).text()
    assert "Withdrawn: Infusion started: 25 mL/h" in timeline.item(0, 1).toolTip()
    timeline.table.selectRow(0)
    assert not timeline.withdraw_button.isEnabled()
    assert not timeline.correct_button.isEnabled()
    assert timeline.history_button.isEnabled()
    assert len(store.events(session.id)) == 2
    assert store.events(session.id)[0].id == start.id


def test_the_infusion_start_form_offers_the_protocols_planned_minutes(
    panel: StaffPanel, store: SessionStore, clock: ManualClock
) -> None:
    store.save_settings({"iv.planned_infusion_min": 55})
    session = iv_session(panel)
    form = panel.event_form
    form.select_kind("infusion_start")
    assert form.fields["infusion_start"]["planned_min"].text() == "55"
    form.fields["infusion_start"]["rate"].setText("25")
    form.recorded_by.setText("AB")
    form.submit()
    [start] = panel.service.events(session.id)
    assert start.details["planned_min"] == 55.0
    plan = panel.service.infusion_plan(session.id)
    assert plan is not None and plan.expected_end == clock.now() + timedelta(minutes=55)


def test_an_ended_session_offers_no_withdrawal(
    qtbot, panel: StaffPanel, store: SessionStore
) -> None:
    session = iv_session(panel)
    panel.service.log_event(session.id, "infusion_start", START, "AB")
    timeline = panel.timeline
    timeline.table.selectRow(0)
    assert timeline.withdraw_button.isEnabled()
    store.end_session(session.id, "AB")
    timeline.set_session(session.id)
    timeline.table.selectRow(0)
    assert not timeline.withdraw_button.isEnabled()
    assert timeline.open_withdrawal() is None
