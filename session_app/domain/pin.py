"""Staff PIN: salted scrypt hashes, and a lockout that slows down guessing.

The PIN keeps a curious patient out of the staff panel; it is not a login system and it
does not protect the data file (the OS account and the file's 0600 mode do). Only the salt
and hash are stored, never the PIN.

A 4-digit PIN has 10,000 values, so whoever can read the file can try them all; the hash
only makes that slower. n=65536, r=8 (64 MiB) is 4x the work of the first release's
n=16384: on the project machine (2 cores, quiet) a check takes 265 ms against 57 ms
before, the ~250 ms unlock the issue accepts (n=131072 took 540 ms: too slow for a nurse
at the door). Trying every 4-digit PIN then costs one core about 45 min instead of about
10 (benchmarks/pin_unlock.py prints the figure). The parameters are
part of the scheme string, so a hash made with older parameters still verifies, and is
re-hashed at its next successful unlock (`needs_rehash`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

SCHEME = "scrypt-n65536-r8-p1"
_SCHEME = re.compile(r"scrypt-n([0-9]{1,10})-r([0-9]{1,3})-p([0-9]{1,2})")
# Bytes, four times the current scheme's: a stored scheme asking for more (a damaged file)
# is refused rather than allowed to make the lock screen allocate gigabytes.
_MAX_MEMORY = 2**28
_PIN = re.compile(r"[0-9]{4,12}")

BASE_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=5)

SET_IN_PANEL = "staff panel"
SET_ON_COMMAND_LINE = "set-pin (command line)"
REHASHED_AT_UNLOCK = "staff panel (same PIN, stronger hash at unlock)"


@dataclass(frozen=True)
class PinHash:
    scheme: str
    salt: bytes
    digest: bytes


def validate_pin(pin: str) -> str:
    """A PIN is 4–12 ASCII digits; raise ValueError with the rule otherwise."""
    if not _PIN.fullmatch(pin):
        raise ValueError("The staff PIN must be 4–12 digits (0–9).")
    return pin


def _scrypt(pin: str, salt: bytes, scheme: str) -> bytes | None:
    """The digest under `scheme`'s parameters, or None for a scheme we do not accept."""
    import hashlib  # OpenSSL loads with the first PIN, not when the lock screen opens

    match = _SCHEME.fullmatch(scheme)
    if match is None:
        return None
    n, r, p = (int(group) for group in match.groups())
    memory = 128 * r * (n + p + 2)  # what OpenSSL allocates (its maxmem check)
    if not (n > 1 and r > 0 and 0 < p <= 4 and memory <= _MAX_MEMORY):
        return None
    try:
        return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=memory + 2**20)
    except ValueError:  # n not a power of two, or parameters OpenSSL refuses
        return None


def hash_pin(pin: str, salt: bytes | None = None) -> PinHash:
    import secrets

    validate_pin(pin)
    salt = salt or secrets.token_bytes(16)
    digest = _scrypt(pin, salt, SCHEME)
    assert digest is not None
    return PinHash(SCHEME, salt, digest)


def verify_pin(pin: str, stored: PinHash) -> bool:
    """True if `pin` matches; any scheme of the form scrypt-n…-r…-p… within limits verifies."""
    import hmac

    if not _PIN.fullmatch(pin):
        return False
    candidate = _scrypt(pin, stored.salt, stored.scheme)
    return candidate is not None and hmac.compare_digest(candidate, stored.digest)


def needs_rehash(stored: PinHash) -> bool:
    """Made with older parameters: hash the PIN again once it has been typed right."""
    return stored.scheme != SCHEME


def lockout_delay(failures: int) -> timedelta:
    """The wait after `failures` wrong PINs in a row: 0, 1 s, 2 s, 4 s … up to 5 min."""
    if failures <= 0:
        return timedelta(0)
    doublings = min(failures - 1, 20)  # 2**20 s is far past the cap; no overflow
    return min(BASE_DELAY * 2**doublings, MAX_DELAY)


@dataclass(frozen=True)
class PinAttempts:
    """Wrong PINs since the last right one (or PIN change), and when the last was typed.

    The store keeps them, so closing and restarting the app does not clear the wait.
    """

    failures: int = 0
    last_failure: datetime | None = None

    def wait_remaining(self, now: datetime) -> timedelta:
        if self.last_failure is None or now < self.last_failure:
            # A clock set back must not lock staff out until it catches up; the count stays,
            # so the next wrong PIN waits the doubled delay again.
            return timedelta(0)
        return max(timedelta(0), self.last_failure + lockout_delay(self.failures) - now)

    def after_failure(self, now: datetime) -> PinAttempts:
        return PinAttempts(self.failures + 1, now)
