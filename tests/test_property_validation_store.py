"""Property tests: any text typed into any field is either accepted as a plausible value
or refused with a message naming the field; nothing refused reaches the store; anything
accepted reads back identical."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.vitals import FIELD_BY_NAME, VITAL_FIELDS, Kind, validate_vitals
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore

FIELD_NAMES = [spec.name for spec in VITAL_FIELDS]
typed_text = st.one_of(
    st.text(max_size=30),
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "yes", "no", "AB", "120", "80", "36.6", "١٢٠", "1e3", "0x50"]),
)
forms = st.dictionaries(st.sampled_from(FIELD_NAMES), typed_text, max_size=len(FIELD_NAMES))


def check_plausible(signs) -> None:
    for spec in VITAL_FIELDS:
        value = getattr(signs, spec.name)
        if value is None or spec.kind not in (Kind.INTEGER, Kind.DECIMAL):
            continue
        assert spec.low <= value <= spec.high, (spec.name, value)
    if signs.systolic is not None:
        assert signs.diastolic is not None and signs.diastolic < signs.systolic


@settings(max_examples=400, deadline=None)
@given(forms)
def test_any_input_is_accepted_plausibly_or_refused_with_a_named_message(raw) -> None:
    try:
        signs = validate_vitals(raw)
    except ValidationError as exc:
        assert exc.errors
        for error in exc.errors:
            # Each field's message names it; the one whole-form message says what is missing.
            assert error.message.startswith(FIELD_BY_NAME[error.field].label) or (
                error.message.startswith("No measurement entered")
            )
        return
    check_plausible(signs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(forms, min_size=1, max_size=6))
def test_store_holds_exactly_what_was_accepted(batch) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore.open(Path(tmp), clock=ManualClock())
        service = MonitoringService(store, store.clock)
        session_id = service.start_session(NewSession("PT", IV_KETAMINE, "AB", 70.0)).id
        accepted = []
        for raw in batch:
            raw = {**raw, "recorded_by": raw.get("recorded_by", "AB")}
            try:
                signs = validate_vitals(raw)
            except ValidationError:
                with pytest.raises(ValidationError):  # the service refuses it too
                    service.record_check(session_id, raw)
                continue
            assert service.record_check(session_id, raw).check.signs == signs
            accepted.append(signs)
        store.close()
        reopened = SessionStore.open(Path(tmp))
        assert [c.signs for c in reopened.checks(session_id)] == accepted
        reopened.close()
