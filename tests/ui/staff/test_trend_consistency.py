"""The charts agree with the domain: baseline lines (issue 14 point 1), severity rings and
flowsheet tints (point 2). Same repro as tests/domain/test_baseline.py."""

from __future__ import annotations

import pyqtgraph as pg

from session_app.domain.clock import ManualClock
from session_app.domain.summary import load_summary
from session_app.export.pdf import trend_data
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.charts import SEVERITY_COLOURS, TrendCharts
from session_app.ui.staff.alerts_panel import AlertsPanel
from session_app.ui.staff.flowsheet import COLUMN_INDEX, SEVERITY_TINTS, FlowsheetTable
from tests.domain.test_baseline import repro


def _bp_lines(charts: TrendCharts) -> dict[str, float]:
    """The labelled horizontal lines of the BP plot: label -> value."""
    return {
        item.label.format: item.value()
        for item in charts.plots["bp"].items
        if isinstance(item, pg.InfiniteLine)
        and getattr(item, "label", None) is not None
        and item.angle == 0
    }


def test_the_live_chart_draws_the_baseline_the_alerts_use(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid, _ = repro(MonitoringService(store, clock), clock)
    charts = TrendCharts()
    qtbot.addWidget(charts)
    charts.follow(store)
    charts.load_session(store, sid)
    assert charts.data.baseline == {"systolic": 125.0, "diastolic": 80.0}
    lines = _bp_lines(charts)
    assert lines["baseline SYS 125"] == 125 and lines["baseline DIA 80"] == 80
    assert lines["SYS +40"] == 165  # not 190: the rise is from the repeated BP


def test_the_summary_and_pdf_chart_draw_the_baseline_the_alerts_use(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid, _ = repro(MonitoringService(store, clock), clock)
    summary = load_summary(store, sid, clock.now())
    assert trend_data(summary).baseline == {"systolic": 125.0, "diastolic": 80.0}
    view = TrendCharts()  # the summary screen's charts
    qtbot.addWidget(view)
    view.load_session(store, sid)
    assert _bp_lines(view)["SYS +40"] == 165


def test_flowsheet_tint_chart_ring_and_alert_order_all_show_the_worst_severity(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    """185/85 raises "high" (over 180) and "alert" (60 over baseline) on the systolic."""
    sid, _ = repro(MonitoringService(store, clock), clock)
    charts = TrendCharts()
    qtbot.addWidget(charts)
    charts.load_session(store, sid)
    assert charts.data.flagged["systolic"][-1] == "high"
    ring = max(charts.flag_points["systolic"].points(), key=lambda p: p.pos().x())
    assert ring.pos().y() == 185 and ring.brush().color().name() == SEVERITY_COLOURS["high"]
    table = FlowsheetTable(store)
    qtbot.addWidget(table)
    table.set_session(sid)
    cell = table.item(0, COLUMN_INDEX["bp"])  # newest first
    assert cell is not None and cell.text().startswith("185/85")
    assert cell.background().color().name() == SEVERITY_TINTS["high"]
    panel = AlertsPanel(store, MonitoringService(store, clock))
    qtbot.addWidget(panel)
    panel.set_session(sid)
    assert panel.cards[0].alert.severity == "high"
