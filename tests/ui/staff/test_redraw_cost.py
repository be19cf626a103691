"""What keeps a save and a long session's redraw cheap (issue 7), as behaviour.

One reload per event-loop turn however many announcements a save makes, and none left
pending after a form's save; one paint of the chart per save; a live time axis that
keeps its scale; threshold lines kept while the limits stay; a new check inserted into
the flowsheet, not a refill; monitor-density data drawn thin, clipped and downsampled;
one countdown tick per save. The figures themselves come from `make bench`, never from a test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget

from session_app.domain.clock import ManualClock
from session_app.domain.session import TreatmentSession
from session_app.store import SessionStore
from session_app.trends import TrendData, x_range
from session_app.ui.charts import DENSE_POINTS, TrendCharts
from session_app.ui.staff.flowsheet import COLUMN_INDEX
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE, PaintCounter

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def _count_calls(obj: object, name: str) -> list[int]:
    """Count calls of a bound method (wrapping it on this one object)."""
    calls: list[int] = []
    original = getattr(obj, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    setattr(obj, name, counted)
    return calls


def _spin() -> None:
    """Let the event loop run its pending zero-delay timers."""
    for _ in range(3):
        QApplication.processEvents()


def test_a_save_with_an_alert_reloads_the_chart_once_in_the_next_turn(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    _spin()
    reloads = _count_calls(panel.charts, "reload")
    clock.advance(minutes=15)
    saved = panel.service.record_check(session.id, {**BASELINE, "diastolic": "108"})
    assert saved.alerts, "the rise over baseline must raise an alert (two announcements)"
    assert panel.charts.reload_pending and reloads == []
    qtbot.waitUntil(lambda: not panel.charts.reload_pending)
    _spin()
    assert len(reloads) == 1
    assert panel.charts.data.values["diastolic"][-1] == 108.0
    assert panel.charts.data.flagged["diastolic"][-1] != ""  # the alert marks the point


def test_reading_the_chart_at_once_applies_the_pending_reload_only_once(
    qtbot, panel: StaffPanel, session: TreatmentSession
) -> None:
    reloads = _count_calls(panel.charts, "reload")
    panel.service.record_check(session.id, BASELINE)
    assert list(panel.charts.data.series("systolic")[1]) == [128.0]
    _spin()
    assert len(reloads) == 1


def test_threshold_lines_are_kept_until_the_limits_or_markers_change(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    panel.charts.flush()
    hr_lines = list(panel.charts._decorations["hr"])
    clock.advance(minutes=10)
    panel.service.record_check(session.id, {**BASELINE, "heart_rate": "80"})
    panel.charts.flush()
    assert panel.charts._decorations["hr"] == hr_lines  # the same line objects, not rebuilt
    assert all(line.scene() is not None for line in hr_lines)

    panel.service.log_event(session.id, "dose", DOSE, "AB")
    panel.charts.flush()
    rebuilt = panel.charts._decorations["hr"]
    assert rebuilt != hr_lines and len(rebuilt) == len(hr_lines) + 1  # the dose marker
    assert all(line.scene() is None for line in hr_lines)  # the old ones are gone


def test_dense_monitor_data_is_drawn_thin_clipped_and_downsampled(qtbot) -> None:
    charts = TrendCharts()
    qtbot.addWidget(charts)
    charts.resize(840, 520)
    charts.show()
    qtbot.waitExposed(charts)
    count = 8 * 3600  # 8 hours of one-second data
    assert count > DENSE_POINTS
    minutes = tuple(i / 60 for i in range(count))
    values = {
        m: tuple(float(70 + (i % 7)) for i in range(count))
        for m in ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate")
    }
    charts.set_data(TrendData(minutes=minutes, values=values, flagged={}))
    curve = charts.curves["heart_rate"]
    assert charts.dense
    assert curve.opts["symbol"] is None and curve.opts["pen"].widthF() == 1
    assert curve.opts["autoDownsample"] and curve.opts["downsampleMethod"] == "peak"
    assert curve.opts["clipToView"]
    qtbot.waitUntil(lambda: len(curve.getData()[0]) < count)  # fewer points than the data

    sparse = TrendData(minutes=(0.0, 15.0), values={"heart_rate": (70.0, 72.0)})
    charts.set_data(sparse)
    assert not charts.dense
    assert curve.opts["symbol"] == "o" and curve.opts["pen"].widthF() == 2
    assert not curve.opts["clipToView"] and not curve.opts["autoDownsample"]
    assert list(curve.getData()[1]) == [70.0, 72.0]


def test_a_new_check_is_inserted_at_the_top_without_refilling_the_flowsheet(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    table = panel.flowsheet.table
    panel.service.record_check(session.id, BASELINE)
    assert table.rowCount() == 1
    refills = table.refills
    clock.advance(minutes=15)
    diss_width = table.columnWidth(COLUMN_INDEX["dissociation"])
    panel.service.record_check(
        session.id, {**BASELINE, "diastolic": "108", "dissociation": "yes", "cadss": "12"}
    )
    qtbot.waitUntil(lambda: not table.refresh_pending)
    assert table.refills == refills  # inserted, not refilled
    assert table.rowCount() == 2
    assert panel.flowsheet.row_texts(0)["bp"] == "128/108"
    assert panel.flowsheet.row_texts(1)["bp"] == "128/80"
    assert panel.flowsheet.item(0, COLUMN_INDEX["bp"]).font().bold()  # the alert's value
    assert panel.flowsheet.row_texts(0)["dissociation"] == "yes (CADSS 12)"
    assert table.columnWidth(COLUMN_INDEX["dissociation"]) > diss_width  # widened for it


def test_a_back_dated_check_refills_the_flowsheet_in_time_order(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    clock.advance(minutes=30)
    panel.service.record_check(session.id, {**BASELINE, "heart_rate": "90"})
    table = panel.flowsheet.table
    assert table.rowCount() == 2
    refills = table.refills
    panel.service.record_check(
        session.id,
        {**BASELINE, "heart_rate": "80"},
        taken_at=clock.now() - timedelta(minutes=15),
    )
    assert [panel.flowsheet.row_texts(r)["heart_rate"] for r in range(3)] == ["90", "80", "74"]
    assert table.refills == refills + 1


def test_the_countdown_reads_the_schedule_once_per_save(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore
) -> None:
    ticks: list[int] = []
    panel.countdown.updated.connect(lambda: ticks.append(1))
    form = panel.vitals_form
    for name, text in BASELINE.items():
        form.controls[name].setText(text)  # type: ignore[union-attr]
    assert form.submit() is not None
    assert len(ticks) == 1
    assert len(store.checks(session.id)) == 1


def _fill(panel: StaffPanel, values: dict[str, str]) -> None:
    for name, text in values.items():
        panel.vitals_form.controls[name].setText(text)  # type: ignore[union-attr]


def _settle(qtbot) -> None:
    """Run the event loop until nothing is left to do (repaints included)."""
    for _ in range(5):
        qtbot.wait(20)


def test_a_form_save_has_chart_and_flowsheet_up_to_date_before_anything_repaints(
    qtbot, panel: StaffPanel, session: TreatmentSession
) -> None:
    _fill(panel, BASELINE)
    assert panel.vitals_form.submit() is not None
    # no event processed yet: the form's repaint will carry the chart and flowsheet too
    assert not panel.charts.reload_pending
    assert not panel.flowsheet.table.refresh_pending
    assert list(panel.charts._data.series("systolic")[1]) == [128.0]
    assert QTableWidget.rowCount(panel.flowsheet.table) == 1


def test_a_save_repaints_the_chart_canvas_once(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    """pyqtgraph applies a new range inside the next paint, which used to dirty the canvas
    again: every save painted the chart twice."""
    panel.service.log_event(session.id, "dose", DOSE, "AB")
    _fill(panel, BASELINE)
    panel.vitals_form.submit()
    _settle(qtbot)
    paints = PaintCounter(panel.charts.graphics.viewport())
    for minutes_later, heart_rate in ((45, "90"), (30, "60")):  # at 75 min the axis widens
        clock.advance(minutes=minutes_later)
        _fill(panel, {**BASELINE, "heart_rate": heart_rate})
        before = paints.paints
        panel.vitals_form.submit()
        _settle(qtbot)
        assert paints.paints - before == 1, f"the save {minutes_later} min later"
    assert panel.charts.data.values["heart_rate"][-1] == 60.0


def test_the_live_time_axis_keeps_its_scale_until_a_check_passes_its_end(
    qtbot, panel: StaffPanel, session: TreatmentSession, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    clock.advance(minutes=10)
    panel.service.log_event(session.id, "dose", DOSE, "AB")
    panel.charts.flush()
    axis = panel.charts.plots["bp"]
    first = axis.viewRange()[0]
    assert first[0] < -10 < 60 < first[1] < 65  # the first hour, with a margin
    for _ in range(3):
        clock.advance(minutes=15)
        panel.service.record_check(session.id, BASELINE)
        panel.charts.flush()
        assert axis.viewRange()[0] == pytest.approx(first)  # same scale: no re-layout
    clock.advance(minutes=20)  # 65 min after the dose: past the first frame
    panel.service.record_check(session.id, BASELINE)
    panel.charts.flush()
    low, high = axis.viewRange()[0]
    assert low == pytest.approx(first[0], abs=2) and 90 < high < 95


def test_a_finished_session_is_fitted_to_its_points() -> None:
    data = TrendData(minutes=(-5.0, 0.0, 40.0, 70.0), values={"heart_rate": (70, 71, 72, 73)})
    low, high = x_range(data)
    assert low < -5 and 70 < high < 75  # no empty frame to the right in a summary
    live_low, live_high = x_range(data, live=True)
    assert live_low < -5 and 90 <= live_high < 95
    long = TrendData(minutes=(0.0, 500.0), values={"heart_rate": (70, 71)})
    assert 960 <= x_range(long, live=True)[1] < 1000  # past the last frame: whole steps
    assert x_range(TrendData()) == (-10.0, 120.0)
