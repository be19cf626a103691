"""Subprocess for the kill test: enters records in a loop and acknowledges each one.

It prints `ACK <kind> <row id> <value>` only after the store has returned, i.e. after the
commit, exactly when the staff panel would say "saved". The test kills this process at
random moments and then checks that every acknowledged record is in the file.

Usage: python -m tests.reliability.record_driver DATA_DIR SEED
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.vitals import validate_vitals
from session_app.store import SessionStore


def main() -> int:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    store = SessionStore.open(data_dir)
    session = store.open_session() or store.start_session(NewSession("KT", IV_KETAMINE, "AB"))
    print(f"READY {session.id}", flush=True)
    while True:
        if rng.random() < 0.8:
            heart_rate = rng.randint(40, 160)
            raw = {"heart_rate": str(heart_rate), "spo2": str(rng.randint(88, 100)),
                   "note": "x" * rng.randint(0, 400), "recorded_by": "AB"}
            check = store.add_check(session.id, validate_vitals(raw))
            print(f"ACK check {check.id} {heart_rate}", flush=True)
        else:
            event = store.add_event(session.id, "note", "AB", {"text": f"n{rng.random()}"})
            print(f"ACK event {event.id} {event.details['text']}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
