"""Long sessions: 8 hours of one-second data for 6 series, "as if a monitor fed it".

28,800 checks (SYS, DIA, HR, SpO2, RR charted; temperature stored) in the real store.
Measured: loading them into the staff panel's TrendCharts, the chart's redraw (one
repaint of the canvas, the budgeted frame) and redraw after a new point; the flowsheet
(fill, and scrolling a page at a time); the summary build and PDF export — of an
8-hour session typed by a nurse (a check every 5 min, budget 1 s), of a session fed
8 hours of 1 Hz HR and SpO2 by an oximeter (57,600 device observations, summarised per
15 min: seconds) and, optionally (`--pdf-1hz`, minutes of work), of the 1 Hz checks
session itself.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from benchmarks.core import Figure, emit, median, percentile, run_child, temp_dir

if TYPE_CHECKING:
    from session_app.domain.clock import ManualClock
    from session_app.store import SessionStore

REDRAW_BUDGET_MS = 16.0
SCROLL_BUDGET_MS = 16.0
PDF_BUDGET_MS = 1000.0
HOURS = 8.0


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def oximeter_session(store: SessionStore, clock: ManualClock, hours: float = HOURS) -> int:
    """An ended session fed `hours` of 1 Hz HR and SpO2 by an oximeter, stored through the
    store's device write (store.add_device_samples), as the serial reader stores them."""
    from datetime import timedelta

    from session_app.domain.protocols import ESKETAMINE_REMS, preset
    from session_app.domain.session import NewSession
    from session_app.store.devices import NewObservation

    start = clock.now()
    session = store.start_session(
        NewSession("BM-OXI", ESKETAMINE_REMS, "AB", 70.0),
        protocol=preset(ESKETAMINE_REMS).to_dict(),
        started_at=start,
    )
    rows = []
    for second in range(int(hours * 3600)):
        at = start + timedelta(seconds=second)
        spo2, hr = 95 + second % 5, 70 + second % 9
        rows.append(NewObservation("spo2", spo2, "%", "NONIN SPO2", "bench", at, "serial"))
        rows.append(NewObservation("heart_rate", hr, "/min", "NONIN HR", "bench", at, "serial"))
    clock.set(start + timedelta(hours=hours))
    store.add_device_samples(session.id, rows)
    store.end_session(session.id, "AB")
    return session.id


def measure(repeats: int = 15, pdf_1hz: bool = False) -> dict[str, object]:
    from benchmarks.qt_child import qt_app, settle
    from benchmarks.seed import clinical_session, monitor_session
    from session_app.domain.clock import ManualClock
    from session_app.domain.summary import load_summary
    from session_app.export.pdf import render_pdf
    from session_app.monitoring import MonitoringService
    from session_app.store import SessionStore
    from session_app.ui.charts import TrendCharts
    from session_app.ui.staff.flowsheet import Flowsheet

    qt_app()
    out: dict[str, object] = {}
    with temp_dir("long") as data_dir:
        clock = ManualClock()
        store = SessionStore.open(data_dir, clock=clock)
        sid = monitor_session(store, clock, hours=HOURS)
        out["checks"] = len(store.checks(sid))

        # the chart, at the size it has in the staff panel (1280×800 window)
        charts = TrendCharts()
        charts.resize(840, 520)
        charts.show()
        settle()
        loads = []
        for _ in range(3):
            start = time.perf_counter()
            charts.load_session(store, sid)
            loads.append(_ms(start))
        out["chart_load_ms"] = loads
        viewport = charts.graphics.viewport()
        viewport.repaint()
        redraws, updates = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            viewport.repaint()
            redraws.append(_ms(start))
        data = charts.data
        for _ in range(repeats):
            start = time.perf_counter()
            charts.set_data(data)
            viewport.repaint()
            updates.append(_ms(start))
        out["chart_redraw_ms"] = redraws
        out["chart_update_ms"] = updates
        charts.close()

        # the flowsheet: fill it, then scroll a page at a time
        sheet = Flowsheet(store, service=MonitoringService(store, store.clock))
        sheet.resize(840, 420)
        sheet.show()
        settle()
        start = time.perf_counter()
        sheet.set_session(sid)
        out["flowsheet_fill_ms"] = _ms(start)
        table = getattr(sheet, "table", sheet)  # the view may wrap its table
        bar = table.verticalScrollBar()
        scrolls = []
        for _ in range(repeats * 4):
            start = time.perf_counter()
            bar.setValue(bar.value() + bar.pageStep())
            table.viewport().repaint()
            scrolls.append(_ms(start))
        out["flowsheet_scroll_ms"] = scrolls
        sheet.close()

        # summary + PDF of a session typed by hand over 8 hours
        typed = clinical_session(store, MonitoringService(store, clock), clock, hours=HOURS)
        summaries, pdfs = [], []
        for index in range(3):
            start = time.perf_counter()
            summary = load_summary(store, typed, clock.now())
            summaries.append(_ms(start))
            start = time.perf_counter()
            render_pdf(summary, data_dir / f"typed-{index}.pdf")
            pdfs.append(_ms(start))
        out["typed_checks"] = len(summary.checks)
        out["typed_summary_ms"] = summaries
        out["typed_pdf_ms"] = pdfs
        # summary + PDF of a session an oximeter fed for 8 hours (the trace summarised)
        oximeter = oximeter_session(store, clock)
        start = time.perf_counter()
        summary = load_summary(store, oximeter, clock.now())
        out["oximeter_summary_ms"] = _ms(start)
        start = time.perf_counter()
        render_pdf(summary, data_dir / "oximeter.pdf")
        out["oximeter_pdf_ms"] = _ms(start)
        out["oximeter_values"] = len(summary.record.device_values)

        start = time.perf_counter()
        summary = load_summary(store, sid, clock.now())
        out["monitor_summary_ms"] = _ms(start)
        if pdf_1hz:
            start = time.perf_counter()
            render_pdf(summary, data_dir / "monitor.pdf")
            out["monitor_pdf_ms"] = _ms(start)
        store.close()
    return out


def run(display: str, runs: int = 1, pdf_1hz: bool = False) -> list[Figure]:
    args = ["--json"] + (["--pdf-1hz"] if pdf_1hz else [])
    results = [run_child("long_session", args, display=display, timeout=3600) for _ in range(runs)]

    def med(key: str) -> float:
        return median([median(r[key]) for r in results])

    def p95(key: str) -> float:
        return median([percentile(r[key], 95) for r in results])

    checks = results[0]["checks"]
    figures = [
        Figure(
            "long.chart_load",
            f"Chart load of 8 h × 1 Hz ({checks} checks, 6 series)",
            med("chart_load_ms"),
            "ms",
            note="store read + TrendData + set_data",
        ),
        Figure(
            "long.chart_redraw",
            "Chart redraw, 8 h × 1 Hz (one repaint)",
            med("chart_redraw_ms"),
            "ms",
            budget=REDRAW_BUDGET_MS,
        ),
        Figure(
            "long.chart_update",
            "Chart set_data + repaint, 8 h × 1 Hz",
            med("chart_update_ms"),
            "ms",
        ),
        Figure(
            "long.flowsheet_fill",
            f"Flowsheet fill, {checks} rows",
            median([float(r["flowsheet_fill_ms"]) for r in results]),
            "ms",
        ),
        Figure(
            "long.flowsheet_scroll",
            "Flowsheet scroll one page, p95",
            p95("flowsheet_scroll_ms"),
            "ms",
            budget=SCROLL_BUDGET_MS,
            note="budget: one frame (the issue sets none)",
        ),
        Figure(
            "long.summary_typed",
            f"Summary build, 8 h typed session ({results[0]['typed_checks']} checks)",
            med("typed_summary_ms"),
            "ms",
        ),
        Figure(
            "long.pdf_typed",
            "Summary build + PDF export, 8 h typed session",
            med("typed_summary_ms") + med("typed_pdf_ms"),
            "ms",
            budget=PDF_BUDGET_MS,
        ),
        Figure(
            "long.summary_1hz",
            "Summary build, 8 h × 1 Hz session",
            median([float(r["monitor_summary_ms"]) for r in results]),
            "ms",
        ),
        Figure(
            "long.pdf_oximeter",
            f"Summary build + PDF, 8 h of 1 Hz HR and SpO2 ({results[0]['oximeter_values']}"
            " device values)",
            median(
                [float(r["oximeter_summary_ms"]) + float(r["oximeter_pdf_ms"]) for r in results]
            ),
            "ms",
            note="issue 17: seconds, not minutes (trace as min/max per 15 min)",
        ),
    ]
    if pdf_1hz:
        figures.append(
            Figure(
                "long.pdf_1hz",
                "Summary build + PDF export, 8 h × 1 Hz session",
                median(
                    [float(r["monitor_summary_ms"]) + float(r["monitor_pdf_ms"]) for r in results]
                ),
                "ms",
                budget=PDF_BUDGET_MS,
            )
        )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--pdf-1hz", action="store_true")
    parser.add_argument("--repeats", type=int, default=15)
    options = parser.parse_args()
    emit(measure(options.repeats, options.pdf_1hz))
