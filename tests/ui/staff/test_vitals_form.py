"""The vitals form, driven by the keyboard alone, against the real store and charts."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock, format_local
from session_app.store import SessionStore
from session_app.ui.staff.panel import StaffPanel
from tests.ui.staff.conftest import BASELINE, focused, type_and_tab

ACCESSIBLE_NAMES = (
    "Systolic BP",
    "Diastolic BP",
    "Heart rate",
    "SpO2",
    "Supplemental O2",
    "Respiratory rate",
    "Temperature",
    "Sedation (MOAA/S)",
    "Dissociation",
    "CADSS total",
    "Anxiety",
    "Nausea",
    "Pain",
    "Note",
    "Recorded by",
)


def test_controls_carry_the_exact_accessible_names(panel: StaffPanel, session) -> None:
    form = panel.vitals_form
    names = [c.accessibleName() for c in form.controls.values()]
    assert names == list(ACCESSIBLE_NAMES)
    assert form.save_button.accessibleName() == "Save vitals"
    # unique on the whole panel, so automation finds the vitals field, not an event field
    everything = [w.accessibleName() for w in panel.findChildren(type(form.first_field()))]
    for name in ("Note", "Recorded by", "Systolic BP"):
        assert everything.count(name) == 1


def test_keyboard_only_entry_saves_to_the_store_and_the_chart_gains_the_point(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    form = panel.vitals_form
    assert focused() is form.first_field()
    assert panel.charts.data.minutes == ()
    typed = [
        "132",  # systolic
        "84",  # diastolic
        "76",  # heart rate
        "97",  # SpO2
        "n",  # supplemental O2 combo: "No (room air)"
        "15",  # RR
        "36.8",  # temperature
        "5",  # MOAA/S
        "n",  # dissociation combo: "No"
        "",  # CADSS
        "2",  # anxiety
        "0",  # nausea
        "1",  # pain
        "calm, talking",  # note
        "",  # time taken: now
    ]
    for text in typed:
        type_and_tab(qtbot, text)
    assert focused() is form.controls["recorded_by"]
    qtbot.keyClicks(focused(), "ab")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    [check] = store.checks(session.id)
    s = check.signs
    assert (s.systolic, s.diastolic, s.heart_rate, s.spo2, s.resp_rate) == (132, 84, 76, 97, 15)
    assert (s.on_oxygen, s.temperature_c, s.moaas, s.dissociation) == (False, 36.8, 5, False)
    assert (s.anxiety, s.nausea, s.pain, s.cadss) == (2, 0, 1, None)
    assert (s.note, s.recorded_by) == ("calm, talking", "AB")
    assert check.is_baseline and check.taken_at == clock.now()
    # the chart redrew from the store's announcement
    _x, y = panel.charts.data.series("systolic")
    assert list(y) == [132.0]
    assert list(panel.charts.curves["systolic"].getData()[1]) == [132.0]
    # the flowsheet shows the row, the form is empty again and ready for the next check
    assert panel.flowsheet.row_texts(0)["bp"] == "132/84"
    assert all(
        (c.currentIndex() == 0) if hasattr(c, "currentIndex") else c.text() == ""
        for c in form.controls.values()
    )
    assert focused() is form.first_field()
    assert "Saved" in form.status.text() and "baseline" in form.status.text()


def test_a_refused_value_stores_nothing_and_says_which_field_and_range(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.vitals_form
    for text in ("132", "84", "7O"):  # letter O typed for a zero
        type_and_tab(qtbot, text)
    form.controls["recorded_by"].setText("AB")
    qtbot.keyClick(form.controls["recorded_by"], Qt.Key.Key_Return)

    assert store.checks(session.id) == []
    message = form.message.text()
    assert "Heart rate" in message and "7O" in message and "20–250" in message
    heart = form.controls["heart_rate"]
    assert heart.property("invalid") is True
    assert heart.text() == "7O"  # what was typed is kept
    assert form.controls["systolic"].text() == "132"
    assert focused() is heart  # the cursor goes to the field to fix

    heart.setText("70")
    qtbot.keyClick(heart, Qt.Key.Key_Return)
    [check] = store.checks(session.id)
    assert check.signs.heart_rate == 70
    assert form.message.text() == ""


def test_diastolic_not_below_systolic_is_refused_in_place(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.vitals_form
    for name, text in (("systolic", "90"), ("diastolic", "95"), ("recorded_by", "AB")):
        form.controls[name].setText(text)
    qtbot.keyClick(form.controls["diastolic"], Qt.Key.Key_Enter)
    assert store.checks(session.id) == []
    assert form.controls["diastolic"].property("invalid") is True
    assert "lower than systolic" in form.message.text()


def test_time_taken_earlier_is_kept_with_the_entry_time(
    qtbot, panel: StaffPanel, session, store: SessionStore, clock: ManualClock
) -> None:
    form = panel.vitals_form
    clock.advance(minutes=20)
    earlier = clock.now().replace(second=0, microsecond=0)
    clock.advance(minutes=7)
    for name, text in BASELINE.items():
        form.controls[name].setText(text)
    form.taken_at.setText(format_local(earlier, with_date=False))
    form.submit()
    [check] = store.checks(session.id)
    assert check.taken_at == earlier and check.entered_at == clock.now()


def test_fahrenheit_clinic_types_fahrenheit_and_the_store_keeps_celsius(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    form = panel.vitals_form
    form.set_temperature_unit("°F")
    assert form.temperature_label.text().endswith("(°F)")
    form.controls["temperature_c"].setText("98.6")
    form.controls["recorded_by"].setText("AB")
    form.submit()
    [check] = store.checks(session.id)
    assert math.isclose(check.signs.temperature_c or 0, 37.0)

    form.controls["temperature_c"].setText("120")
    form.controls["recorded_by"].setText("AB")
    form.submit()
    assert len(store.checks(session.id)) == 1
    assert "You typed 120 °F" in form.message.text()
    assert form.controls["temperature_c"].text() == "120"


def test_form_is_disabled_without_a_session(panel: StaffPanel, store: SessionStore) -> None:
    assert not panel.vitals_form.isEnabled()
    assert panel.vitals_form.submit() is None
    assert store.sessions() == []


def test_fahrenheit_entry_refuses_what_celsius_entry_refuses(
    qtbot, panel: StaffPanel, session, store: SessionStore
) -> None:
    """One number parser serves both units: Python's float() would take each of these."""
    form = panel.vitals_form
    for unit in ("°C", "°F"):
        form.set_temperature_unit(unit)
        for typed in ("1e2", "1_00", "١٠٠", "９８.６", "nan", "inf", " 9 8"):
            form.controls["temperature_c"].setText(typed)
            form.controls["heart_rate"].setText("70")
            form.controls["recorded_by"].setText("AB")
            form.submit()
            assert store.checks(session.id) == [], (unit, typed)
            assert "is not a number" in form.message.text(), (unit, typed)
            assert form.controls["temperature_c"].text() == typed
