from __future__ import annotations

from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.pin import PinAttempts, hash_pin, validate_pin, verify_pin


def test_pin_is_stored_as_a_salted_hash_that_verifies() -> None:
    first, second = hash_pin("4821"), hash_pin("4821")
    assert first.salt != second.salt and first.digest != second.digest
    assert b"4821" not in first.digest + first.salt
    assert verify_pin("4821", first)
    assert not verify_pin("4822", first)
    assert not verify_pin("", first)


@pytest.mark.parametrize("bad", ["", "123", "12a4", "1234567890123", "١٢٣٤", " 1234"])
def test_pin_rule_is_digits_only(bad: str) -> None:
    with pytest.raises(ValueError, match="4–12 digits"):
        validate_pin(bad)


def test_wrong_pins_slow_down_and_success_resets() -> None:
    clock = ManualClock()
    attempts = PinAttempts()
    delays = [attempts.record_failure(clock.now()) for _ in range(4)]
    assert delays == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert attempts.wait_remaining(clock.now()) == timedelta(seconds=8)
    clock.advance(seconds=8)
    assert attempts.wait_remaining(clock.now()) == timedelta(0)
    for _ in range(20):
        delay = attempts.record_failure(clock.now())
    assert delay == timedelta(minutes=5)
    attempts.record_success()
    assert attempts.wait_remaining(clock.now()) == timedelta(0)
