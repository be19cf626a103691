"""The trend charts: the view model from stored records, the cursor readout, the image."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE, Thresholds
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.trends import TrendData
from session_app.ui.charts import TrendCharts

BASE = {"systolic": "120", "diastolic": "80", "heart_rate": "70", "spo2": "98", "resp_rate": "14"}


def _session(store: SessionStore, clock: ManualClock) -> int:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("CH-1", IV_KETAMINE, "AB", 80.0))
    service.record_check(session.id, {**BASE, "recorded_by": "AB"})
    clock.advance(minutes=10)
    service.log_event(session.id, "infusion_start", {"rate": "40", "rate_unit": "mL/h"}, "AB")
    for _minute, hr in ((15, "72"), (30, "135"), (45, "88")):
        clock.advance(minutes=15)
        service.record_check(session.id, {**BASE, "heart_rate": hr, "recorded_by": "AB"})
    clock.advance(minutes=5)
    service.record_check(session.id, {"temperature_c": "36.9", "recorded_by": "AB"})
    service.log_event(session.id, "infusion_stop", {}, "AB")
    return session.id


def test_trend_data_counts_minutes_from_the_dose_and_flags_alerted_points(
    store: SessionStore, clock: ManualClock
) -> None:
    session_id = _session(store, clock)
    data = TrendData.from_records(
        store.checks(session_id), store.events(session_id), store.alerts(session_id)
    )
    assert data.minutes == (-10.0, 15.0, 30.0, 45.0, 50.0)
    x, y = data.series("heart_rate")
    assert list(x) == [-10.0, 15.0, 30.0, 45.0, 50.0]
    assert list(y[:4]) == [70.0, 72.0, 135.0, 88.0] and math.isnan(y[4])
    assert data.flagged["heart_rate"] == ("", "", "alert", "", "")
    assert data.baseline == {"systolic": 120.0, "diastolic": 80.0}
    assert [(m.minute, m.label) for m in data.markers] == [
        (0.0, "Infusion start"),
        (50.0, "Infusion stop"),
    ]


def test_limits_come_from_the_session_snapshot(store: SessionStore, clock: ManualClock) -> None:
    store.save_settings({"thresholds.hr_high": 120})
    session_id = _session(store, clock)
    limits = TrendData.for_session(store, session_id).thresholds
    assert limits.hr_high == 120 and limits.spo2_low == 92
    assert TrendData().thresholds == Thresholds()


def test_readout_and_rendering_for_the_summary(qtbot, store: SessionStore, clock) -> None:
    session_id = _session(store, clock)
    charts = TrendCharts()
    qtbot.addWidget(charts)
    charts.load_session(store, session_id)
    assert charts.data.thresholds.hr_high == 130
    text = charts.show_readout_at(29)
    assert text.startswith("+30 min") and "HR 135/min" in text and "BP 120/80 mmHg" in text
    assert charts.readout.text() == text

    image = charts.render_image(QSize(900, 640))
    assert (image.width(), image.height()) == (900, 640)
    colours = {image.pixelColor(x, y).name() for x in range(0, 900, 7) for y in range(0, 640, 7)}
    assert QColor("white").name() in colours and len(colours) > 10  # drawn, not blank
