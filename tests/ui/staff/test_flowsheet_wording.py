"""Issue 15.14, wording on the staff panel: the flowsheet's minute and NEWS2 cells, and the
countdown while a check is due. Real store, real service, real widgets (offscreen)."""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.clock import ManualClock
from session_app.domain.news2 import news2
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.schedule import DueState
from session_app.domain.session import NewSession
from session_app.domain.summary import load_summary
from session_app.export.document import summary_html
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.countdown import DueCountdown
from session_app.ui.staff.flowsheet import COLUMN_INDEX, FlowsheetTable

PARTIAL = {"systolic": "128", "diastolic": "80", "heart_rate": "74", "recorded_by": "AB"}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def rems_session(store: SessionStore, clock: ManualClock) -> tuple[MonitoringService, int]:
    """A baseline taken 20 s before the dose (minute -0.3), then the dose."""
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("QX-77", ESKETAMINE_REMS, "AB", 70.0)).id
    clock.advance(minutes=5)
    service.record_check(sid, PARTIAL)
    clock.advance(seconds=20)
    service.log_event(sid, "dose", DOSE, "AB")
    return service, sid


def test_the_minute_of_a_check_just_before_the_dose_is_0_not_minus_0(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service, sid = rems_session(store, clock)
    clock.advance(minutes=15, seconds=-50)  # 14.5 min after the dose rounds to 14
    service.record_check(sid, PARTIAL)
    table = FlowsheetTable(store)
    qtbot.addWidget(table)
    table.set_session(sid)
    assert [table.row_texts(row)["minute"] for row in range(2)] == ["+14", "0"]


def test_a_partial_news2_reads_the_same_in_the_flowsheet_and_the_summary(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    _, sid = rems_session(store, clock)
    table = FlowsheetTable(store)
    qtbot.addWidget(table)
    table.set_session(sid)
    short = news2(store.checks(sid)[0].signs).short
    assert short == "0*"
    assert table.row_texts(0)["news2"] == short
    header = table.horizontalHeaderItem(COLUMN_INDEX["news2"])
    assert "* is partial" in header.toolTip()
    cells = summary_html(load_summary(store, sid, clock.now()), with_charts=False)
    assert f">{short}<" in cells and "≥" not in table.row_texts(0)["news2"]


def test_the_countdown_heading_says_which_check_and_the_text_its_state(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    """Not "Check due now / Check due now" (nor "Next check / Next check in …")."""
    service, sid = rems_session(store, clock)
    countdown = DueCountdown(service)
    qtbot.addWidget(countdown)
    countdown.set_session(sid)
    seen = [(countdown.heading.text(), countdown.text.text())]
    clock.advance(minutes=40)
    countdown.tick()
    assert countdown.state is DueState.DUE
    seen.append((countdown.heading.text(), countdown.text.text()))
    clock.advance(timedelta(minutes=10))
    countdown.tick()
    assert countdown.state is DueState.OVERDUE_RED
    seen.append((countdown.heading.text(), countdown.text.text()))
    assert seen == [
        ("About 40 min after dosing", "Next check in 40:00"),
        ("About 40 min after dosing", "Check due now"),
        ("About 40 min after dosing", "Check overdue by 10 min"),
    ]
    for heading, text in seen:
        assert heading.split()[0].lower() not in text.lower()
    assert countdown.accessibleDescription() == "About 40 min after dosing: Check overdue by 10 min"
