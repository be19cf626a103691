"""Plausibility validation: every bad input refused with its own message; edges accepted."""

from __future__ import annotations

import pytest

from session_app.domain.errors import ValidationError
from session_app.domain.vitals import VitalSigns, validate_vitals

GOOD = {
    "systolic": "120",
    "diastolic": "80",
    "heart_rate": "72",
    "spo2": "98",
    "resp_rate": "14",
    "recorded_by": "AB",
}


def with_(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


# (field, typed value, words the message must contain)
BAD_INPUTS = [
    ("heart_rate", "abc", "not a number"),
    ("heart_rate", "0", "outside"),
    ("heart_rate", "19", "outside"),
    ("heart_rate", "251", "outside"),
    ("heart_rate", "-72", "outside"),
    ("heart_rate", "72.5", "whole number"),
    ("heart_rate", "١٢٠", "not a number"),  # Arabic-Indic digits
    ("heart_rate", "９０", "not a number"),  # full-width digits
    ("heart_rate", "99999999999999999999", "not a number"),
    ("heart_rate", "7 2", "not a number"),
    ("heart_rate", "1e2", "not a number"),
    ("systolic", "39", "outside"),
    ("systolic", "301", "outside"),
    ("systolic", "120mmHg", "not a number"),
    ("systolic", "12O", "not a number"),  # letter O
    ("diastolic", "19", "outside"),
    ("diastolic", "201", "outside"),
    ("diastolic", "120", "lower than systolic"),  # DIA = SYS
    ("diastolic", "130", "lower than systolic"),  # DIA > SYS
    ("spo2", "101", "outside"),
    ("spo2", "49", "outside"),
    ("spo2", "97.5", "whole number"),
    ("resp_rate", "1", "outside"),
    ("resp_rate", "71", "outside"),
    ("temperature_c", "29.9", "outside"),
    ("temperature_c", "44.1", "outside"),
    ("temperature_c", "thirty-seven", "not a number"),
    ("temperature_c", "37..0", "not a number"),
    ("moaas", "6", "outside"),
    ("moaas", "-1", "outside"),
    ("cadss", "93", "outside"),
    ("anxiety", "11", "outside"),
    ("nausea", "10.5", "whole number"),
    ("pain", "-1", "outside"),
    ("dissociation", "maybe", "not yes or no"),
    ("recorded_by", "", "required"),
    ("recorded_by", "A", "not initials"),
    ("recorded_by", "A1", "not initials"),
    ("recorded_by", "ABCDE", "not initials"),
    ("note", "x" * 2001, "2001 characters"),
]


@pytest.mark.parametrize(("field", "typed", "words"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_naming_field_value_and_range(
    field: str, typed: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_vitals(with_(**{field: typed}))
    error = caught.value.for_field(field)
    assert error is not None, caught.value.errors
    assert words in error.message
    assert error.message.startswith(error.label + ":")
    if field not in ("recorded_by", "dissociation", "note") or typed:
        assert "accepted" in error.message
    if typed and len(typed) <= 24:
        assert f"'{typed.strip()}'" in error.message or "lower than systolic" in error.message


def test_each_bad_input_has_its_own_message() -> None:
    messages = set()
    for field, typed, _ in BAD_INPUTS:
        with pytest.raises(ValidationError) as caught:
            validate_vitals(with_(**{field: typed}))
        messages.add(caught.value.for_field(field).message)
    assert len(messages) == len(BAD_INPUTS)


def test_empty_check_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one value"):
        validate_vitals({"recorded_by": "AB"})
    with pytest.raises(ValidationError, match="at least one value"):
        validate_vitals({"on_oxygen": "no", "recorded_by": "AB"})


def test_blood_pressure_needs_both_values() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_vitals(with_(diastolic=""))
    assert (
        "required with the other blood pressure value"
        in caught.value.for_field("diastolic").message
    )


def test_several_bad_fields_are_all_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_vitals(with_(heart_rate="0", spo2="101", recorded_by=""))
    assert {e.field for e in caught.value.errors} == {"heart_rate", "spo2", "recorded_by"}


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("heart_rate", "20", 20),
        ("heart_rate", "250", 250),
        ("heart_rate", " 72 ", 72),
        ("systolic", "300", 300),
        ("spo2", "100", 100),
        ("spo2", "50", 50),
        ("resp_rate", "2", 2),
        ("resp_rate", "70", 70),
        ("temperature_c", "30.0", 30.0),
        ("temperature_c", "44", 44.0),
        ("temperature_c", "36,8", 36.8),
        ("moaas", "0", 0),
        ("moaas", "5", 5),
        ("cadss", "92", 92),
        ("pain", "10", 10),
        ("dissociation", "yes", True),
        ("dissociation", "No", False),
        ("recorded_by", "ab", "AB"),
    ],
)
def test_good_edge_values_are_accepted(field: str, typed: str, expected: object) -> None:
    signs = validate_vitals(with_(**{field: typed}))
    assert getattr(signs, field) == expected


def test_diastolic_just_below_systolic_and_the_lowest_pair_are_accepted() -> None:
    assert validate_vitals(with_(systolic="120", diastolic="119")).diastolic == 119
    assert validate_vitals(with_(systolic="40", diastolic="20")).systolic == 40


def test_untyped_measures_are_none_and_listed_as_not_measured() -> None:
    signs = validate_vitals({"heart_rate": "80", "recorded_by": "cd"})
    assert signs == VitalSigns(heart_rate=80, recorded_by="CD")
    assert signs.measured() == {"heart_rate": 80}


def test_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        validate_vitals({"pulse": "80"})
