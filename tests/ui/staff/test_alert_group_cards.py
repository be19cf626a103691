"""Issue 15 points 5 and 6 on the real staff panel: one card per check listing its
findings, one Acknowledge for them all with an optional response, and the vitals form's
Save button in view at 1366×768 whatever the alerts list holds."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget

from session_app.domain.alerts import Severity
from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}
# Every rule at once: both BP limits, both rises over baseline, HR, SpO2, RR, MOAA/S 0.
EIGHT = {**BASELINE, "systolic": "200", "diastolic": "115", "heart_rate": "140",
         "spo2": "85", "resp_rate": "35", "moaas": "0"}  # fmt: skip


def _dosed(panel: StaffPanel, session_id: int, clock: ManualClock) -> None:
    panel.service.record_check(session_id, BASELINE)
    clock.advance(minutes=5)
    panel.service.log_event(session_id, "dose", DOSE, "AB")
    clock.advance(minutes=40)


def test_one_check_is_one_card_of_its_findings_acknowledged_together_with_a_response(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    _dosed(panel, session.id, clock)
    saved = panel.service.record_check(session.id, EIGHT)
    assert len(saved.alerts) == 8
    [card] = panel.alerts.cards
    assert card.group.severity is Severity.URGENT and card.chip.text() == "URGENT"
    lines = card.message.text().split("\n")
    assert lines == [a.message for a in card.group.alerts] and len(lines) == 8
    assert lines[0].startswith("Sedation (MOAA/S) 0")  # the most severe finding first
    assert "8 findings" in card.accessibleName()
    assert panel.alerts.summary.text() == "1 to acknowledge (8 findings)"

    clock.advance(minutes=1)
    panel.alerts.initials.setText("cd")
    card.response.setText("stimulated, chin lift, SpO2 back to 96 %")
    qtbot.mouseClick(card.ack_button, Qt.MouseButton.LeftButton)
    stored = store.alerts(session.id)
    assert {(a.acked_by, a.acked_at, a.ack_response) for a in stored} == {
        ("CD", clock.now(), "stimulated, chin lift, SpO2 back to 96 %")
    }
    assert panel.alerts.cards == [] and panel.alerts.summary.text() == "No open alerts."
    assert "response: stimulated, chin lift" in panel.alerts.history.toolTip()


@pytest.mark.parametrize(
    ("response", "problem"),
    [("x" * 501, "501 characters"), ("ok\x07 done", "control character (U+0007)")],
    ids=["too-long", "control-character"],
)
def test_a_refused_response_is_marked_in_its_card_and_nothing_is_acknowledged(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock, response, problem
) -> None:
    _dosed(panel, session.id, clock)
    panel.service.record_check(session.id, EIGHT)
    [card] = panel.alerts.cards
    panel.alerts.initials.setText("CD")
    card.response.setText(response)
    qtbot.mouseClick(card.ack_button, Qt.MouseButton.LeftButton)
    assert not any(a.acknowledged for a in store.alerts(session.id))
    assert panel.alerts.cards == [card] and card.response.text() == response  # kept
    assert card.response.property("invalid") is True
    assert problem in panel.alerts.message.text() and "Response" in panel.alerts.message.text()
    assert card.response.hasFocus()

    card.response.setText("repeated SpO2 96 % after deep breaths")  # fixed: it goes through
    qtbot.mouseClick(card.ack_button, Qt.MouseButton.LeftButton)
    assert all(a.acknowledged for a in store.alerts(session.id))
    assert panel.alerts.message.text() == ""


def test_a_store_failure_is_the_one_not_saved_line_and_the_card_stays(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    _dosed(panel, session.id, clock)
    saved = panel.service.record_check(session.id, EIGHT)
    with sqlite3.connect(store.path) as raw:  # a real write failure on the fourth alert
        raw.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON alert_acks WHEN NEW.alert_id ="
            f" {saved.alerts[3].id} BEGIN SELECT RAISE(ABORT, 'disk I/O trouble'); END"
        )
    [card] = panel.alerts.cards
    panel.alerts.initials.setText("CD")
    card.response.setText("ondansetron 4 mg IV")
    qtbot.mouseClick(card.ack_button, Qt.MouseButton.LeftButton)
    message = panel.alerts.message.text()
    assert message.startswith("Not saved") and message.count("Not saved") == 1
    assert not any(a.acknowledged for a in store.alerts(session.id))
    assert panel.alerts.cards == [card] and card.response.text() == "ondansetron 4 mg IV"


def fully_in_view(widget: QWidget, window: QWidget) -> list[str]:
    """Where `widget` is cut off: by the window or any parent (a scroll area's viewport
    included: scrolled out of view is not in view)."""
    problems = []
    parent = widget.parentWidget()
    while parent is not None:
        rect = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size())
        if not parent.rect().contains(rect):
            problems.append(f"{rect} outside {parent.objectName()} {parent.rect()}")
        if parent is window:
            break
        parent = parent.parentWidget()
    return problems


@pytest.mark.parametrize("size", [QSize(1366, 768), QSize(1280, 720)], ids=["1366x768", "1280x720"])
@pytest.mark.parametrize("checks", [1, 12], ids=["one-card", "twelve-cards"])
def test_the_save_button_stays_in_view_at_1366x768_whatever_the_alerts_hold(
    qtbot, panel: StaffPanel, session, clock: ManualClock, checks: int, size: QSize
) -> None:
    _dosed(panel, session.id, clock)
    for _ in range(checks):
        clock.advance(minutes=5)
        panel.service.record_check(session.id, EIGHT)
    panel.showNormal()
    panel.resize(size)
    qtbot.waitUntil(lambda: panel.size() == size)
    panel.alerts.initials.setText("1")  # a refusal adds its lines above the list too
    panel.alerts.cards[0].response.setText("x" * 501)
    panel.alerts.cards[0].ack_button.click()
    QApplication.processEvents()
    panel.layout().activate()
    assert len(panel.alerts.cards) == checks
    save = panel.vitals_form.save_button
    assert save.isVisible() and fully_in_view(save, panel) == []
    # The form is whole, not squeezed: the alerts give way (their fields overlapped).
    form = panel.vitals_form
    assert form.height() >= form.minimumSizeHint().height()
    assert fully_in_view(panel.alerts.cards[0].ack_button, panel) == []
    if checks > 1:  # the list scrolls inside its own bounded area
        assert panel.alerts.scroll.verticalScrollBar().maximum() > 0


def test_on_a_tall_screen_the_card_is_shown_whole_without_scrolling(
    qtbot, panel: StaffPanel, session, clock: ManualClock
) -> None:
    _dosed(panel, session.id, clock)
    panel.service.record_check(session.id, EIGHT)
    panel.showNormal()
    panel.resize(QSize(1920, 1080))
    qtbot.waitUntil(lambda: panel.size() == QSize(1920, 1080))
    QApplication.processEvents()
    panel.layout().activate()
    [card] = panel.alerts.cards
    assert panel.alerts.scroll.verticalScrollBar().maximum() == 0
    assert fully_in_view(card.message, panel) == []
