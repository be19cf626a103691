from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.pin import (
    SCHEME,
    PinAttempts,
    PinHash,
    hash_pin,
    lockout_delay,
    needs_rehash,
    validate_pin,
    verify_pin,
)

# The hashes of the first release (schema 1): scrypt n=16384, r=8, p=1, made here the way it
# made them, so these tests do not depend on the code under test to produce an old hash.
OLD_SCHEME = "scrypt-n16384-r8-p1"


def old_scheme_hash(pin: str, salt: bytes = b"0123456789abcdef") -> PinHash:
    return PinHash(OLD_SCHEME, salt, hashlib.scrypt(pin.encode(), salt=salt, n=16384, r=8, p=1))


def test_pin_is_stored_as_a_salted_hash_that_verifies() -> None:
    first, second = hash_pin("4821"), hash_pin("4821")
    assert first.salt != second.salt and first.digest != second.digest
    assert b"4821" not in first.digest + first.salt
    assert verify_pin("4821", first)
    assert not verify_pin("4822", first)
    assert not verify_pin("", first)


def test_new_hashes_use_stronger_scrypt_named_in_the_scheme() -> None:
    """n=65536 (4x the first release's work and memory): about 250 ms here; see pin.py."""
    assert SCHEME == "scrypt-n65536-r8-p1"
    made = hash_pin("4821", salt=b"s" * 16)
    assert made.scheme == SCHEME
    expected = hashlib.scrypt(b"4821", salt=b"s" * 16, n=65536, r=8, p=1, maxmem=2**28)
    assert made.digest == expected
    assert not needs_rehash(made)


def test_a_pin_hashed_with_the_old_scheme_still_unlocks_and_asks_to_be_rehashed() -> None:
    old = old_scheme_hash("2468")
    assert verify_pin("2468", old)
    assert not verify_pin("2469", old)
    assert needs_rehash(old)


@pytest.mark.parametrize(
    "scheme",
    [
        "bcrypt",
        "scrypt-n16384-r8",
        "scrypt-n0-r8-p1",
        "scrypt-n1073741824-r8-p1",
        "SCRYPT-N16384-R8-P1",
    ],
)
def test_an_unknown_or_unreasonable_scheme_never_verifies(scheme: str) -> None:
    """A damaged or crafted file cannot make the lock screen spend gigabytes or accept a PIN."""
    old = old_scheme_hash("2468")
    assert not verify_pin("2468", PinHash(scheme, old.salt, old.digest))


@pytest.mark.parametrize("bad", ["", "123", "12a4", "1234567890123", "١٢٣٤", " 1234"])
def test_pin_rule_is_digits_only(bad: str) -> None:
    with pytest.raises(ValueError, match="4–12 digits"):
        validate_pin(bad)


def test_each_wrong_pin_doubles_the_wait_up_to_five_minutes() -> None:
    assert [lockout_delay(n) for n in range(6)] == [
        timedelta(seconds=s) for s in (0, 1, 2, 4, 8, 16)
    ]
    assert lockout_delay(9) == timedelta(seconds=256)
    assert lockout_delay(10) == timedelta(minutes=5)
    assert lockout_delay(10_000) == timedelta(minutes=5)  # a count kept for years: no overflow


def test_the_wait_counts_from_the_last_wrong_pin() -> None:
    clock = ManualClock()
    attempts = PinAttempts()
    for _ in range(4):
        attempts = attempts.after_failure(clock.now())
    assert attempts.failures == 4 and attempts.last_failure == clock.now()
    assert attempts.wait_remaining(clock.now()) == timedelta(seconds=8)
    clock.advance(seconds=5)
    assert attempts.wait_remaining(clock.now()) == timedelta(seconds=3)
    clock.advance(seconds=3)
    assert attempts.wait_remaining(clock.now()) == timedelta(0)
    assert PinAttempts().wait_remaining(clock.now()) == timedelta(0)


def test_a_clock_set_back_does_not_lock_staff_out_until_it_catches_up() -> None:
    clock = ManualClock()
    attempts = PinAttempts(failures=3, last_failure=clock.now())
    clock.advance(minutes=-60)  # the system clock was corrected by an hour
    assert attempts.wait_remaining(clock.now()) == timedelta(0)
    assert attempts.after_failure(clock.now()).wait_remaining(clock.now()) == timedelta(seconds=8)
