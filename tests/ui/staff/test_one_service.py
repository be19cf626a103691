"""Issue 14 leftovers: one MonitoringService per panel, every write through it.

The settings and discharge dialogs take the panel's own service (no default that builds
a second one on the store); the lock screen records PIN tries and re-hashes an old PIN
through service methods, with the behaviour it had.
"""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import Qt

from session_app.domain.clock import ManualClock
from session_app.domain.pin import REHASHED_AT_UNLOCK, SCHEME, PinHash, hash_pin, verify_pin
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind
from session_app.ui.lock import LockScreen
from session_app.ui.staff.event_form import EventForm
from session_app.ui.staff.panel import StaffPanel
from session_app.ui.staff.settings_dialog import SettingsDialog


def test_the_panels_dialogs_use_the_panels_own_service(qtbot, panel: StaffPanel, session) -> None:
    settings = panel.open_settings()
    qtbot.addWidget(settings)
    assert settings._service is panel.service
    settings.reject()
    ending = panel.open_end_session()
    assert ending is not None
    qtbot.addWidget(ending)
    assert ending._service is panel.service
    assert panel.lock_screen._pins is panel.service


def test_the_settings_dialog_takes_a_service_not_a_store(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    dialog = SettingsDialog(service)
    qtbot.addWidget(dialog)
    dialog.controls["thresholds.hr_high"].setText("125")
    assert dialog.save()
    assert store.load_settings()["thresholds.hr_high"] == 125
    with pytest.raises(TypeError):
        SettingsDialog()  # type: ignore[call-arg]


def test_the_event_form_needs_no_clock(qtbot, store: SessionStore, clock: ManualClock) -> None:
    form = EventForm(MonitoringService(store, clock))
    qtbot.addWidget(form)
    assert not hasattr(form, "_clock")


def test_pin_tries_are_recorded_through_the_service(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    service.set_pin(hash_pin("2468"))
    heard: list[Change] = []
    store.subscribe(heard.append)
    screen = LockScreen(service, clock)
    qtbot.addWidget(screen)
    qtbot.keyClicks(screen.pin, "1111")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert service.pin_attempts().failures == 1 == store.pin_attempts().failures
    clock.advance(seconds=1)
    unlocked: list[bool] = []
    screen.unlocked.connect(lambda: unlocked.append(True))
    qtbot.keyClicks(screen.pin, "2468")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert unlocked == [True] and store.pin_attempts().failures == 0
    assert [c.kind for c in heard] == [ChangeKind.PIN_ATTEMPT, ChangeKind.PIN_ATTEMPT]


def test_an_old_pin_hash_is_renewed_at_unlock_through_the_service(
    qtbot, store: SessionStore, clock: ManualClock
) -> None:
    salt = b"0123456789abcdef"
    old = PinHash(
        "scrypt-n16384-r8-p1", salt, hashlib.scrypt(b"2468", salt=salt, n=16384, r=8, p=1)
    )
    store.set_pin(old)
    service = MonitoringService(store, clock)
    screen = LockScreen(service, clock)
    qtbot.addWidget(screen)
    qtbot.keyClicks(screen.pin, "2468")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    current = service.current_pin()
    assert current is not None and current.scheme == SCHEME and verify_pin("2468", current)
    assert store.pin_changes()[-1][1] == REHASHED_AT_UNLOCK


def test_the_service_rehash_puts_the_current_scheme_in_force(
    store: SessionStore, clock: ManualClock
) -> None:
    service = MonitoringService(store, clock)
    service.rehash_pin("97531")
    current = store.current_pin()
    assert current is not None and verify_pin("97531", current)
    assert store.pin_changes()[-1][1] == REHASHED_AT_UNLOCK
