"""A dose as an amount of drug: mg/kg turned into mg with the weight it used, and into mL
when the clinic gives the bag's concentration (issue 15).

One rule, asked by the timeline, the summary and PDF, the CSV and FHIR, so no output
works out a dose of its own. A dose event stores what it was computed with (the
session's weight for a mg/kg dose, the protocol's concentration when set) next to what
was typed, so the record shows the weight it used and every output reads the same.

Rounding, stated so the chart and a hand check agree: mg to 2 decimals, mL to 1,
half up, in decimal arithmetic (0.35 mg/kg × 72.5 kg = 25.375 gives 25.38 mg).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from session_app.domain.errors import FieldError, ValidationError

MG = "mg"
MG_PER_KG = "mg/kg"
WEIGHT_KEY = "weight_kg"  # in a dose event's details: the weight the mg was computed with
CONCENTRATION_KEY = "concentration_mg_ml"  # and the concentration the mL was computed with
MG_PLACES = Decimal("0.01")
ML_PLACES = Decimal("0.1")
CONCENTRATION_RANGE = (0.1, 100.0)  # mg/mL: a diluted bag (0.5–1) up to a 100 mg/mL vial
NOT_COMPUTED = "mg not computed: no weight"


def _decimal(value: float) -> Decimal:
    """The number as typed (str(0.35) is "0.35"), not its binary approximation."""
    return Decimal(str(value))


def _shown(value: float) -> str:
    """36.25 -> "36.25", 35.0 -> "35", 60.30 -> "60.3"."""
    return f"{value:g}" if abs(value) < 1e6 else str(value)


@dataclass(frozen=True)
class DoseAmount:
    """A dose as given (`dose` in `unit`) and as an amount: `mg` (None when a mg/kg dose
    has no weight), the weight it used, and with a concentration the volume in mL."""

    dose: float
    unit: str
    mg: float | None
    weight_kg: float | None = None
    concentration_mg_ml: float | None = None
    volume_ml: float | None = None

    @property
    def computed(self) -> bool:
        return self.mg is not None

    @property
    def text(self) -> str:
        """E.g. "0.5 mg/kg × 72.5 kg = 36.25 mg (36.3 mL at 1 mg/mL)"."""
        given = f"{_shown(self.dose)} {self.unit}"
        if self.mg is None:
            return f"{given} ({NOT_COMPUTED})"
        if self.unit == MG_PER_KG and self.weight_kg is not None:
            given += f" × {_shown(self.weight_kg)} kg = {_shown(self.mg)} mg"
        if self.volume_ml is not None and self.concentration_mg_ml is not None:
            given += f" ({_shown(self.volume_ml)} mL at {_shown(self.concentration_mg_ml)} mg/mL)"
        return given


def dose_in_mg(
    dose: float, unit: str, weight_kg: float | None, concentration_mg_ml: float | None = None
) -> DoseAmount:
    """The amount of a dose (see the module's rounding). ValueError for a unit not mg or
    mg/kg. A mg dose uses no weight; a mg/kg dose without a weight has no mg (nor mL)."""
    if unit not in (MG, MG_PER_KG):
        raise ValueError(f"'{unit}' is not a dose unit (accepted: {MG}, {MG_PER_KG})")
    mg: Decimal | None
    if unit == MG:
        mg, weight_kg = _decimal(dose), None
    elif weight_kg is None:
        mg = None
    else:
        mg = (_decimal(dose) * _decimal(weight_kg)).quantize(MG_PLACES, ROUND_HALF_UP)
    volume = None
    if mg is not None and concentration_mg_ml:
        volume = float((mg / _decimal(concentration_mg_ml)).quantize(ML_PLACES, ROUND_HALF_UP))
    return DoseAmount(
        float(dose),
        unit,
        None if mg is None else float(mg),
        weight_kg,
        concentration_mg_ml if mg is not None else None,
        volume,
    )


def stored_amount(details: Mapping[str, Any]) -> DoseAmount | None:
    """The amount of a stored dose event, from what it was stored with; None when the
    details hold no dose in mg or mg/kg (an entry from elsewhere, an older kind)."""
    dose, unit = details.get("dose"), details.get("unit")
    if not isinstance(dose, int | float) or isinstance(dose, bool) or unit not in (MG, MG_PER_KG):
        return None
    weight, concentration = details.get(WEIGHT_KEY), details.get(CONCENTRATION_KEY)
    return dose_in_mg(
        float(dose),
        str(unit),
        float(weight) if isinstance(weight, int | float) else None,
        float(concentration) if isinstance(concentration, int | float) else None,
    )


def dose_details(
    details: Mapping[str, Any], weight_kg: float | None, concentration_mg_ml: float | None
) -> dict[str, Any]:
    """A validated dose's details with what its amount is computed with: the session's
    weight (a mg/kg dose only) and the protocol's concentration (when the clinic set one).

    A mg/kg dose for a session started without a weight is refused (ValidationError on
    the unit): a weight cannot be added to a session later, the amount would never be
    known, and the nurse knows the mg drawn up.
    """
    out = dict(details)
    if out.get("unit") == MG_PER_KG:
        if weight_kg is None:
            raise ValidationError(
                [
                    FieldError(
                        "unit",
                        "Dose unit",
                        MG_PER_KG,
                        "Dose unit: mg/kg needs the patient's weight, and this session was "
                        "started with no weight: give the dose in mg (accepted: mg).",
                    )
                ]
            )
        out[WEIGHT_KEY] = weight_kg
    if concentration_mg_ml:
        out[CONCENTRATION_KEY] = concentration_mg_ml
    return out


def parse_concentration(text: str) -> float | None:
    """The clinic's concentration setting: empty (not given) or mg/mL in the range;
    ValueError with the sentence to show otherwise."""
    typed = text.strip().replace(",", ".")
    if not typed:
        return None
    low, high = CONCENTRATION_RANGE
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3})?", typed) and low <= float(typed) <= high:
        return float(typed)
    raise ValueError(
        f"'{text}' is not a concentration (accepted: {low:g}–{high:g} mg/mL, or empty "
        "when the clinic gives none)"
    )
