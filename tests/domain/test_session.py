from __future__ import annotations

import pytest

from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import validate_new_session


def test_pseudonymous_session_is_accepted_and_normalised() -> None:
    new = validate_new_session(" jd-104 ", IV_KETAMINE, "ab", "72,5")
    assert (new.patient_id, new.staff_initials, new.weight_kg) == ("JD-104", "AB", 72.5)


def test_weight_is_optional() -> None:
    assert validate_new_session("MRN123", ESKETAMINE_REMS, "CD").weight_kg is None


@pytest.mark.parametrize(
    ("patient_id", "staff", "weight", "field", "words"),
    [
        ("John Smith", "AB", "70", "patient_id", "never a full name"),
        ("", "AB", "70", "patient_id", "not initials or a clinic ID"),
        ("J", "AB", "70", "patient_id", "2–16"),
        ("ABCDEFGHIJKLMNOPQ", "AB", "70", "patient_id", "2–16"),
        ("JD", "", "70", "staff_initials", "2–4 letters"),
        ("JD", "A.B", "70", "staff_initials", "not initials"),
        ("JD", "AB", "19", "weight_kg", "20–350 kg"),
        ("JD", "AB", "400", "weight_kg", "not a plausible weight"),
        ("JD", "AB", "seventy", "weight_kg", "not a plausible weight"),
        ("JD", "AB", "70.25", "weight_kg", "one decimal"),
    ],
)
def test_bad_session_fields_are_refused(
    patient_id: str, staff: str, weight: str, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_new_session(patient_id, IV_KETAMINE, staff, weight)
    error = caught.value.for_field(field)
    assert error is not None
    assert words in error.message


def test_missing_protocol_is_refused() -> None:
    with pytest.raises(ValidationError, match="choose a protocol"):
        validate_new_session("JD", " ", "AB")
