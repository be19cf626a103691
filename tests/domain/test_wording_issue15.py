"""Issue 15.14, wording in the domain: one partial-NEWS2 form, a countdown that does not
say the same thing twice, a MOAA/S message that reads, and a discharge BP line that
says what is missing."""

from __future__ import annotations

from datetime import datetime, timedelta

from session_app.domain.alerts import evaluate
from session_app.domain.clock import ManualClock
from session_app.domain.discharge import BpRecovery
from session_app.domain.news2 import news2
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE, Thresholds, preset
from session_app.domain.schedule import DueState, Schedule
from session_app.domain.vitals import VitalSigns

T0 = ManualClock().now()
COMPLETE = VitalSigns(
    resp_rate=14, spo2=97, on_oxygen=False, systolic=128, heart_rate=74, moaas=5, temperature_c=36.8
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_partial_news2_has_one_short_form_a_star_on_the_total() -> None:
    partial = news2(VitalSigns(systolic=128, heart_rate=74))
    assert partial.partial and partial.short == "0*"
    assert news2(VitalSigns(resp_rate=8, systolic=128, heart_rate=74)).short == "3*"
    assert news2(COMPLETE).short == "0"


def test_a_due_check_says_which_check_not_again_that_it_is_due() -> None:
    rems = Schedule(preset(ESKETAMINE_REMS), at(0))
    status = rems.status([], at(40))
    assert status.state is DueState.DUE
    assert status.text == "About 40 min after dosing" and "due" not in status.text.lower()
    iv = Schedule(preset(IV_KETAMINE), at(0))
    assert iv.status([], at(15)).text == "During the infusion"


def test_moaas_at_the_bottom_of_the_scale_is_not_at_or_below_itself() -> None:
    [urgent] = evaluate(VitalSigns(moaas=0), Thresholds())
    assert urgent.message == "Sedation (MOAA/S) 0: no response, the lowest level"
    [alert] = evaluate(VitalSigns(moaas=2), Thresholds())
    assert alert.message == "Sedation (MOAA/S) 2 is at or below 2"
    [raised] = evaluate(VitalSigns(moaas=0), Thresholds(moaas_urgent=1))
    assert raised.message == "Sedation (MOAA/S) 0 is at or below 1"


def test_discharge_bp_with_a_baseline_but_none_after_says_so() -> None:
    text = BpRecovery((128, 80), None).text()
    assert text == "No blood pressure recorded after the baseline (128/80 mmHg)"
    assert BpRecovery(None, None).text() == "No baseline blood pressure recorded"
