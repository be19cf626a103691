"""The record views' hint names the record with the right article ("Select an event…",
not "Select a event…")."""

from __future__ import annotations

from session_app.ui.staff.panel import StaffPanel


def test_the_hints_read_as_english(panel: StaffPanel, session) -> None:
    assert panel.timeline.hint.text().startswith("Select an event ")
    assert panel.flowsheet.hint.text().startswith("Select a check ")
