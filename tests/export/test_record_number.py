"""Issue 15.14: the summary (screen and PDF, one document) labels the database id as the
session's record number, not "Session no.", which read as the patient's nth session."""

from __future__ import annotations

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.domain.summary import load_summary
from session_app.export.document import summary_html
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore


def test_the_summary_calls_the_database_id_the_sessions_record_number(
    store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    service.start_session(NewSession("QX-76", ESKETAMINE_REMS, "AB"))
    sid = service.start_session(NewSession("QX-77", ESKETAMINE_REMS, "AB")).id
    html = summary_html(load_summary(store, sid, clock.now()), with_charts=False)
    assert "Session no." not in html
    assert f'Record no.</td><td width="32%">{sid}<' in html
