"""Issue 15 point 11: a "Time taken" a few minutes ahead of the clock is in the future,
not "before this session" (an HH:MM ahead of now was read as yesterday's)."""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.clock import ManualClock, format_local
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE


def test_a_time_taken_five_minutes_ahead_is_refused_as_in_the_future(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    form = panel.vitals_form
    clock.advance(minutes=10)
    for name, text in BASELINE.items():
        form.controls[name].setText(text)
    ahead = format_local(clock.now() + timedelta(minutes=5), with_date=False)
    form.taken_at.setText(ahead)
    form.submit()
    assert store.checks(session.id) == []
    message = form.message.text()
    assert f"Time taken: '{ahead}' is in the future" in message
    assert "before this session" not in message
    assert form.taken_at.property("invalid") is True
    assert form.taken_at.text() == ahead  # what was typed stays


def test_the_next_minute_typed_a_few_seconds_early_is_kept(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    """The clock tolerance (a device's clock a little ahead) now reaches a typed HH:MM."""
    form = panel.vitals_form
    clock.advance(minutes=10, seconds=40)
    next_minute = (clock.now() + timedelta(minutes=1)).replace(second=0)
    for name, text in BASELINE.items():
        form.controls[name].setText(text)
    form.taken_at.setText(format_local(next_minute, with_date=False))
    form.submit()
    [check] = store.checks(session.id)
    assert check.taken_at == next_minute and form.message.text() == ""
