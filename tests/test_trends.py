"""The trends view model without Qt: minute 0, flags, baseline, thresholds, x-range."""

from __future__ import annotations

import math
import subprocess
import sys

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.trends import TrendData, x_range


def test_importing_the_trends_model_loads_no_qt_and_no_plotting() -> None:
    code = (
        "import sys, session_app.trends;"
        "print(sorted(m for m in ('PySide6', 'pyqtgraph', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_session_read_into_trend_data(store: SessionStore, clock: ManualClock) -> None:
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB")).id
    base = {"systolic": "125", "diastolic": "80", "heart_rate": "70", "recorded_by": "AB"}
    service.record_check(sid, base)
    clock.advance(minutes=5)
    service.log_event(
        sid, "dose", {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}, "AB"
    )
    clock.advance(minutes=40)
    service.record_check(sid, {**base, "systolic": "185", "diastolic": "85"})
    data = TrendData.for_session(store, sid)
    assert data.minutes == (-5.0, 40.0) and data.reference_label == "minutes since dose"
    assert data.flagged["systolic"] == ("", "high")  # worst of "high" and "alert"
    assert data.baseline == {"systolic": 125.0, "diastolic": 80.0}
    assert data.thresholds == service.protocol(sid).thresholds
    assert math.isnan(data.series("spo2")[1][0])
    assert [m.label for m in data.markers] == ["Dose"]
    assert x_range(data, live=True)[1] > 60 > x_range(data)[1]


def test_a_pause_and_its_resume_are_both_marked(store: SessionStore, clock: ManualClock) -> None:
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("JD-104", ESKETAMINE_REMS, "AB")).id
    for kind in ("infusion_pause", "infusion_resume"):
        clock.advance(minutes=5)
        service.log_event(sid, kind, {}, "AB")
    labels = [m.label for m in TrendData.for_session(store, sid).markers]
    assert labels == ["Infusion pause", "Infusion resume"]
