"""The PDF's charts draw the monitor's trace under the typed points, as the staff panel's
charts do (issue 17: "Continuous HR and SpO2 draw a thin monitor trace … on the charts")."""

from __future__ import annotations

import math

from session_app.domain.clock import ManualClock
from session_app.domain.summary import load_summary
from session_app.export.pdf import trend_data
from session_app.store import SessionStore
from tests.export.monitor_seed import seed_monitor_session
from tests.export.service_seed import seed_session


def test_the_pdf_charts_trace_the_monitors_plausible_values(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_monitor_session(store, clock, trace_minutes=20)
    summary = load_summary(store, seeded.session_id, clock.now())
    data = trend_data(summary)
    assert set(data.trace) == {"heart_rate", "spo2"}
    spo2 = [y for y in data.trace["spo2"][1] if not math.isnan(y)]
    assert len(spo2) >= 20 * 60 and min(spo2) >= 96  # the two flagged values are left out
    assert len(data.minutes) == len(summary.record.checks)  # the typed points as before


def test_a_session_without_a_monitor_has_no_trace_in_its_pdf_charts(
    store: SessionStore, clock: ManualClock
) -> None:
    seeded = seed_session(store, clock)
    assert trend_data(load_summary(store, seeded.session_id, clock.now())).trace == {}
