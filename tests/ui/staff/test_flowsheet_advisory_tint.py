"""Issue 15.8: 165/100 at 40 min, between the pre-dose "consider delaying" level (140/90)
and the alert threshold (180/110), gets no cue with the defaults. A clinic setting adds a
quiet tint on the flowsheet cell: not an alert, nothing raised, off by default (no public
source sets this band as a cue after the dose). Real store, service and table."""

from __future__ import annotations

from session_app.domain.advisory import TINT_SETTING, between_delay_and_alert
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, Thresholds
from session_app.domain.session import NewSession
from session_app.domain.settings import registry, resolve_settings
from session_app.domain.vitals import VitalSigns
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.flowsheet import (
    BP_BETWEEN_TINT,
    COLUMN_INDEX,
    SEVERITY_TINTS,
    FlowsheetTable,
)

BASELINE = {"systolic": "128", "diastolic": "80", "heart_rate": "74", "recorded_by": "AB"}
DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def session_at_40_min(store: SessionStore, clock: ManualClock, bp: tuple[str, str]) -> int:
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("QX-77", ESKETAMINE_REMS, "AB", 70.0)).id
    clock.advance(minutes=5)
    service.record_check(sid, BASELINE)
    clock.advance(minutes=5)
    service.log_event(sid, "dose", DOSE, "AB")
    clock.advance(minutes=40)
    service.record_check(sid, {**BASELINE, "systolic": bp[0], "diastolic": bp[1]})
    return sid


def turn_tint(store: SessionStore, on: bool) -> None:
    store.save_settings({**resolve_settings(store.load_settings()), TINT_SETTING: on})


def test_the_band_is_strictly_between_the_two_sourced_levels() -> None:
    t = Thresholds()
    assert between_delay_and_alert(VitalSigns(systolic=165, diastolic=100), t) == (
        "systolic",
        "diastolic",
    )
    assert between_delay_and_alert(VitalSigns(systolic=140, diastolic=90), t) == ()
    assert between_delay_and_alert(VitalSigns(systolic=180, diastolic=91), t) == ("diastolic",)
    assert between_delay_and_alert(VitalSigns(heart_rate=80), t) == ()
    assert registry()[TINT_SETTING].default is False


def test_165_over_100_at_40_min_is_tinted_only_when_the_clinic_turns_it_on(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = session_at_40_min(store, clock, ("165", "100"))
    assert store.alerts(sid) == []  # no rule fires: a rise of 37/20 and below 180/110
    table = FlowsheetTable(store)
    qtbot.addWidget(table)
    table.set_session(sid)
    cell = table.item(0, COLUMN_INDEX["bp"])
    assert cell is not None and cell.text() == "165/100"
    assert cell.background().color().name() != BP_BETWEEN_TINT  # the default: off

    turn_tint(store, True)
    cell = table.item(0, COLUMN_INDEX["bp"])  # the open table follows the setting
    assert cell is not None and cell.background().color().name() == BP_BETWEEN_TINT
    tip = cell.toolTip()
    assert "between the pre-dose 'consider delaying' level and the alert threshold" in tip.lower()
    assert "not an alert" in tip.lower()
    assert not cell.font().bold()  # bold is for values an alert was raised on
    assert store.alerts(sid) == []  # the tint raises nothing
    baseline = table.item(1, COLUMN_INDEX["bp"])
    assert baseline is not None and baseline.background().color().name() != BP_BETWEEN_TINT

    turn_tint(store, False)
    cell = table.item(0, COLUMN_INDEX["bp"])
    assert cell is not None and cell.background().color().name() != BP_BETWEEN_TINT


def test_a_value_with_an_alert_keeps_the_alert_tint(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = session_at_40_min(store, clock, ("172", "96"))  # a rise of 44: an alert
    turn_tint(store, True)
    table = FlowsheetTable(store)
    qtbot.addWidget(table)
    table.set_session(sid)
    cell = table.item(0, COLUMN_INDEX["bp"])
    assert cell is not None and cell.background().color().name() == SEVERITY_TINTS["alert"]
