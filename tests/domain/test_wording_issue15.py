"""Issue 15.14, wording in the domain: one partial-NEWS2 form, a MOAA/S message that
reads, and a discharge BP line that says what is missing."""

from __future__ import annotations

from session_app.domain.alerts import evaluate
from session_app.domain.discharge import BpRecovery
from session_app.domain.news2 import news2
from session_app.domain.protocols import Thresholds
from session_app.domain.vitals import VitalSigns

COMPLETE = VitalSigns(
    resp_rate=14, spo2=97, on_oxygen=False, systolic=128, heart_rate=74, moaas=5, temperature_c=36.8
)


def test_a_partial_news2_has_one_short_form_a_star_on_the_total() -> None:
    partial = news2(VitalSigns(systolic=128, heart_rate=74))
    assert partial.partial and partial.short == "0*"
    assert news2(VitalSigns(resp_rate=8, systolic=128, heart_rate=74)).short == "3*"
    assert news2(COMPLETE).short == "0"


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
