"""Issue 15 point 3: a mg/kg dose turned into mg with the weight it used, and into mL."""

from __future__ import annotations

import pytest

from session_app.domain.dose import (
    DoseAmount,
    dose_details,
    dose_in_mg,
    parse_concentration,
    stored_amount,
)
from session_app.domain.errors import ValidationError


def test_a_mg_per_kg_dose_becomes_mg_with_the_weight_it_used() -> None:
    amount = dose_in_mg(0.5, "mg/kg", 72.5)
    assert (amount.mg, amount.weight_kg, amount.volume_ml) == (36.25, 72.5, None)
    assert amount.text == "0.5 mg/kg × 72.5 kg = 36.25 mg"


@pytest.mark.parametrize(
    ("dose", "weight", "mg", "shown"),
    [
        (0.35, 72.5, 25.38, "25.38 mg"),  # 25.375: half up, in decimal (a float gives 25.37)
        (0.5, 70.0, 35.0, "35 mg"),  # no trailing zeros
        (0.333, 61.3, 20.41, "20.41 mg"),  # 20.4129 to 2 decimals
        (0.75, 80.4, 60.3, "60.3 mg"),
    ],
)
def test_mg_is_rounded_half_up_to_two_decimals(
    dose: float, weight: float, mg: float, shown: str
) -> None:
    amount = dose_in_mg(dose, "mg/kg", weight)
    assert amount.mg == mg
    assert amount.text.endswith(f"= {shown}")


def test_with_the_bags_concentration_the_volume_is_given_to_one_decimal() -> None:
    amount = dose_in_mg(0.5, "mg/kg", 72.5, 1.0)
    assert (amount.mg, amount.volume_ml, amount.concentration_mg_ml) == (36.25, 36.3, 1.0)
    assert amount.text == "0.5 mg/kg × 72.5 kg = 36.25 mg (36.3 mL at 1 mg/mL)"
    assert dose_in_mg(35, "mg", None, 10.0).text == "35 mg (3.5 mL at 10 mg/mL)"
    assert dose_in_mg(36.25, "mg", None, 0.4).volume_ml == 90.6  # 90.625 half up


def test_a_mg_dose_needs_no_weight_and_a_mg_per_kg_dose_without_one_says_so() -> None:
    assert dose_in_mg(56, "mg", None) == DoseAmount(56.0, "mg", 56.0)
    assert dose_in_mg(56, "mg", None).text == "56 mg"
    bare = dose_in_mg(0.5, "mg/kg", None, 1.0)
    assert (bare.mg, bare.volume_ml, bare.computed) == (None, None, False)
    assert bare.text == "0.5 mg/kg (mg not computed: no weight)"


def test_the_stored_details_of_a_dose_give_its_amount() -> None:
    details = {"drug": "Ketamine", "dose": 0.5, "unit": "mg/kg", "weight_kg": 72.5}
    assert stored_amount(details) == dose_in_mg(0.5, "mg/kg", 72.5)
    assert stored_amount({**details, "concentration_mg_ml": 1.0}) == dose_in_mg(
        0.5, "mg/kg", 72.5, 1.0
    )
    assert stored_amount({"dose": 0.5, "unit": "mg/kg"}).text.endswith("no weight)")
    assert stored_amount({"drug": "Ketamine"}) is None
    assert stored_amount({"dose": 1, "unit": "puffs"}) is None


def test_a_dose_is_stored_with_the_weight_and_concentration_it_is_computed_with() -> None:
    typed = {"drug": "Ketamine", "dose": 0.5, "unit": "mg/kg", "route": "IV infusion"}
    assert dose_details(typed, 72.5, 1.0) == {
        **typed,
        "weight_kg": 72.5,
        "concentration_mg_ml": 1.0,
    }
    given = {"drug": "Esketamine", "dose": 56.0, "unit": "mg", "route": "Intranasal"}
    assert dose_details(given, 72.5, None) == given  # a mg dose uses no weight


def test_a_mg_per_kg_dose_for_a_session_without_weight_is_refused_in_words() -> None:
    typed = {"drug": "Ketamine", "dose": 0.5, "unit": "mg/kg", "route": "IV infusion"}
    with pytest.raises(ValidationError) as caught:
        dose_details(typed, None, None)
    error = caught.value.for_field("unit")
    assert error is not None
    assert "no weight" in error.message and "give the dose in mg" in error.message


@pytest.mark.parametrize(("text", "value"), [("", None), (" 1 ", 1.0), ("0,5", 0.5), ("50", 50.0)])
def test_the_concentration_setting_is_a_number_of_mg_per_ml_or_empty(
    text: str, value: float | None
) -> None:
    assert parse_concentration(text) == value


@pytest.mark.parametrize("text", ["ten", "0", "-1", "1000", "1/2"])
def test_an_implausible_concentration_is_refused_with_the_range(text: str) -> None:
    with pytest.raises(ValueError, match=r"0\.1–100 mg/mL"):
        parse_concentration(text)
