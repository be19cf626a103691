"""PIN check: how long one unlock's scrypt takes, and what that means for guessing.

In-process, no display: verify_pin on a hash of the current scheme (what Enter on the
lock screen costs, on the UI thread) and on the first release's scheme for comparison.
The guessing figure is every 4-digit PIN tried on one core at that speed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from benchmarks.core import Figure, median

UNLOCK_BUDGET_MS = 500.0  # the issue accepts ~250 ms; twice that is a stall staff notice
OLD_SCHEME = "scrypt-n16384-r8-p1"


def _ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


def run(display: str, runs: int = 5) -> list[Figure]:
    from session_app.domain.pin import SCHEME, PinHash, hash_pin, verify_pin

    current = hash_pin("2468")
    salt = b"0123456789abcdef"
    old = PinHash(OLD_SCHEME, salt, hashlib.scrypt(b"2468", salt=salt, n=16384, r=8, p=1))
    now_ms = _ms(lambda: verify_pin("2468", current), runs)
    old_ms = _ms(lambda: verify_pin("2468", old), runs)
    return [
        Figure(
            "pin_unlock_ms",
            f"PIN check ({SCHEME}), median",
            now_ms,
            "ms",
            budget=UNLOCK_BUDGET_MS,
            strict=False,
            note=f"{runs} checks; the first release's {OLD_SCHEME}: {old_ms:.0f} ms",
        ),
        Figure(
            "pin_all_4_digit_min",
            "Every 4-digit PIN on one core",
            now_ms * 10_000 / 60_000,
            "min",
            note=f"{old_ms * 10_000 / 60_000:.0f} min with {OLD_SCHEME}",
        ),
    ]
