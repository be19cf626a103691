"""The lock / close state machine on its own, without a panel (issue 14)."""

from __future__ import annotations

import pytest

from session_app.ui.staff.lock_protocol import LockProtocol, LockState

SIGNALS = ("lock_now", "unlock_now", "close_waiting", "ask_to_close", "close_confirmed")


@pytest.fixture
def heard(qtbot) -> tuple[LockProtocol, list[str]]:
    protocol = LockProtocol(require_pin=True)
    seen: list[str] = []
    for name in SIGNALS:
        getattr(protocol, name).connect(lambda name=name: seen.append(name))
    return protocol, seen


def test_lock_and_unlock(heard) -> None:
    protocol, seen = heard
    protocol.lock()
    protocol.lock()  # the idle time while already locked: nothing to redo
    assert protocol.is_locked and seen == ["lock_now"]
    protocol.pin_accepted()
    assert protocol.state is LockState.UNLOCKED and seen == ["lock_now", "unlock_now"]
    protocol.pin_accepted()  # a second unlock signal changes nothing
    assert seen == ["lock_now", "unlock_now"]


def test_without_a_pin_it_never_locks_and_closes_go_through(qtbot) -> None:
    protocol = LockProtocol(require_pin=False)
    protocol.lock()
    assert not protocol.is_locked and protocol.allows_close


def test_a_close_request_while_locked_waits_for_the_pin_then_asks(heard) -> None:
    protocol, seen = heard
    protocol.lock()
    protocol.close_requested()
    protocol.close_requested()  # the panel's own close, while waiting
    assert protocol.close_pending and not protocol.allows_close
    assert seen == ["lock_now", "close_waiting", "close_waiting"]
    protocol.pin_accepted()
    assert protocol.state is LockState.CONFIRMING_CLOSE
    assert seen[-2:] == ["unlock_now", "ask_to_close"]
    protocol.close_requested()  # asked again while the question is open: one question
    assert seen.count("ask_to_close") == 1
    protocol.close_answered(True)
    assert protocol.state is LockState.CLOSING and protocol.allows_close
    assert seen[-1] == "close_confirmed"
    protocol.lock()  # closing: no lock in between
    assert not protocol.is_locked


def test_no_keeps_the_app_open_and_a_lock_withdraws_the_question(heard) -> None:
    protocol, seen = heard
    protocol.close_requested()
    protocol.close_answered(False)
    assert protocol.state is LockState.UNLOCKED and "close_confirmed" not in seen
    protocol.close_requested()
    protocol.lock()  # the idle lock with the question open
    assert protocol.close_pending and seen[-2:] == ["lock_now", "close_waiting"]
    protocol.close_answered(True)  # a stale answer while locked does nothing
    assert protocol.close_pending and "close_confirmed" not in seen
    protocol.pin_accepted()
    assert protocol.state is LockState.CONFIRMING_CLOSE


def test_confirm_closing_lets_the_next_close_through(heard) -> None:
    protocol, _seen = heard
    protocol.lock()
    assert not protocol.allows_close
    protocol.confirm_closing()
    assert protocol.allows_close
