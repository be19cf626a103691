"""The monitor trace on the staff panel's live chart: HR and SpO2 numerics from the real
inbox (the simulator's GE profile) into a real SQLite file, drawn under the typed points,
redrawn on a slow timer rather than per sample (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from session_app.devices.inbox import Inbox
from session_app.devices.oru import parse_message
from session_app.devices.profiles import GE, MessageContext
from session_app.devices.simulator import Numerics
from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from session_app.trends import TrendData, trace_series
from session_app.ui.charts import TRACE_REDRAW_MS
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE, PaintCounter

DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def send_numerics(store: SessionStore, clock: ManualClock, count: int, first: int = 1) -> None:
    """`count` messages of 1 Hz numerics, one a second of the room's clock (each with two
    heart rates, the ECG's and the oximeter's pulse, which the store both keeps)."""
    inbox = Inbox(store)
    for n in range(first, first + count):
        sample = Numerics(n, heart_rate=72, pulse_rate=72, spo2=97, resp_rate=14,
                          perfusion_index=3.1)  # fmt: skip
        text = GE.oru(sample, MessageContext("RT-1", clock.now(), f"N{n:06d}"))
        assert parse_message(inbox.handle(text, "127.0.0.1"))["MSA.F1"] == "AA"
        clock.advance(seconds=1)


def test_numerics_draw_a_trace_on_the_slow_timer_not_per_sample(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    charts.flush()
    send_numerics(store, clock, 12)
    assert not charts.reload_pending  # numerics do not reload the checks
    assert charts.trace_pending
    assert charts._trace_timer.interval() >= TRACE_REDRAW_MS
    assert charts.trace_redraws == 0
    assert charts.data.trace == {}
    charts.flush_trace()  # what the timer does, at most every TRACE_REDRAW_MS
    assert charts.trace_redraws == 1
    xs, ys = charts.data.trace["heart_rate"]
    assert len(set(xs)) == 12 and set(ys) == {72.0}
    assert len(charts.data.trace["spo2"][0]) == 12
    assert len(charts._trend_plots.trace_curves["spo2"].getData()[0]) == 12
    charts.flush_trace()  # nothing new since: no redraw
    assert charts.trace_redraws == 1


def test_the_trace_grows_with_new_numerics_and_survives_a_saved_check(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    send_numerics(store, clock, 5)
    charts.flush_trace()
    clock.advance(seconds=30)  # the probe was off: a gap in the trace
    send_numerics(store, clock, 4, first=6)
    charts.flush_trace()
    assert len([x for x in charts.data.trace["spo2"][1] if x == x]) == 9
    panel.service.log_event(session.id, "dose", DOSE, "AB")  # minute 0 moves
    panel.service.record_check(session.id, {**BASELINE, "systolic": "131"})
    charts.flush()
    assert len(charts.data.minutes) == 2
    assert_trace_is_the_one_traced_from_scratch(charts, store, session.id)  # NaN: the gap


def test_the_kept_trace_is_read_only_arrays_extended_as_traced_from_scratch(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    send_numerics(store, clock, 5)
    charts.flush_trace()
    clock.advance(seconds=30)  # a gap, then more values: each flush extends the arrays
    send_numerics(store, clock, 4, first=6)
    charts.flush_trace()
    send_numerics(store, clock, 3, first=10)
    charts.flush_trace()
    assert charts.trace_redraws == 3
    reference = charts.data.reference
    assert reference is not None
    from_scratch = trace_series(store.device_observations(session.id), reference)
    for measure in ("heart_rate", "spo2"):
        for kept, traced in zip(charts.data.trace[measure], from_scratch[measure], strict=True):
            assert isinstance(kept, np.ndarray) and not kept.flags.writeable
            np.testing.assert_array_equal(kept, np.asarray(traced))  # NaN where the gap is


def test_a_saved_check_does_not_hand_the_same_trace_to_the_chart_again(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    send_numerics(store, clock, 5)
    charts.flush_trace()
    kept = charts.data.trace["spo2"]
    drawn: list[object] = []
    charts._trend_plots.trace_curves["spo2"].sigPlotChanged.connect(drawn.append)
    panel.service.record_check(session.id, {**BASELINE, "systolic": "131"})
    charts.flush()  # the reload after a save: no new monitor value
    assert len(charts.data.minutes) == 2
    assert charts.data.trace["spo2"][0] is kept[0] and charts.data.trace["spo2"][1] is kept[1]
    assert drawn == []
    send_numerics(store, clock, 1, first=6)
    charts.flush_trace()
    assert len(drawn) == 1 and len(charts.data.trace["spo2"][0]) == 6


def test_a_session_without_a_monitor_has_no_trace_and_no_trace_timer(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    charts.flush()
    assert charts.data.trace == {}
    assert not charts.trace_pending
    assert charts._trend_plots.trace_curves == {}


def test_a_long_frame_waits_longer_between_trace_redraws(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    charts = panel.charts
    charts.plots["bp"].setXRange(0, 60, padding=0)
    short = charts.trace_interval_ms()
    charts.plots["bp"].setXRange(0, 480, padding=0)  # an 8 h session
    assert TRACE_REDRAW_MS <= short < charts.trace_interval_ms()


def test_an_nibp_arriving_after_later_numerics_extends_the_trace_without_tracing_it_again(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """The cuff's pulse comes with the NIBP's time, after the numerics of the seconds the
    cuff took: a spot value (codes.toml [spot]), not in the trace, and no "late value"
    that sends the 8 h trace through trace_series again."""
    from session_app.devices.simulator import NibpReading

    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    send_numerics(store, clock, 40)
    charts.flush_trace()
    nibp_at = clock.now().replace(microsecond=0) - timedelta(seconds=30)
    text = GE.oru(NibpReading(0, 142, 88, 106, 95), MessageContext("RT-1", nibp_at, "NIBP1"))
    assert parse_message(Inbox(store).handle(text, "127.0.0.1"))["MSA.F1"] == "AA"
    send_numerics(store, clock, 5, first=41)
    charts.flush_trace()
    assert 95.0 not in set(charts.data.trace["heart_rate"][1])
    assert len(charts.data.trace["heart_rate"][0]) == 45
    assert_trace_is_the_one_traced_from_scratch(charts, store, session.id)


def assert_trace_is_the_one_traced_from_scratch(
    charts, store: SessionStore, session_id: int
) -> None:
    from_scratch = TrendData.for_session(store, session_id).with_trace(
        store.device_observations(session_id)
    )
    assert set(charts.data.trace) == set(from_scratch.trace)
    for measure, (xs, ys) in from_scratch.trace.items():
        kept_x, kept_y = charts.data.trace[measure]
        assert kept_x == pytest.approx(xs)
        np.testing.assert_array_equal(kept_y, ys)


def test_a_second_device_on_a_clock_behind_and_a_late_value_take_their_places(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """A monitor and an oximeter two seconds behind it both send SpO2; a value comes in
    20 s late; the feed pauses. Each takes its place in the trace (the gap rule too), at
    each redraw, as a trace of everything from scratch would have it — for minutes, so
    that older values are settled and the newest kept."""
    from dataclasses import replace as changed

    from session_app.store.devices import NewObservation

    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    start = clock.now()

    def oximeter(at_s: float, spo2: float) -> NewObservation:
        at = start + timedelta(seconds=at_s)
        return NewObservation("spo2", spo2, "%", "NONIN SPO2", "/dev/ttyUSB0", at, "serial")

    for minute in range(4):
        send_numerics(store, clock, 60, first=1 + 60 * minute)
        store.add_device_samples(
            session.id, [oximeter(60 * minute + s - 2, 95 + s % 3) for s in range(0, 60, 5)]
        )
        if minute == 2:
            late = oximeter(60 * minute + 40, 91)
            store.add_device_samples(session.id, [changed(late, device="LATE")])
            clock.advance(seconds=45)  # a pause: the trace breaks
        charts.flush_trace()
        assert_trace_is_the_one_traced_from_scratch(charts, store, session.id)


class CountedValues:
    """The real store's device values, with the number of rows each read returned."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self.rows_read: list[int] = []

    def trace_values(self, session_id, measures, *, since=None, after_id=0):
        rows = self.store.trace_values(session_id, measures, since=since, after_id=after_id)
        self.rows_read.append(len(rows))
        return rows


def test_values_taken_in_between_redraws_are_not_read_again_at_the_redraw(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """A feed sent at 10× brings ten minutes of values between two redraws a minute
    apart; the intake every few seconds reads them, so the redraw reads only the rows
    stored since (by row id: a monitor's clock window held ten times as many at 10×)
    and still draws the trace as traced from scratch."""
    from session_app.ui.charts import TRACE_INTAKE_MS, LiveTrace

    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    charts.flush()
    send_numerics(store, clock, 3)
    assert charts._intake_timer.isActive()  # device data: the intake runs soon
    assert charts._intake_timer.interval() == TRACE_INTAKE_MS
    charts.take_in_trace()  # the intake alone draws nothing
    assert charts.trace_redraws == 0 and charts.data.trace == {}
    charts.flush_trace()
    assert len(charts.data.trace["spo2"][0]) == 3

    reference = charts.data.reference
    counted = CountedValues(store)
    live = LiveTrace(counted, session.id)
    for batch in range(4):
        send_numerics(store, clock, 40, first=100 + 40 * batch)
        live.take_in(reference)
    assert live.series() == {}  # taken in, not traced yet
    seen = max(r.id for r in store.trace_values(session.id, ("heart_rate", "spo2")))
    send_numerics(store, clock, 5, first=1000)
    assert live.update(reference)
    new_rows = [r for r in store.trace_values(session.id, ("heart_rate", "spo2")) if r.id > seen]
    assert counted.rows_read[-1] == len(new_rows)  # not the late-arrival window's 30 s
    charts.flush_trace()
    assert_trace_is_the_one_traced_from_scratch(charts, store, session.id)
    for measure, (xs, ys) in charts.data.trace.items():
        kept_x, kept_y = live.series()[measure]
        np.testing.assert_array_equal(kept_x, xs)
        np.testing.assert_array_equal(kept_y, ys)


def test_the_timer_s_redraw_reads_draws_and_paints_at_turns_of_their_own(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock, qtbot
) -> None:
    """A new frame of the time axis cost ~15 ms of data and ~30 ms of paint in one turn:
    a UI stall over 50 ms; a 10× feed's 28 ms stalls held the store read, the data and
    the countdown's tick together. The timer's redraw reads the store at a turn of its
    own, gives the new trace to the chart at the next, and lets the loop turn (a due
    timer, a key press) before the canvas paints it."""
    panel.service.record_check(session.id, BASELINE)
    charts = panel.charts
    charts.flush()
    qtbot.waitExposed(charts.graphics)
    send_numerics(store, clock, 12)
    counter = PaintCounter(charts.graphics.viewport())

    charts._trace_timer.timeout.emit()
    assert charts.trace_redraws == 0 and charts.trace_pending  # nothing in the timer's turn
    charts._turns.run_next()  # the next turn: the store read
    assert charts.trace_redraws == 0 and charts._turns.waiting(charts)
    charts._turns.run_next()  # the one after: the data
    assert charts.trace_redraws == 1
    assert len(charts._trend_plots.trace_curves["spo2"].getData()[0]) == 12
    QApplication.sendPostedEvents()  # the paint request the data work posted: held back
    assert counter.paints == 0 and not charts.graphics.updatesEnabled()
    qtbot.waitUntil(lambda: counter.paints > 0)  # on a timer: after the timers due
    assert charts.graphics.updatesEnabled()

    qtbot.wait(50)  # the redraw's paints are over
    painted = counter.paints
    charts._trace_timer.timeout.emit()  # nothing new since: nothing held, nothing painted
    qtbot.waitUntil(lambda: not charts.trace_pending)
    assert charts.graphics.updatesEnabled()
    qtbot.wait(50)
    assert counter.paints == painted and charts.trace_redraws == 1


def test_the_trace_redraw_and_the_proposals_read_due_together_take_turns(
    panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """Qt's coarse timers bring the trace's redraw and the proposals' read due on the
    same whole second; at 60× every UI gap of 25 ms held both (docs/performance.md).
    Now the store read, the proposals' read and the trace's data each take a turn."""
    from tests.ui.staff.test_proposed_checks_strip import send_nibp

    panel.service.record_check(session.id, BASELINE)
    charts, strip = panel.charts, panel.proposed_checks
    charts.flush()
    send_numerics(store, clock, 12)
    send_nibp(store, clock)
    refreshes = strip.refreshes

    charts._trace_timer.timeout.emit()  # both due in one turn
    strip._timer.timeout.emit()
    assert (charts.trace_redraws, strip.refreshes) == (0, refreshes)
    turns = charts._turns
    turns.run_next()  # the trace's store read
    assert (charts.trace_redraws, strip.refreshes) == (0, refreshes)
    turns.run_next()  # the proposals' read
    assert (charts.trace_redraws, strip.refreshes) == (0, refreshes + 1)
    turns.run_next()  # the trace's data
    assert (charts.trace_redraws, strip.refreshes) == (1, refreshes + 1)
    assert [row.label.text()[:8] for row in strip.rows] == ["Monitor "]
