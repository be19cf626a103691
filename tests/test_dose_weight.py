"""Issue 15 point 3 through MonitoringService and a real store: weight required for IV
ketamine, a mg/kg dose stored with the weight it used, the concentration setting."""

from __future__ import annotations

import pytest

from session_app.domain.dose import stored_amount
from session_app.domain.errors import ValidationError
from session_app.domain.events import describe
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.settings import validate_settings
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

IV_DOSE = {"drug": "Ketamine", "dose": "0.5", "unit": "mg/kg", "route": "IV infusion"}


def test_iv_ketamine_cannot_start_without_a_weight(
    service: MonitoringService, store: SessionStore
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.start_session(NewSession("JD-104", IV_KETAMINE, "AB"))
    error = caught.value.for_field("weight_kg")
    assert error is not None
    assert error.message.startswith("Weight (kg): required for IV ketamine")
    assert "mg/kg" in error.message and "20–350 kg" in error.message
    assert store.sessions() == []


def test_esketamine_is_a_fixed_dose_and_starts_without_a_weight(
    service: MonitoringService,
) -> None:
    session = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB"))
    assert session.weight_kg is None and session.is_open


def test_a_clinic_may_turn_the_weight_requirement_off(
    service: MonitoringService, store: SessionStore
) -> None:
    assert validate_settings({"iv.weight_required": False}) == {}
    store.save_settings({"iv.weight_required": False})
    assert service.start_session(NewSession("JD-104", IV_KETAMINE, "AB")).weight_kg is None
    assert service.protocol(store.sessions()[0].id).weight_required is False


def test_a_mg_per_kg_dose_is_stored_with_the_sessions_weight_and_shown_in_mg(
    service: MonitoringService,
) -> None:
    sid = service.start_session(NewSession("JD-104", IV_KETAMINE, "AB", 72.5)).id
    event = service.log_event(sid, "dose", IV_DOSE, "ab")
    assert event.details["weight_kg"] == 72.5
    amount = stored_amount(event.details)
    assert amount is not None and amount.mg == 36.25
    assert describe(event) == ("Dose given: Ketamine 0.5 mg/kg × 72.5 kg = 36.25 mg, IV infusion")


def test_a_mg_per_kg_dose_for_a_session_without_weight_is_refused_and_not_stored(
    service: MonitoringService, store: SessionStore
) -> None:
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB")).id
    with pytest.raises(ValidationError) as caught:
        service.log_event(sid, "dose", {**IV_DOSE, "drug": "Esketamine"}, "")
    assert {e.field for e in caught.value.errors} == {"unit", "recorded_by"}  # all at once
    assert "give the dose in mg" in caught.value.for_field("unit").message  # type: ignore[union-attr]
    assert store.events(sid) == []
    given = service.log_event(
        sid, "dose", {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}, "ab"
    )
    assert "weight_kg" not in given.details and describe(given).endswith("56 mg, Intranasal")


def test_the_bags_concentration_gives_the_volume(
    service: MonitoringService, store: SessionStore
) -> None:
    assert (
        "0.1–100 mg/mL"
        in validate_settings({"iv.concentration_mg_ml": "0"})["iv.concentration_mg_ml"]
    )
    store.save_settings({"iv.concentration_mg_ml": "1"})
    sid = service.start_session(NewSession("JD-104", IV_KETAMINE, "AB", 72.5)).id
    event = service.log_event(sid, "dose", IV_DOSE, "ab")
    assert event.details["concentration_mg_ml"] == 1.0
    assert "= 36.25 mg (36.3 mL at 1 mg/mL)" in describe(event)
    store.save_settings({"iv.concentration_mg_ml": "2"})  # later: the session keeps its own
    assert "(36.3 mL at 1 mg/mL)" in describe(service.log_event(sid, "dose", IV_DOSE, "ab"))


def test_a_corrected_dose_keeps_the_weight_and_an_unchanged_one_is_refused(
    service: MonitoringService,
) -> None:
    sid = service.start_session(NewSession("JD-104", IV_KETAMINE, "AB", 80.0)).id
    first = service.log_event(sid, "dose", IV_DOSE, "ab")
    with pytest.raises(ValidationError, match="Nothing changed"):
        service.correct_event(first.id, IV_DOSE, reason="same", recorded_by="cd")
    fixed = service.correct_event(
        first.id, {**IV_DOSE, "dose": "0.4"}, reason="typed 0.5", recorded_by="cd"
    )
    assert describe(fixed).startswith("Correction — typed 0.5: Dose given: Ketamine 0.4 mg/kg")
    assert "0.4 mg/kg × 80 kg = 32 mg" in describe(fixed)
