"""Issue 15 point 9 in the correction dialog: a check's "Time taken" is correctable.

The field is pre-filled with the original's time; left as it is, the correction keeps
that time to the second; changed, the new time is stored and refused in place when it
is wrong (a time ahead of the clock is "in the future").
"""

from __future__ import annotations

from datetime import timedelta

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.session import TreatmentSession
from session_app.store import SessionStore
from session_app.ui.staff.correction_dialog import CheckCorrectionDialog
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE


def open_dialog(panel: StaffPanel) -> CheckCorrectionDialog:
    panel.flowsheet.table.selectRow(0)
    dialog = panel.flowsheet.open_correction()
    assert isinstance(dialog, CheckCorrectionDialog)
    return dialog


def test_the_time_alone_is_corrected_from_the_dialog(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore, clock: ManualClock
) -> None:
    clock.advance(minutes=20, seconds=12)
    original = panel.service.record_check(session.id, BASELINE).check
    clock.advance(minutes=3)
    dialog = open_dialog(panel)
    assert dialog.taken_at.text() == format_local(original.taken_at, with_date=False)
    assert dialog.taken_at.accessibleName() == "Corrected time taken"

    earlier = (original.taken_at - timedelta(minutes=12)).replace(second=0)
    dialog.taken_at.setText(format_local(earlier, with_date=False))
    dialog.reason.setText("measured before it was typed in")
    dialog.recorded_by.setText("CD")
    assert dialog.submit() is not None
    [fixed] = [c for c in store.checks(session.id) if c.corrects_id == original.id]
    assert fixed.taken_at == earlier and fixed.signs.heart_rate == 74
    assert panel.flowsheet.rowCount() == 1  # one row in force, at its corrected time
    assert panel.flowsheet.row_texts(0)["time"].startswith(format_local(earlier, with_date=False))


def test_an_untouched_time_keeps_the_originals_to_the_second(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore, clock: ManualClock
) -> None:
    clock.advance(minutes=20, seconds=12)
    original = panel.service.record_check(session.id, BASELINE).check
    dialog = open_dialog(panel)
    dialog.controls["heart_rate"].setText("80")
    dialog.reason.setText("misread")
    dialog.recorded_by.setText("CD")
    assert dialog.submit() is not None
    assert store.checks(session.id)[1].taken_at == original.taken_at


def test_a_corrected_time_ahead_of_the_clock_is_refused_in_place(
    qtbot, panel: StaffPanel, session: TreatmentSession, store: SessionStore, clock: ManualClock
) -> None:
    clock.advance(minutes=20)
    panel.service.record_check(session.id, BASELINE)
    dialog = open_dialog(panel)
    ahead = format_local(clock.now() + timedelta(minutes=5), with_date=False)
    dialog.taken_at.setText(ahead)
    dialog.reason.setText("wrong time")
    dialog.recorded_by.setText("CD")
    assert dialog.submit() is None
    assert f"Time taken: '{ahead}' is in the future" in dialog.message.text()
    assert dialog.taken_at.property("invalid") is True and dialog.taken_at.text() == ahead
    dialog.taken_at.setText("9:7")
    assert dialog.submit() is None
    assert "Time taken: '9:7' is not a time of day" in dialog.message.text()
    assert len(store.checks(session.id)) == 1
