"""One protocol fallback (issue 14 point 3): monitoring, summary and charts read the same
Protocol/Thresholds from a session's stored snapshot, whatever state the snapshot is in."""

from __future__ import annotations

from typing import Any

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS, preset
from session_app.domain.session import NewSession
from session_app.domain.session_protocol import session_protocol
from session_app.domain.summary import load_summary
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.trends import TrendData

CUSTOM = preset(ESKETAMINE_REMS, {"thresholds.hr_high": 120}).to_dict()


@pytest.mark.parametrize(
    ("snapshot", "hr_high", "phases"),
    [
        (CUSTOM, 120, True),  # the snapshot taken at start
        (None, 130, True),  # an old session without one: the preset's declared defaults
        ({"name": ESKETAMINE_REMS}, 130, True),  # no rules in it: the preset, not no checks
        ({**CUSTOM, "thresholds": {"hr_high": "fast"}}, 130, True),  # unreadable: the preset
    ],
)
def test_monitoring_summary_and_charts_read_one_protocol(
    store: SessionStore,
    clock: ManualClock,
    snapshot: dict[str, Any] | None,
    hr_high: int,
    phases: bool,
) -> None:
    session = store.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB"), protocol=snapshot)
    expected = session_protocol(store.session(session.id))
    assert expected.thresholds.hr_high == hr_high
    assert bool(expected.fixed_checks or expected.phases) is phases
    assert MonitoringService(store, clock).protocol(session.id) == expected
    summary = load_summary(store, session.id, clock.now())
    assert summary.protocol == expected
    data = TrendData.for_session(store, session.id)
    assert data.thresholds == expected.thresholds
