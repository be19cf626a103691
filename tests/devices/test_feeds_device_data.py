"""Monitor values come about once a second (DEVICE_DATA): the views that refresh on any
change must not reload for them, and a monitor's write must not clear the panel's
"saving failed" message (the nurse's own save has not worked yet). The real panel, the
real store, a feed's own store (`for_thread`) announcing to it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from session_app.devices.inbox import Inbox
from session_app.devices.samples import DeviceSample
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession, TreatmentSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreWriteError
from session_app.ui.staff.panel import StaffPanel


@pytest.fixture
def panel(qtbot, store: SessionStore, clock: ManualClock) -> Iterator[StaffPanel]:
    window = StaffPanel(MonitoringService(store, clock))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.stop()


@pytest.fixture
def session(panel: StaffPanel) -> TreatmentSession:
    started = panel.service.start_session(NewSession("RT-1", IV_KETAMINE, "AB", 70.0))
    panel.show_session(started)
    return started


def oximeter_value(store: SessionStore, spo2: int = 97) -> None:
    """A value stored by a feed's own store, its announcement run at once (as queued)."""
    feed_store = store.for_thread(lambda call: call())
    try:
        at = datetime.now(UTC)
        sample = DeviceSample("spo2", spo2, "%", "NONIN SPO2", "/dev/ttyUSB0:nonin", at, "serial")
        assert Inbox(feed_store).accept_samples([sample]) == 1
    finally:
        feed_store.close()


def test_a_monitor_value_does_not_clear_the_saving_problem(
    panel: StaffPanel, session: TreatmentSession, store: SessionStore
) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the file
    with pytest.raises(StoreWriteError):
        panel.service.log_event(session.id, "note", {"text": "x"}, "AB")
    other.execute("ROLLBACK")
    other.close()
    assert panel.store_problem.isVisibleTo(panel)
    oximeter_value(store)
    assert panel.store_problem.isVisibleTo(panel)  # the nurse's save still has not worked


def test_the_charts_do_not_reload_for_a_monitor_value(
    panel: StaffPanel, session: TreatmentSession, store: SessionStore
) -> None:
    charts = panel.ensure_charts()
    charts.flush()
    oximeter_value(store)
    assert not charts.reload_pending
    panel.service.log_event(session.id, "note", {"text": "x"}, "AB")
    assert charts.reload_pending  # a record still does


def test_the_summary_does_not_rebuild_for_a_monitor_value(
    panel: StaffPanel, session: TreatmentSession, store: SessionStore
) -> None:
    view = panel.open_summary(session.id)
    before = view.record
    oximeter_value(store)
    assert view.record is before
    panel.service.log_event(session.id, "note", {"text": "x"}, "AB")
    assert view.record is not before
