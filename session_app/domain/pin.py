"""Staff PIN: salted scrypt hashes, and a lockout that slows down guessing.

The PIN keeps a curious patient out of the staff panel; it is not a login system.
Only the salt and hash are stored, never the PIN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SCHEME = "scrypt-n16384-r8-p1"
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


def hash_pin(pin: str, salt: bytes | None = None) -> PinHash:
    import hashlib  # OpenSSL loads with the first PIN, not when the lock screen opens
    import secrets

    validate_pin(pin)
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)
    return PinHash(SCHEME, salt, digest)


def verify_pin(pin: str, stored: PinHash) -> bool:
    import hashlib
    import hmac

    if stored.scheme != SCHEME or not _PIN.fullmatch(pin):
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=stored.salt, n=16384, r=8, p=1, dklen=32)
    return hmac.compare_digest(candidate, stored.digest)


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
