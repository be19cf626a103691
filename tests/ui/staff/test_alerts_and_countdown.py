"""Alerts shown until acknowledged; the countdown turning amber then red (clock injected)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from session_app.domain.alerts import Severity
from session_app.domain.clock import ManualClock
from session_app.domain.schedule import DueState
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def _dose(panel: StaffPanel, session_id: int) -> None:
    panel.service.log_event(session_id, "dose", DOSE, "AB")


def test_an_alert_appears_and_is_acknowledged_with_initials(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    clock.advance(minutes=5)
    _dose(panel, session.id)
    clock.advance(minutes=40)
    form = panel.vitals_form
    for name, text in (("systolic", "172"), ("diastolic", "96"), ("recorded_by", "AB")):
        form.controls[name].setText(text)
    qtbot.keyClick(form.controls["diastolic"], Qt.Key.Key_Return)

    [card] = panel.alerts.cards
    assert card.alert.rule == "sys_rise" and card.alert.severity == "alert"
    assert "172" in card.message.text() and "baseline 128" in card.message.text()
    assert "Systolic BP 172" in card.accessibleName()
    assert panel.alerts.summary.text() == "1 to acknowledge"
    # the point is highlighted on the chart and the value in the flowsheet
    assert panel.charts.data.flagged["systolic"][-1] == "alert"
    assert panel.flowsheet.item(0, 2).font().bold()

    # refused initials: nothing stored, the alert stays
    panel.alerts.initials.setText("1")
    qtbot.mouseClick(card.ack_button, Qt.MouseButton.LeftButton)
    assert not store.alerts(session.id)[0].acknowledged
    assert "Acknowledged by" in panel.alerts.message.text()
    assert len(panel.alerts.cards) == 1

    clock.advance(minutes=1)
    panel.alerts.initials.setText("cd")
    qtbot.mouseClick(panel.alerts.cards[0].ack_button, Qt.MouseButton.LeftButton)
    [stored] = store.alerts(session.id)
    assert stored.acked_by == "CD" and stored.acked_at == clock.now()
    assert panel.alerts.cards == []
    assert "CD" in panel.alerts.history.text()
    assert panel.alerts.summary.text() == "No open alerts."


def test_overdue_check_turns_the_countdown_amber_then_red_and_shows_the_notice(
    panel: StaffPanel, session, clock: ManualClock
) -> None:
    countdown = panel.countdown
    assert countdown.state is DueState.BASELINE_NEEDED
    panel.service.record_check(session.id, BASELINE)
    clock.advance(minutes=5)
    _dose(panel, session.id)
    countdown.tick()
    assert countdown.state is DueState.WAITING
    assert countdown.property("dueState") == "waiting"
    assert "Next check in" in countdown.text.text()
    assert not panel.notice.isVisible()

    protocol = panel.service.protocol(session.id)
    first_due = protocol.fixed_checks[0].at_min  # REMS: about 40 min after dosing
    clock.advance(minutes=first_due)
    countdown.tick()
    assert countdown.state is DueState.DUE

    clock.advance(minutes=protocol.overdue_amber_min + 1)
    countdown.tick()
    assert countdown.state is DueState.OVERDUE_AMBER
    assert countdown.property("dueState") == "amber"
    assert panel.notice.isVisible() and "overdue" in panel.notice.label.text()

    clock.advance(minutes=protocol.overdue_red_min)
    countdown.tick()
    assert countdown.state is DueState.OVERDUE_RED
    assert countdown.property("dueState") == "red"
    assert panel.notice.property("dueState") == "red"

    # the late check is saved, marked late in the flowsheet, and the countdown calms down
    saved = panel.service.record_check(session.id, BASELINE)
    assert saved.check.late
    assert countdown.state is DueState.WAITING  # the panel ticks on every saved check
    assert not panel.notice.isVisible()
    assert "LATE" in panel.flowsheet.row_texts(0)["time"]


def test_the_timer_drives_the_tick(qtbot, panel: StaffPanel, session, clock: ManualClock) -> None:
    """The QTimer reads the injected clock: moving the clock is enough, no waiting on it."""
    panel.service.record_check(session.id, BASELINE)
    _dose(panel, session.id)
    panel.countdown.tick()
    assert panel.countdown.timer.isActive()
    clock.advance(minutes=60)
    panel.countdown.timer.setInterval(5)
    qtbot.waitUntil(lambda: panel.countdown.state is DueState.OVERDUE_RED, timeout=2000)


def test_a_new_alert_keeps_the_cards_shown_and_the_nurses_place(
    qtbot, panel: StaffPanel, session, clock: ManualClock
) -> None:
    """A card is added for the new alert; the ones shown stay (the keyboard focus on an
    Acknowledge button is not lost), most severe first."""
    panel.service.record_check(session.id, BASELINE)
    clock.advance(minutes=5)
    _dose(panel, session.id)
    clock.advance(minutes=40)
    panel.service.record_check(session.id, {**BASELINE, "systolic": "172"})
    [first] = panel.alerts.cards
    first.ack_button.setFocus()
    clock.advance(minutes=5)
    panel.service.record_check(session.id, {**BASELINE, "spo2": "85"})
    cards = panel.alerts.cards
    assert len(cards) == 2 and first in cards
    assert first.ack_button.hasFocus()
    severities = [card.alert.severity for card in cards]
    assert severities == sorted(severities, key=lambda s: -Severity(s).rank)
    assert [panel.alerts.list_layout.indexOf(card) for card in cards] == [0, 1]
    assert panel.alerts.summary.text() == "2 to acknowledge"

    panel.alerts.initials.setText("CD")
    panel.alerts.acknowledge(first.alert.id)
    assert [card.alert.id for card in panel.alerts.cards] != [first.alert.id]
    assert first not in panel.alerts.cards and len(panel.alerts.cards) == 1


def test_the_countdown_keeps_its_size_as_the_seconds_tick(
    panel: StaffPanel, session, clock: ManualClock
) -> None:
    """A fixed size (growing when a text needs it) stops each second's new text from
    laying out the whole window again, and the pill does not twitch."""
    countdown = panel.countdown
    panel.service.record_check(session.id, BASELINE)
    _dose(panel, session.id)
    sizes = set()
    for _ in range(5):
        clock.advance(seconds=1)
        countdown.tick()
        sizes.add(countdown.size().toTuple())
        assert countdown.minimumSize() == countdown.maximumSize()  # fixed
        assert countdown.text.sizeHint().width() <= countdown.text.width()  # all of it shows
    assert len(sizes) == 1
    clock.advance(minutes=200)  # a longer text: "Check overdue by 155 min"
    countdown.tick()
    assert countdown.size().width() >= max(width for width, _ in sizes)
    assert countdown.text.sizeHint().width() <= countdown.text.width()
