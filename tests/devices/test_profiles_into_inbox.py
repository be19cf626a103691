"""Each simulator profile, taken in by the room's real inbox on a real store (issue 17):
every message acknowledged AA, every code known, the artefact flagged and never proposed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from session_app.devices import profiles, simulator
from session_app.devices.inbox import Inbox
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore


@pytest.mark.parametrize("profile", ["ge", "mindray", "philips"])
def test_a_simulated_session_is_taken_in_whole(
    profile: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    clock = ManualClock(start)
    store = SessionStore.open(tmp_path, clock=clock)
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("P-9", IV_KETAMINE, "AB", 70.0)).id
    inbox = Inbox(store)
    plan = simulator.SessionPlan(duration_min=21)  # the artefact: 15 min after the dose at 5
    caplog.set_level(logging.INFO, logger="session_app.devices")
    codes = []
    for out in profiles.session_messages(
        profile, simulator.session_events(plan), patient_id="P-9", start=start, speed=1
    ):
        clock.set(out.observed_at)
        codes.append(inbox.handle(out.text, "127.0.0.1").split("\r")[1].split("|")[1])
    assert set(codes) == {"AA"}
    assert not [r for r in caplog.records if "unknown" in r.getMessage().lower()]
    observations = store.device_observations(sid)
    artefacts = [o for o in observations if o.implausible]
    assert {o.measure for o in artefacts} & {"systolic", "diastolic"}
    proposals = service.proposed_checks(sid)
    nibps = {o.message_id for o in observations if o.measure == "systolic"}
    assert len(proposals) == len(nibps) - 1  # every NIBP but the artefact
    assert all(p.values["systolic"] < 250 for p in proposals)
    store.close()
