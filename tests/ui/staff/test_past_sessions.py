"""Issue 15 (exports and summary): the sessions list shows when each session ended and how
long it lasted, and says that a double-click opens its summary. Real store and widget."""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.past_sessions import COLUMNS, PastSessionsList, end_text


def row(listing: PastSessionsList, index: int) -> dict[str, str]:
    table = listing.table
    return {title: table.item(index, c).text() for c, title in enumerate(COLUMNS)}


def test_the_list_shows_end_time_and_duration_and_says_double_click_opens_the_summary(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    ended = service.start_session(NewSession("AA-1", ESKETAMINE_REMS, "AB"))
    clock.advance(minutes=135, seconds=20)
    store.end_session(ended.id, "AB")
    clock.advance(minutes=10)
    running = service.start_session(NewSession("BB-2", IV_KETAMINE, "CD", 70.0))
    listing = PastSessionsList(store)
    qtbot.addWidget(listing)
    listing.show()

    newest, oldest = row(listing, 0), row(listing, 1)
    assert oldest["Patient ID"] == "AA-1"
    [stored] = [s for s in store.sessions() if s.id == ended.id]
    assert stored.ended_at is not None
    assert oldest["Ended"] == format_local(stored.ended_at, with_date=False)
    assert oldest["Duration"] == "2 h 15 min"
    assert (newest["Patient ID"], newest["Ended"], newest["Duration"]) == ("BB-2", "—", "—")
    assert newest["State"] == "in progress" and running.is_open

    assert listing.hint.isVisible()
    assert "Double-click a session to open its summary" in listing.hint.text()
    opened: list[int] = []
    listing.session_activated.connect(opened.append)
    listing.table.cellDoubleClicked.emit(1, 0)
    assert opened == [ended.id]


def test_a_session_over_midnight_shows_the_end_date() -> None:
    clock = ManualClock()
    start = clock.now()
    assert end_text(start, start + timedelta(minutes=30)) == format_local(
        start + timedelta(minutes=30), with_date=False
    )
    assert end_text(start, start + timedelta(days=1)) == format_local(start + timedelta(days=1))
