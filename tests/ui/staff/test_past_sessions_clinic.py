"""Issue 16: in a room that has joined, "Sessions" searched by a patient ID also lists that
patient's sessions from the other rooms, read from a real clinic server, marked with their
room and read-only; a server that cannot be reached leaves the local list as it was, plus
one plain line. Real store, real widget, real PostgreSQL cluster."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from session_app.clinic.history import NOT_REACHABLE, clinic_history
from session_app.domain.clock import ManualClock, format_local
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.staff.past_sessions import COLUMNS, PastSessionsList
from tests.clinic.conftest import Cluster, _free_port, clinic_db, pg_cluster
from tests.clinic.test_history import _room_conninfo, _send_sessions, clinic

__all__ = ["clinic", "clinic_db", "pg_cluster"]  # fixtures, shared with tests/clinic


def rows(listing: PastSessionsList) -> list[dict[str, str]]:
    table = listing.table
    return [
        {title: table.item(r, c).text() for c, title in enumerate(COLUMNS)}
        for r in range(table.rowCount())
    ]


def test_a_patient_id_search_lists_the_other_rooms_sessions_marked_and_read_only(
    qtbot, pg_cluster: Cluster, clinic_db: str, clinic: dict[str, Path], tmp_path: Path,
    store: SessionStore, clock: ManualClock,
) -> None:  # fmt: skip
    MonitoringService(store, clock).start_session(NewSession("P-1", IV_KETAMINE, "AB", 70.0))
    room2 = SessionStore.open(tmp_path / "room2", clock=clock)
    clock.advance(timedelta(days=-7))
    away = MonitoringService(room2, clock).start_session(NewSession("P-1", ESKETAMINE_REMS, "CD"))
    clock.advance(minutes=95)
    room2.end_session(away.id, "CD")
    MonitoringService(room2, clock).start_session(NewSession("P-2", IV_KETAMINE, "CD", 80.0))
    passfile2 = clinic["Room 2"]
    _send_sessions(_room_conninfo(pg_cluster, clinic_db, passfile2), passfile2, "Room 2", room2)
    ended = room2.session(away.id).ended_at
    assert ended is not None
    room2.close()
    passfile1 = clinic["Room 1"]
    history = clinic_history(_room_conninfo(pg_cluster, clinic_db, passfile1), passfile1)
    listing = PastSessionsList(store, clinic=history)
    qtbot.addWidget(listing)
    listing.show()

    qtbot.keyClicks(listing.search, "p-1")
    qtbot.waitUntil(lambda: len(rows(listing)) == 2, timeout=10_000)

    here, there = rows(listing)
    assert (here["Patient ID"], here["Room"]) == ("P-1", "This room")
    assert there == {
        "Date": format_local(away.started_at),
        "Patient ID": "P-1",
        "Protocol": ESKETAMINE_REMS,
        "Staff": "CD",
        "Ended": format_local(ended, with_date=False),
        "Duration": "1 h 35 min",
        "State": "ended",
        "Room": "Room 2",
    }
    assert not listing.clinic_notice.isVisible()
    opened: list[int] = []
    listing.session_activated.connect(opened.append)
    listing.table.cellDoubleClicked.emit(1, 0)  # another room's session: read-only, no summary
    assert opened == []
    listing.table.cellDoubleClicked.emit(0, 0)
    assert opened == [store.sessions("P-1")[0].id]
    assert "read-only" in listing.table.item(1, 0).toolTip()

    listing.search.setText("P-2 extra")  # two words: searched locally only, clinic rows go
    assert rows(listing) == []


def test_an_unreachable_server_keeps_the_local_list_and_says_so_in_one_line(
    qtbot, tmp_path: Path, store: SessionStore, clock: ManualClock
) -> None:
    MonitoringService(store, clock).start_session(NewSession("P-1", IV_KETAMINE, "AB", 70.0))
    passfile = tmp_path / "room.pgpass"
    passfile.write_text("*:*:clinic:room:pw\n")
    passfile.chmod(0o600)
    history = clinic_history(f"host=127.0.0.1 port={_free_port()} dbname=clinic user=r", passfile)
    listing = PastSessionsList(store, clinic=history)
    qtbot.addWidget(listing)
    listing.show()

    qtbot.keyClicks(listing.search, "P-1")
    qtbot.waitUntil(listing.clinic_notice.isVisible, timeout=10_000)

    assert listing.clinic_notice.text() == NOT_REACHABLE
    assert [(r["Patient ID"], r["Room"]) for r in rows(listing)] == [("P-1", "This room")]
    listing.search.clear()
    assert not listing.clinic_notice.isVisible()


def test_a_room_that_has_not_joined_shows_no_room_column_and_asks_no_server(
    qtbot, store: SessionStore
) -> None:
    listing = PastSessionsList(store)
    qtbot.addWidget(listing)
    listing.show()
    qtbot.keyClicks(listing.search, "P-1")
    assert listing.table.isColumnHidden(COLUMNS.index("Room"))
    assert not listing.clinic_notice.isVisible()


def test_the_staff_panel_of_a_joined_room_asks_the_clinic_for_a_patients_sessions(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    from session_app.monitoring import MonitoringService as Service
    from session_app.ui.staff.panel import StaffPanel

    unreachable = f"host=127.0.0.1 port={_free_port()} dbname=clinic user=clinic_room_1"
    Service(store, clock).save_settings({"clinic.room": "Room 1", "clinic.server": unreachable})
    panel = StaffPanel(Service(store, clock), now_playing=None, require_pin=False)
    qtbot.addWidget(panel)
    panel.show()
    listing = panel.sessions_list
    qtbot.keyClicks(listing.search, "P-1")
    qtbot.waitUntil(lambda: listing.clinic_notice.text() == NOT_REACHABLE, timeout=10_000)
