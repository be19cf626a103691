"""MonitoringService.end_session checks the REMS form's names (domain validate_name)."""

from __future__ import annotations

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.discharge import DischargeInput
from session_app.domain.errors import ValidationError
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore


def test_the_hcp_and_prescriber_are_checked_trimmed_and_stored(
    store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("RT-9", ESKETAMINE_REMS, "AB", 70.0)).id
    with pytest.raises(ValidationError) as caught:
        service.end_session(
            sid,
            DischargeInput({}, True, True, ended_by="", hcp_name="x" * 121, prescriber="a\x07b"),
        )
    assert {e.field for e in caught.value.errors} == {"ended_by", "hcp_name", "prescriber"}
    assert caught.value.for_field("hcp_name").message.startswith(
        "Healthcare provider completing the form: "
    )
    assert caught.value.for_field("prescriber").message.startswith("Prescriber: ")
    assert store.session(sid).is_open
    service.end_session(
        sid,
        DischargeInput({}, True, True, ended_by="ar", hcp_name=" Ana Ruiz ", prescriber=" Dr K "),
    )
    stored = store.discharge(sid)
    assert (stored["hcp_name"], stored["prescriber"]) == ("Ana Ruiz", "Dr K")
