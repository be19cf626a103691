"""Issue 15: the REMS form's event inputs (opioids, the pre-dose check), the coded adverse
events of the seeds and the label, and "now" typed in a time box."""

from __future__ import annotations

import pytest

from session_app.domain import events as ev
from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.records import SessionEvent

NOW = ManualClock().now()
NO_MEDS = {
    "benzodiazepines": "no",
    "sedative_hypnotics": "no",
    "psychostimulants": "no",
    "maois": "no",
}


def test_opioids_are_the_fifth_concomitant_class_and_need_an_answer() -> None:
    assert [name for name, _ in ev.CONCOMITANT_CLASSES][-1] == "opioids"
    with pytest.raises(ValidationError) as caught:
        ev.validate_event("concomitant_meds", NO_MEDS)
    assert caught.value.for_field("opioids").message == "Opioids: required (accepted: yes or no)."
    details = ev.validate_event("concomitant_meds", {**NO_MEDS, "opioids": "Yes"})
    assert details["opioids"] is True
    line = ev.describe(SessionEvent(1, 1, "concomitant_meds", NOW, NOW, "AB", details))
    assert line.endswith("MAOIs no, Opioids yes")


@pytest.mark.parametrize(
    "choice",
    [
        "dizziness/vertigo",
        "headache",
        "hallucinations",
        "anxiety/panic",
        "palpitations",
        "breathing difficulty / respiratory depression",
        "excessive sedation",
        "dissociation beyond what is expected",
    ],
)
def test_the_adverse_events_of_the_seeds_and_the_label_are_coded_choices(choice: str) -> None:
    assert ev.validate_event("adverse_event", {"type": choice.upper()}) == {"type": choice}


def test_other_stays_the_last_choice_and_still_needs_a_description() -> None:
    assert ev.ADVERSE_TYPES[-1] == "other"
    assert {"nausea", "vomiting", "hypertension", "emergence reaction"} <= set(ev.ADVERSE_TYPES)
    with pytest.raises(ValidationError, match="Description: required when"):
        ev.validate_event("adverse_event", {"type": "other"})


def test_the_pre_dose_check_records_the_attestation_and_an_optional_first_treatment() -> None:
    spec = ev.EVENT_KINDS["pre_dose_check"]
    assert spec.field("vitals_ok").label == "Vital signs acceptable before dosing"
    assert spec.field("vitals_ok").required and not spec.field("first_treatment").required
    with pytest.raises(ValidationError) as caught:
        ev.validate_event("pre_dose_check", {})
    assert caught.value.for_field("vitals_ok").message == (
        "Vital signs acceptable before dosing: required (accepted: yes or no)."
    )
    details = ev.validate_event("pre_dose_check", {"vitals_ok": "yes", "first_treatment": "no"})
    assert details == {"vitals_ok": True, "first_treatment": False}
    line = ev.describe(SessionEvent(1, 1, "pre_dose_check", NOW, NOW, "AB", details))
    assert line == (
        "Pre-dose check: vital signs acceptable before dosing yes, first treatment no"
    )


@pytest.mark.parametrize("typed", ["now", "NOW", "  Now ", "\tnow\n"])
def test_now_in_a_time_box_is_the_callers_now(typed: str) -> None:
    assert ev.parse_time_of_day(typed, NOW) == NOW


@pytest.mark.parametrize("typed", ["now!", "no w", "nowadays", "right now", "n"])
def test_anything_else_that_is_not_a_time_is_still_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="is not a time of day"):
        ev.parse_time_of_day(typed, NOW, label="Time")
