"""Issue 13, point 6: the locked staff panel exposes nothing clinical on the accessibility
bus. A screen reader or an automation client walks the accessible tree (AT-SPI is built
on QAccessible), not the widgets' visibility: a hidden page of a stacked widget, a hidden
dialog or a hidden summary window would still answer with their names and values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QApplication

from session_app.app import AppWindows, build_windows
from session_app.domain.clock import ManualClock
from session_app.domain.pin import hash_pin
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.ui.windows import shut_down

PIN = "482913"
PATIENT = "PX-7731"
NOTE = "zebra-note-44"
EVENT_NOTE = "okapi-event-91"
DISCHARGE_NOTE = "heron-discharge-17"
HEART_RATE = "123"
TEXTS = (QAccessible.Text.Name, QAccessible.Text.Value, QAccessible.Text.Description)
MAX_NODES = 50_000  # a guard against a cycle, far above the panel's few thousand nodes


def accessible_texts(root: QAccessibleInterface | None) -> list[str]:
    """Every name, value, description and text under `root`, as an AT-SPI client reads
    them (child by child; a table's children are its cells)."""
    found: list[str] = []
    stack = [root]
    seen = 0
    while stack and seen < MAX_NODES:
        node = stack.pop()
        if node is None or not node.isValid():
            continue
        seen += 1
        found += [node.text(kind) for kind in TEXTS if node.text(kind)]
        text = node.textInterface()  # line edits, text browsers: the whole text
        if text is not None and text.characterCount():
            found.append(text.text(0, text.characterCount()))
        stack += [node.child(i) for i in range(node.childCount())]  # a table's: its cells
    return found


def bus_texts() -> list[str]:
    """What the whole application exposes: the accessible application's children are its
    top-level windows, shown or hidden, which is what the AT-SPI bridge lists."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app = QAccessible.queryAccessibleInterface(QApplication.instance())
    return accessible_texts(app)


def clinical(texts: list[str]) -> list[str]:
    pattern = re.compile(rf"{PATIENT}|{NOTE}|{EVENT_NOTE}|{DISCHARGE_NOTE}|\b{HEART_RATE}\b")
    return [text for text in texts if pattern.search(text)]


@pytest.fixture
def windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    """A locked app with a session whose patient ID, note and heart rate are distinctive."""
    store = SessionStore.open(data_dir, clock=clock)
    store.set_pin(hash_pin(PIN))
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession(PATIENT, ESKETAMINE_REMS, "AB"))
    service.record_check(
        session.id,
        {
            "systolic": "128",
            "diastolic": "78",
            "heart_rate": HEART_RATE,
            "spo2": "97",
            "note": NOTE,
            "recorded_by": "AB",
        },
    )
    service.log_event(session.id, "note", {"text": EVENT_NOTE}, "AB")
    built = build_windows(
        store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)), require_pin=True
    )
    qtbot.addWidget(built.patient)
    built.patient.show()
    built.staff.show()
    qtbot.waitExposed(built.staff)
    yield built
    shut_down(built)


def unlock(qtbot, windows: AppWindows) -> None:
    qtbot.keyClicks(windows.staff.lock_screen.pin, PIN)
    assert windows.staff.lock_screen.try_unlock()


def test_locked_at_start_the_panel_tree_holds_nothing_clinical(qtbot, windows: AppWindows) -> None:
    staff = windows.staff
    qtbot.wait(50)  # let the panel paint and run what it queues after its first paint
    assert staff.is_locked
    panel_tree = accessible_texts(QAccessible.queryAccessibleInterface(staff))
    assert "Staff panel locked" in panel_tree  # the walk does reach the lock page
    assert clinical(panel_tree) == []
    assert clinical(bus_texts()) == []


def test_after_unlock_the_content_is_readable_again(qtbot, windows: AppWindows) -> None:
    unlock(qtbot, windows)
    texts = accessible_texts(QAccessible.queryAccessibleInterface(windows.staff))
    found = " ".join(clinical(texts))
    for expected in (PATIENT, NOTE, EVENT_NOTE, HEART_RATE):
        assert expected in found


def test_locking_again_takes_the_content_and_every_window_it_opened_off_the_bus(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    staff = windows.staff
    unlock(qtbot, windows)
    session_id = staff.current_session.id
    staff.vitals_form.controls["heart_rate"].setText(HEART_RATE)  # typed, not saved yet
    staff.flowsheet.selectRow(0)
    correction = staff.flowsheet.open_correction()
    staff.timeline.selectRow(0)
    history = staff.timeline.open_history()
    discharge = staff.open_end_session()
    assert discharge is not None
    discharge.note.setText(DISCHARGE_NOTE)  # typed, not saved
    summary = staff.open_summary(session_id)
    for window in (correction, history, discharge, summary):
        assert window is not None and window.isVisible()
    on_bus = " ".join(bus_texts())
    assert PATIENT in on_bus and DISCHARGE_NOTE in on_bus  # the walk reaches the dialogs

    staff.lock_button.click()

    assert staff.is_locked
    assert clinical(accessible_texts(QAccessible.queryAccessibleInterface(staff))) == []
    assert clinical(bus_texts()) == []
    unlock(qtbot, windows)
    assert staff.vitals_form.controls["heart_rate"].text() == HEART_RATE  # as it was
    assert PATIENT in " ".join(accessible_texts(QAccessible.queryAccessibleInterface(staff)))


def test_the_idle_lock_also_clears_the_bus(qtbot, windows: AppWindows, clock: ManualClock) -> None:
    staff = windows.staff
    unlock(qtbot, windows)
    settings = staff.open_settings()
    assert settings.isVisible()
    clock.advance(minutes=6)
    staff.idle.poll()
    assert staff.is_locked
    assert clinical(bus_texts()) == []


def test_a_discharge_dialog_with_a_typed_note_is_kept_off_the_bus_and_comes_back(
    qtbot, windows: AppWindows, clock: ManualClock
) -> None:
    """Issue 15 point 1: a lock keeps what was typed in an open dialog, but not on the
    bus: the dialog has no window while locked; after the PIN it is back with the note."""
    staff = windows.staff
    unlock(qtbot, windows)
    discharge = staff.open_end_session()
    assert discharge is not None
    qtbot.keyClicks(discharge.note, DISCHARGE_NOTE)  # typed, not saved
    assert DISCHARGE_NOTE in " ".join(bus_texts())

    clock.advance(minutes=6)
    staff.idle.poll()

    assert staff.is_locked and not discharge.isVisible()
    assert discharge.windowHandle() is None
    assert clinical(bus_texts()) == []
    unlock(qtbot, windows)
    assert discharge.isVisible() and discharge.note.text() == DISCHARGE_NOTE
    assert DISCHARGE_NOTE in " ".join(bus_texts())
