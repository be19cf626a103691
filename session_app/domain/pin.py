"""Staff PIN: salted scrypt hashes, and a lockout that slows down guessing.

The PIN keeps a curious patient out of the staff panel; it is not a login system and it
does not protect the data file (the OS account and the file's 0600 mode do). Only the salt
and hash are stored, never the PIN.

A 4-digit PIN has 10,000 values, so whoever can read the file can try them all; the hash
only makes that slower. n=65536, r=8 (64 MiB) takes about 250 ms on the reference machine
(the first release's n=16384 took a quarter of that): every 4-digit PIN costs about 40 min
of one core instead of about 10. The parameters are part of the scheme string, so a hash
made with older parameters still verifies, and is re-hashed at its next successful unlock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SCHEME = "scrypt-n65536-r8-p1"
_SCHEME = re.compile(r"scrypt-n([0-9]{1,10})-r([0-9]{1,3})-p([0-9]{1,2})")
_MAX_MEMORY = 2**28  # bytes: refuse a stored scheme that asks for more (a damaged file)
_PIN = re.compile(r"[0-9]{4,12}")


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


@dataclass
class PinAttempts:
    """Each wrong PIN doubles the wait before the next try (1 s, 2 s, 4 s … up to 5 min)."""

    failures: int = 0
    locked_until: datetime | None = None
    base_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = field(default=timedelta(minutes=5))

    def wait_remaining(self, now: datetime) -> timedelta:
        if self.locked_until is None or now >= self.locked_until:
            return timedelta(0)
        return self.locked_until - now

    def record_failure(self, now: datetime) -> timedelta:
        self.failures += 1
        delay = min(self.base_delay * (2 ** (self.failures - 1)), self.max_delay)
        self.locked_until = now + delay
        return delay

    def record_success(self) -> None:
        self.failures = 0
        self.locked_until = None
