"""The countdown over a store that can no longer be read (closed while the app shuts
down): a quiet "Schedule unavailable", never a traceback from the timer's tick."""

from __future__ import annotations

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.countdown import DueCountdown


def test_a_store_read_failing_shows_the_quiet_message_and_stops_asking(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("JD-3", IV_KETAMINE, "AB", 70.0))
    countdown = DueCountdown(service)
    qtbot.addWidget(countdown)
    countdown.show()
    countdown.set_session(session.id)
    assert countdown.state is not None and countdown.timer.isActive()

    store.close()
    countdown.tick()  # raised sqlite3.ProgrammingError before the store wrapped its reads

    assert countdown.text.text() == "Schedule unavailable"
    assert countdown.state is None and countdown.status is None
    assert not countdown.timer.isActive()
    assert "closed" in countdown.toolTip()
