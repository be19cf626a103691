"""Logging events (now or earlier) on the timeline; the settings dialog and the snapshot rule."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.protocols import ESKETAMINE_REMS, IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from session_app.ui.staff.settings_dialog import SettingsDialog


def test_dose_form_is_prefilled_from_the_protocol_and_logs_at_an_earlier_time(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    form = panel.event_form
    panel.entry_tabs.setCurrentWidget(form)
    form.select_kind("dose")
    dose = form.fields["dose"]
    assert dose["drug"].text() == "Esketamine"
    assert dose["dose"].text() == "56"
    assert dose["route"].currentText() == "Intranasal"
    given = clock.now().replace(second=0, microsecond=0)
    clock.advance(minutes=9)
    qtbot.keyClicks(dose["lot_number"], "EK-2291")
    qtbot.keyClicks(form.occurred_at, format_local(given, with_date=False))
    qtbot.keyClicks(form.recorded_by, "ab")
    qtbot.keyClick(form.recorded_by, Qt.Key.Key_Return)

    [event] = store.events(session.id)
    assert event.kind == "dose" and event.recorded_by == "AB"
    assert event.details == {
        "drug": "Esketamine",
        "dose": 56.0,
        "unit": "mg",
        "route": "Intranasal",
        "lot_number": "EK-2291",
    }
    assert event.occurred_at == given and event.entered_at == clock.now()
    # timeline line in the domain's words, with the entry time kept
    text = panel.timeline.item(0, 1).text()
    assert text.startswith("Dose given: Esketamine 56 mg") and "(entered" in text
    # the chart now counts from the dose and draws its marker; the banner shows it
    assert panel.charts.data.reference_label == "minutes since dose"
    assert [m.minute for m in panel.charts.data.markers] == [0.0]
    assert f"dose {format_local(given, with_date=False)}" in panel.session_details.text()
    assert form.recorded_by.text() == "AB"  # kept for the next event


def test_refused_event_names_the_field_and_stores_nothing(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.event_form
    form.select_kind("adverse_event")
    fields = form.fields["adverse_event"]
    fields["type"].setCurrentIndex(fields["type"].findData("other"))
    form.recorded_by.setText("AB")
    form.occurred_at.setText("25:99")
    form.submit()
    assert store.events(session.id) == []
    message = form.message.text()
    assert "Description: required" in message and "Time: '25:99'" in message
    assert form.occurred_at.property("invalid") is True
    assert form.occurred_at.text() == "25:99"


def test_every_event_kind_has_a_page_and_named_controls(panel: StaffPanel, session) -> None:
    form = panel.event_form
    assert form.kind.count() == len(form.fields) >= 9
    for controls in form.fields.values():
        for control in controls.values():
            assert control.accessibleName()
            assert control.accessibleName() not in ("Note", "Recorded by")


def test_settings_change_applies_to_new_sessions_only(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    running = panel.service.protocol(session.id)
    dialog = panel.open_settings()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, SettingsDialog)
    hr_high = dialog.controls["thresholds.hr_high"]
    assert hr_high.text() == str(running.thresholds.hr_high)
    hr_high.setText("120")
    dialog.controls["temperature_unit"].setCurrentText("°F")
    assert dialog.save()
    assert store.load_settings()["thresholds.hr_high"] == 120
    assert panel.vitals_form.temperature_unit == "°F"  # applied to the panel on close
    # the running session keeps its snapshot; a new one gets the new value
    panel.service._protocols.clear()
    assert panel.service.protocol(session.id).thresholds.hr_high == running.thresholds.hr_high
    later = panel.service.start_session(NewSession("RT-2", IV_KETAMINE, "AB", 70.0))
    assert panel.service.protocol(later.id).thresholds.hr_high == 120


def test_settings_refuse_bad_values_in_place_and_save_nothing(
    qtbot, panel: StaffPanel, store: SessionStore
) -> None:
    dialog = SettingsDialog(panel.service, panel)
    qtbot.addWidget(dialog)
    every = dialog.controls
    assert all(c.accessibleName() for c in every.values())
    assert {"thresholds.sys_high", "iv.during_infusion", "media_folders"} <= set(every)
    every["thresholds.hr_low"].setText("abc")
    every["iv.during_infusion"].setText("every now and then")
    assert not dialog.save()
    assert store.load_settings() == {}
    assert every["thresholds.hr_low"].property("invalid") is True
    assert "not a number" in dialog.errors["thresholds.hr_low"].text()
    assert not dialog.errors["iv.during_infusion"].isHidden()
    assert "is not read as a phase" in dialog.errors["iv.during_infusion"].text()
    assert every["thresholds.hr_low"].text() == "abc"
    dialog.restore_defaults()
    dialog.set_folders("media_folders", ["/srv/clinic/music"])
    assert dialog.save()
    assert store.load_settings()["media_folders"] == ["/srv/clinic/music"]


def test_sessions_list_moves_into_a_tab_during_a_session(
    panel: StaffPanel, store: SessionStore, clock: ManualClock
) -> None:
    assert panel.right.currentIndex() == 0 and panel.left.currentIndex() == 0
    started = panel.service.start_session(NewSession("RT-9", ESKETAMINE_REMS, "AB"))
    panel.show_session(started)
    assert panel.record_tabs.indexOf(panel.sessions_list) >= 0
    clock.advance(timedelta(minutes=130))
    store.end_session(started.id, "AB")
    assert panel.current_session is None
    assert panel.record_tabs.indexOf(panel.sessions_list) < 0
    assert not panel.vitals_form.isEnabled()
