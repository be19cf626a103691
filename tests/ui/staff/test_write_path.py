"""Every staff write runs through one helper (ui/staff/write.py, issue 14): the service
validates once, a refusal is shown in the form's fields, a store failure is the one
"Not saved" line, and a view failing after the commit never makes a save look failed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from session_app.domain.clock import ManualClock
from session_app.domain.errors import FieldError, ValidationError
from session_app.domain.pin import SET_IN_PANEL
from session_app.domain.protocols import ESKETAMINE_REMS, Protocol, preset
from session_app.domain.records import SessionEvent
from session_app.domain.session import NewSession
from session_app.domain.vitals import FIELD_BY_NAME
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind
from session_app.ui.lock import PinSetupPage
from session_app.ui.staff.event_form import EventForm
from session_app.ui.staff.panel import StaffPanel
from session_app.ui.staff.settings_dialog import SettingsDialog
from session_app.ui.staff.vitals_form import VitalsForm
from session_app.ui.summary.discharge_dialog import DischargeDialog
from tests.faults import locked_by_other_process
from tests.ui.staff.conftest import BASELINE


@pytest.fixture
def quick_store(data_dir: Path, clock: ManualClock) -> Iterator[SessionStore]:
    """A store whose writes give up on a lock after 100 ms."""
    opened = SessionStore.open(data_dir, clock=clock, busy_timeout_ms=100)
    yield opened
    opened.close()


def test_a_view_failing_after_the_commit_does_not_make_the_save_look_failed(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("RT-1", ESKETAMINE_REMS, "AB"))
    form = VitalsForm(service, clock)
    qtbot.addWidget(form)
    form.set_session(session.id)

    def broken_view(change: Change) -> None:
        raise RuntimeError("a view's bug")

    store.subscribe(broken_view)
    for name, value in BASELINE.items():
        form.controls[name].setText(value)
    assert form.submit() is not None
    assert len(store.checks(session.id)) == 1
    assert form.message.text() == ""
    assert form.status.text().startswith("Saved")


@dataclass
class RecordingLogger:
    """An EventLogger that refuses like the service does and notes what it was given."""

    calls: list[tuple[str, Mapping[str, str], str, datetime | str | None]] = field(
        default_factory=list
    )

    def protocol(self, session_id: int) -> Protocol:
        return preset(ESKETAMINE_REMS, {})

    def log_event(
        self,
        session_id: int,
        kind: str,
        raw: Mapping[str, str],
        recorded_by: str,
        occurred_at: datetime | str | None = None,
    ) -> SessionEvent:
        self.calls.append((kind, dict(raw), recorded_by, occurred_at))
        raise ValidationError(
            [FieldError("recorded_by", "Recorded by", "", "Recorded by: from the service.")]
        )


def test_the_event_form_leaves_validation_to_the_service(qtbot, clock: ManualClock) -> None:
    logger = RecordingLogger()
    form = EventForm(logger)
    qtbot.addWidget(form)
    form.set_session(1)
    form.select_kind("adverse_event")
    form.occurred_at.setText("25:99")
    assert form.submit() is None
    # handed over as typed, not refused by a second copy of the rules in the form
    [(kind, _raw, initials, when)] = logger.calls
    assert (kind, initials, when) == ("adverse_event", "", "25:99")
    assert form.message.text() == "Recorded by: from the service."
    assert form.recorded_by.property("invalid") is True


def test_a_store_failure_is_the_one_not_saved_message(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("RT-1", ESKETAMINE_REMS, "AB"))
    form = EventForm(service)
    qtbot.addWidget(form)
    form.set_session(session.id)
    form.select_kind("note")
    form.fields["note"]["text"].setText("calm")
    form.recorded_by.setText("AB")
    store.end_session(session.id, "AB")  # e.g. ended from another window meanwhile
    assert form.submit() is None
    assert form.message.text() == f"Not saved: Session {session.id} has ended; it is read-only."
    assert form.fields["note"]["text"].text() == "calm"


def test_the_pin_setup_page_says_not_saved_when_the_store_cannot_write(
    qtbot, quick_store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(quick_store, clock)
    page = PinSetupPage(service.set_pin)
    qtbot.addWidget(page)
    page.pin.setText("135790")
    page.repeat.setText("135790")
    with qtbot.assertNotEmitted(page.pin_set), locked_by_other_process(quick_store.path):
        assert page.submit() is False
    assert page.message.text().startswith("Not saved")
    assert page.pin.text() == "135790"  # kept for the retry
    assert quick_store.current_pin() is None
    assert page.submit() is True
    assert [by for _at, by in quick_store.pin_changes()] == [SET_IN_PANEL]


def test_the_settings_dialog_saves_through_the_service_saying_where_from(
    qtbot, store: SessionStore
) -> None:
    heard: list[Change] = []
    store.subscribe(heard.append)
    dialog = SettingsDialog(MonitoringService(store, store.clock))
    qtbot.addWidget(dialog)
    dialog.controls["thresholds.hr_high"].setText("120")
    assert dialog.save()
    assert store.load_settings()["thresholds.hr_high"] == 120
    assert [(c.kind, c.by) for c in heard] == [(ChangeKind.SETTINGS, SET_IN_PANEL)]


def test_the_discharge_dialog_shows_every_refused_field_at_once(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("RT-1", ESKETAMINE_REMS, "AB"))
    dialog = DischargeDialog(store, session.id, clock, service=service)
    qtbot.addWidget(dialog)
    dialog.note.setText("bell \x07")
    assert dialog.end_session() is False
    text = dialog.error_label.text()
    assert "Ended by: required" in text and "Discharge note:" in text
    assert dialog.ended_by.property("invalid") is True and dialog.note.property("invalid")
    assert store.session(session.id).is_open and store.discharge(session.id) == {}


def test_score_placeholders_are_the_fields_ranges(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    form = VitalsForm(MonitoringService(store, clock), clock)
    qtbot.addWidget(form)
    for name in ("moaas", "cadss", "anxiety", "nausea", "pain"):
        assert form.controls[name].placeholderText() == FIELD_BY_NAME[name].range_text()


class LayoutRequests(QObject):
    """Counts the layout passes Qt still has to run (each one can repaint the window)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.seen += 1
        return False


def test_a_save_leaves_no_layout_pass_for_a_second_repaint(
    qtbot, panel: StaffPanel, session
) -> None:
    """The status line, countdown and alerts a save changes are laid out within the save,
    so the window paints once; each layout pass left to the event loop resized the parent
    of the last, one level at a time, between repaints."""
    form = panel.vitals_form
    for name, value in BASELINE.items():
        form.controls[name].setText(value)
    qtbot.wait(1)  # typing's own layout passes are not the save's
    assert form.submit() is not None
    pending = LayoutRequests()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(pending)
    try:
        app.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # what the event loop would run
    finally:
        app.removeEventFilter(pending)
    assert pending.seen == 0
