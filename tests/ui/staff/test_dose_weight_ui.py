"""Issue 15 point 3 on the staff panel: the start form refuses IV ketamine without a
weight, in the weight field; a logged mg/kg dose shows its mg on the timeline and banner."""

from __future__ import annotations

from PySide6.QtCore import Qt

from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel


def test_the_start_form_refuses_iv_ketamine_without_a_weight_in_the_weight_field(
    qtbot, panel: StaffPanel, store: SessionStore
) -> None:
    form = panel.start_form
    form.protocol.setCurrentText(IV_KETAMINE)
    qtbot.keyClicks(form.patient_id, "kl-1")
    qtbot.keyClicks(form.staff, "ab")
    qtbot.keyClick(form.staff, Qt.Key.Key_Return)
    assert store.sessions() == []
    assert form.weight.property("invalid") is True
    assert form.patient_id.property("invalid") is not True
    assert "Weight (kg): required for IV ketamine" in form.message.text()
    assert form.patient_id.text() == "kl-1"  # what was typed is kept
    qtbot.keyClicks(form.weight, "72.5")
    qtbot.keyClick(form.weight, Qt.Key.Key_Return)
    [session] = store.sessions()
    assert session.weight_kg == 72.5 and form.message.text() == ""


def test_a_logged_mg_per_kg_dose_shows_its_mg_on_the_timeline_and_the_banner(
    qtbot, panel: StaffPanel, store: SessionStore
) -> None:
    started = panel.service.start_session(NewSession("KL-1", IV_KETAMINE, "AB", 72.5))
    panel.show_session(started)
    form = panel.event_form
    panel.entry_tabs.setCurrentWidget(form)
    form.select_kind("dose")
    fields = form.fields["dose"]
    assert (fields["dose"].text(), fields["unit"].currentText()) == ("0.5", "mg/kg")
    qtbot.keyClicks(form.recorded_by, "ab")
    qtbot.keyClick(form.recorded_by, Qt.Key.Key_Return)
    [event] = store.events(started.id)
    assert event.details["weight_kg"] == 72.5
    line = panel.timeline.item(0, 1).text()
    assert line.startswith("Dose given: Ketamine 0.5 mg/kg × 72.5 kg = 36.25 mg")
    assert "0.5 mg/kg × 72.5 kg = 36.25 mg" in panel.session_details.text()
