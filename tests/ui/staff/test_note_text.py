"""Free text from staff: counted in characters (code points, not UTF-16 units), never cut
silently, control characters refused, in each form that takes a note."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock
from session_app.domain.errors import ValidationError
from session_app.domain.events import validate_event
from session_app.domain.vitals import validate_vitals
from session_app.monitoring import MonitoringService, validate_reason
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from session_app.ui.summary.discharge_dialog import DischargeDialog
from tests.export.seed import seed_rems_session
from tests.ui.summary.test_discharge_dialog import fill

EMOJI = "\N{GRINNING FACE}"  # one character, two UTF-16 units


def paste(edit, text: str) -> None:
    """What a paste does: the whole text at once, through the edit's own length limit."""
    edit.clear()
    edit.insert(text)


def test_an_over_long_pasted_note_is_refused_whole_not_cut_and_saved(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.vitals_form
    note = EMOJI * 300 + "a" * 1800  # 2,100 characters, 2,400 UTF-16 units
    paste(form.controls["note"], note)
    form.controls["heart_rate"].setText("70")
    form.controls["recorded_by"].setText("AB")
    form.submit()
    assert store.checks(session.id) == []
    assert "Note: " in form.message.text() and "is 2100 characters long" in form.message.text()
    assert form.controls["note"].text() == note  # what was pasted stays, whole


def test_a_note_within_the_limit_is_saved_whole_however_many_emoji(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.vitals_form
    note = EMOJI * 1000 + "b" * 990  # 1,990 characters, 2,990 UTF-16 units
    paste(form.controls["note"], note)
    form.controls["heart_rate"].setText("70")
    form.controls["recorded_by"].setText("AB")
    form.submit()
    [check] = store.checks(session.id)
    assert check.signs.note == note


@pytest.mark.parametrize("bad", ["nul\x00here", "bell\x07", "esc\x1b[2J", "del\x7f", "c1\x85mid"])
def test_control_characters_are_refused_in_every_kind_of_text(bad: str) -> None:
    with pytest.raises(ValidationError, match="control character"):
        validate_vitals({"heart_rate": "70", "note": bad, "recorded_by": "AB"})
    with pytest.raises(ValidationError, match="control character"):
        validate_event("note", {"text": bad})
    if any(char.isspace() for char in bad):
        # a correction's reason folds runs of white space (NEL among them) to one space
        assert "\x85" not in validate_reason(bad)
    else:
        with pytest.raises(ValidationError, match="control character"):
            validate_reason(bad)


def test_the_discharge_note_is_counted_and_checked_like_every_note(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_rems_session(store, clock, end=False)
    clock.advance(minutes=7)
    dialog = DischargeDialog(store, sid, clock, service=MonitoringService(store, clock))
    qtbot.addWidget(dialog)
    fill(dialog, qtbot)
    paste(dialog.note, EMOJI * 300 + "c" * 201)  # 501 characters
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert store.session(sid).is_open
    assert "is 501 characters long" in dialog.error_label.text()
    assert len(dialog.note.text()) == 501
    paste(dialog.note, "ok\x00")
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert store.session(sid).is_open
    assert "control character" in dialog.error_label.text()
    paste(dialog.note, EMOJI * 499 + "d")  # 500 characters: whole
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    assert not store.session(sid).is_open
    assert store.discharge(sid)["note"] == EMOJI * 499 + "d"


def test_a_right_to_left_override_shows_as_a_mark_in_the_flowsheet_and_timeline(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    from session_app.ui.staff.flowsheet import COLUMN_INDEX

    form = panel.vitals_form
    form.controls["heart_rate"].setText("70")
    form.controls["note"].setText("given \u202eevil dose")
    form.controls["recorded_by"].setText("AB")
    form.submit()
    panel.event_form.select_kind("note")
    panel.event_form.fields["note"]["text"].setText("\u202eevil event")
    panel.event_form.recorded_by.setText("AB")
    panel.event_form.submit()
    assert [e.details.get("text") for e in store.events(session.id)][-1] == "\u202eevil event"
    table = panel.flowsheet.table
    table.flush()
    shown = table.item(0, COLUMN_INDEX["note"]).text()
    assert shown == "given [U+202E]evil dose"
    timeline = [panel.timeline.item(r, 1).text() for r in range(panel.timeline.rowCount())]
    assert any("[U+202E]evil event" in line for line in timeline), timeline
    assert not any("\u202e" in line for line in timeline)
