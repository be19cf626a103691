"""The proposed-check strip on the real staff panel: a real SQLite file, the real inbox
taking GE-shaped ORU^R01 messages, the real vitals form (issue 17, "What the nurse sees")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication

from session_app.devices.inbox import Inbox
from session_app.devices.oru import parse_message
from session_app.domain.clock import ManualClock, format_local
from session_app.domain.pin import hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.schedule import DueState
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.devices import messages
from tests.ui.staff.conftest import BASELINE
from tests.ui.staff.test_alert_group_cards import EIGHT as HIGH
from tests.ui.staff.test_alert_group_cards import _dosed, fully_in_view

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def hl7_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


def send_nibp(store: SessionStore, clock: ManualClock, n: int = 1, **parts: str) -> None:
    """A GE NIBP set (142/88 with HR 80, SpO2 97, RR 14) stamped with the room's time."""
    now = hl7_time(clock.now())
    times = {"nibp_time": now, "msh_time": now}
    text = messages.ge(control_id=f"GE{n:04d}", patient="RT-1", **{**times, **parts})
    assert parse_message(Inbox(store).handle(text, "127.0.0.1"))["MSA.F1"] == "AA"


def shown(panel: StaffPanel) -> list[str]:
    strip = panel.proposed_checks
    strip.flush()
    return [row.label.text() for row in strip.rows]


def test_a_proposal_appears_as_one_plain_line_with_named_buttons(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    assert shown(panel) == []
    send_nibp(store, clock)
    at = format_local(clock.now(), with_date=False)
    assert shown(panel) == [f"Monitor {at} — 142/88 · HR 80 · SpO2 97 · RR 14"]
    [row] = panel.proposed_checks.rows
    assert row.label.textFormat() is Qt.TextFormat.PlainText
    assert row.record_button.accessibleName() == f"Record the monitor's {at} check"
    assert row.edit_button.accessibleName() == f"Edit the monitor's {at} check"
    assert row.dismiss_button.accessibleName() == f"Dismiss the monitor's {at} check"
    assert panel.proposed_checks.isVisible()


def test_device_data_refreshes_the_strip_once_not_per_message(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    strip = panel.proposed_checks
    strip.flush()
    before = strip.refreshes
    for n in range(1, 6):
        send_nibp(store, clock, n)
        clock.advance(seconds=1)
    assert strip.refreshes == before  # throttled: the timer has not fired yet
    assert strip.refresh_pending
    assert len(shown(panel)) == 3  # the newest three; the left column keeps Save in view
    assert strip.refreshes == before + 1
    assert strip.more.text() == "2 earlier proposed checks not shown"
    assert strip.rows[0].proposal.observed_at > strip.rows[1].proposal.observed_at


def test_numerics_without_an_nibp_do_not_read_the_proposals_again(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    strip = panel.proposed_checks
    send_nibp(store, clock)
    assert len(shown(panel)) == 1
    before = strip.refreshes
    numerics = messages.ge(control_id="GE0009", patient="RT-1").split("\r")
    del numerics[5:8]  # the NIBP rows
    now = hl7_time(clock.now())
    text = "\r".join(numerics).replace("20260105101500+0100", now)
    assert parse_message(Inbox(store).handle(text, "127.0.0.1"))["MSA.F1"] == "AA"
    assert strip.refresh_pending
    assert len(shown(panel)) == 1
    assert strip.refreshes == before  # the monitor's numerics: no new proposal to read


def test_record_makes_a_check_from_the_monitor_with_the_typed_moaas_and_meets_the_due_check(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    service = panel.service
    service.record_check(session.id, BASELINE)
    service.log_event(session.id, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    assert service.schedule_status(session.id).state is DueState.DUE
    send_nibp(store, clock)
    device_time = clock.now()
    clock.advance(minutes=1)  # the nurse looks up a little later
    form = panel.vitals_form
    qtbot.keyClicks(form.controls["moaas"], "4")
    qtbot.keyClicks(form.controls["recorded_by"], "cd")
    shown(panel)
    [row] = panel.proposed_checks.rows
    row.record_button.setFocus()
    qtbot.keyClick(row.record_button, Qt.Key.Key_Return)

    check = store.checks(session.id)[-1]
    assert check.taken_at == device_time
    assert (check.signs.systolic, check.signs.diastolic, check.signs.moaas) == (142, 88, 4)
    assert check.signs.recorded_by == "CD"
    assert check.id in store.checks_from_monitor(session.id)
    assert service.schedule_status(session.id).state is not DueState.DUE
    assert shown(panel) == []
    texts = panel.flowsheet.table.row_texts(0)
    assert "monitor" in texts["time"]
    assert panel.charts.data.times[-1] == device_time
    assert form.controls["moaas"].text() == ""  # used, so cleared like a save


def test_edit_fills_the_form_and_save_records_the_proposal_linked(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    send_nibp(store, clock)
    at = format_local(clock.now(), with_date=False)
    shown(panel)
    panel.proposed_checks.rows[0].edit_button.click()
    form = panel.vitals_form
    assert form.controls["systolic"].text() == "142"
    assert form.controls["diastolic"].text() == "88"
    assert form.controls["spo2"].text() == "97"
    assert form.taken_at.text() == at
    assert form.edit_line.text() == f"Editing the monitor's {at} values — Save records them"
    form.controls["systolic"].setText("140")  # the nurse corrects an obvious misread
    qtbot.keyClicks(form.controls["recorded_by"], "cd")
    qtbot.keyClick(form.save_button, Qt.Key.Key_Return)

    [check] = store.checks(session.id)
    assert check.signs.systolic == 140
    assert check.id in store.checks_from_monitor(session.id)
    assert [o.outcome for o in store.proposal_outcomes(session.id)] == ["recorded"]
    assert form.editing is None
    assert form.edit_line.text() == ""
    assert shown(panel) == []


def test_clearing_the_form_cancels_the_edit(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    send_nibp(store, clock)
    shown(panel)
    panel.proposed_checks.rows[0].edit_button.click()
    form = panel.vitals_form
    assert form.editing is not None
    form.clear()
    assert form.editing is None
    assert form.edit_line.text() == ""
    form.controls["systolic"].setText("130")
    form.controls["diastolic"].setText("80")
    form.controls["recorded_by"].setText("CD")
    form.submit()
    assert len(store.checks(session.id)) == 1
    assert store.checks_from_monitor(session.id) == {}  # a typed check, not the proposal's
    assert len(shown(panel)) == 1


def test_dismiss_keeps_the_observations_and_adds_no_check(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    send_nibp(store, clock)
    kept = len(store.device_observations(session.id))
    shown(panel)
    panel.vitals_form.controls["recorded_by"].setText("cd")
    dismiss = panel.proposed_checks.rows[0].dismiss_button
    dismiss.setFocus()
    qtbot.keyClick(dismiss, Qt.Key.Key_Return)  # the keyboard alone, like Record
    assert store.checks(session.id) == []
    assert len(store.device_observations(session.id)) == kept
    [outcome] = store.proposal_outcomes(session.id)
    assert (outcome.outcome, outcome.decided_by) == ("dismissed", "CD")
    assert shown(panel) == []


def test_without_initials_record_and_dismiss_are_refused_in_words_and_nothing_is_stored(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    send_nibp(store, clock)
    shown(panel)
    form = panel.vitals_form
    initials = form.controls["recorded_by"]
    panel.proposed_checks.rows[0].record_button.click()
    assert "Recorded by" in form.message.text()
    assert initials.property("invalid")
    panel.proposed_checks.rows[0].dismiss_button.click()
    assert "Dismissed by" in form.message.text()
    assert initials.property("invalid")
    assert store.checks(session.id) == []
    assert store.proposal_outcomes(session.id) == []
    assert len(shown(panel)) == 1


def test_a_proposal_decided_elsewhere_leaves_the_strip(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    send_nibp(store, clock)
    [proposal] = panel.service.proposed_checks(session.id)
    assert len(shown(panel)) == 1
    panel.service.dismiss_proposed(proposal.id, "CD")  # e.g. at another station
    assert panel.proposed_checks.refresh_pending
    assert shown(panel) == []


def test_a_lock_cancels_the_edit_and_the_proposal_stays_open(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    store.set_pin(hash_pin("482913"))
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("RT-1", ESKETAMINE_REMS, "AB", 70.0))
    panel = StaffPanel(service, require_pin=True)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        qtbot.keyClicks(panel.lock_screen.pin, "482913")
        qtbot.keyClick(panel.lock_screen.pin, Qt.Key.Key_Return)
        assert not panel.is_locked
        send_nibp(store, clock)
        panel.proposed_checks.flush()
        [proposal] = service.proposed_checks(session.id)
        panel.proposed_checks.edit(proposal)
        assert panel.vitals_form.editing == proposal
        panel.lock()
        assert panel.is_locked
        assert panel.vitals_form.editing is None
        assert panel.vitals_form.controls["systolic"].text() == ""
        assert service.proposed_checks(session.id) == [proposal]
    finally:
        panel.stop()


def test_a_new_proposal_keeps_the_rows_already_shown_and_the_keyboard_focus(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock, qtbot
) -> None:
    """A nurse tabbing to "Record" of the 09:15 check must not lose the focus when the
    09:20 one arrives: the rows still shown are kept, not built again."""
    panel.show()
    qtbot.waitExposed(panel)
    send_nibp(store, clock, 1)
    shown(panel)
    [first] = panel.proposed_checks.rows
    first.record_button.setFocus()
    qtbot.waitUntil(first.record_button.hasFocus)
    clock.advance(minutes=5)
    send_nibp(store, clock, 2)
    assert len(shown(panel)) == 2
    newest, older = panel.proposed_checks.rows
    assert older is first and newest is not first
    assert first.record_button.hasFocus()


def settle_layouts() -> None:
    """Let the layouts' posted requests run: a new row's height goes up a level each
    turn of the event loop (the strip, its column, the column's scroll area)."""
    for _ in range(10):
        QApplication.processEvents()


@pytest.mark.parametrize("size", [QSize(1366, 768), QSize(1280, 720)], ids=["1366x768", "1280x720"])
def test_proposals_arriving_never_grow_the_panel_past_its_screen_or_hide_save(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock, qtbot, size: QSize
) -> None:
    """Four proposals and an alert at once on a laptop screen: the panel keeps its size
    (it grew 52 px past a 768 px screen, Save off its bottom, and every chart was redrawn
    for it), Save and the newest proposal's Record stay in view, the strip scrolls."""
    _dosed(panel, session.id, clock)
    panel.service.record_check(session.id, HIGH)
    panel.showNormal()
    panel.resize(size)
    qtbot.waitUntil(lambda: panel.size() == size)
    panel.alerts.initials.setText("1")  # a refusal adds its lines above the list too
    panel.alerts.cards[0].ack_button.click()
    charts_height = panel.charts.height()
    for n in range(1, 5):
        clock.advance(minutes=5)
        send_nibp(store, clock, n)
        shown(panel)
        settle_layouts()
        assert panel.size() == size
        assert panel.charts.height() == charts_height
        assert fully_in_view(panel.vitals_form.save_button, panel) == []
        newest = panel.proposed_checks.rows[0]
        assert fully_in_view(newest.record_button, panel) == []
    assert len(panel.proposed_checks.rows) == 3
    assert panel.proposed_checks.more.text() == "1 earlier proposed checks not shown"
    assert panel.proposed_checks.scroll.verticalScrollBar().maximum() > 0  # the rest scroll


def test_a_set_whose_time_was_far_from_the_room_s_clock_says_so_beside_its_buttons(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """The monitor's time is kept as sent (a check recorded takes it), so a monitor clock
    20 min behind the room's is said on its row before Record; an on-time one says nothing."""
    from datetime import timedelta

    from session_app.ui.staff.proposed_checks import CLOCK_SKEW_NOTE

    behind = hl7_time(clock.now() - timedelta(minutes=20))
    send_nibp(store, clock, 1, nibp_time=behind, msh_time=behind)
    clock.advance(minutes=5)
    send_nibp(store, clock, 2)
    shown(panel)
    on_time, skewed = panel.proposed_checks.rows  # newest first
    assert on_time.clock_note is None
    assert skewed.clock_note is not None and skewed.clock_note.text() == CLOCK_SKEW_NOTE
    assert skewed.clock_note.textFormat() is Qt.TextFormat.PlainText
    assert "more than 5 minutes" in skewed.clock_note.toolTip()
    assert skewed.proposal.clock_skew and not on_time.proposal.clock_skew


def test_recorded_the_flowsheet_says_which_check_kept_a_far_off_monitor_time(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """As the PDF and the CSV do: the check recorded from the set 20 min behind reads
    "monitor clock differed" in the flowsheet, with the reason in its tooltip; the on-time
    one reads "monitor" only. Both as a full refill and as the row a save adds."""
    from datetime import timedelta

    behind = hl7_time(clock.now() - timedelta(minutes=20))
    send_nibp(store, clock, 1, nibp_time=behind, msh_time=behind)
    clock.advance(minutes=5)
    send_nibp(store, clock, 2)
    shown(panel)
    table = panel.flowsheet.table
    for _ in range(2):
        for field, value in (("moaas", "5"), ("recorded_by", "cd")):
            panel.vitals_form.controls[field].clear()
            qtbot.keyClicks(panel.vitals_form.controls[field], value)
        panel.proposed_checks.rows[-1].record_button.click()  # the oldest first
        shown(panel)
    texts = {table.row_texts(r)["time"] for r in range(table.rowCount())}
    skewed = next(t for t in texts if "clock differed" in t)
    assert "monitor clock differed" in skewed
    assert any("monitor" in t and "clock" not in t for t in texts), texts  # the on-time one
    table.refresh()
    rows = [table.row_texts(r)["time"] for r in range(table.rowCount())]
    assert sum("monitor clock differed" in t for t in rows) == 1
    row = next(r for r in range(table.rowCount()) if "clock differed" in rows[r])
    assert "more than 5 minutes" in table.item(row, 0).toolTip()
