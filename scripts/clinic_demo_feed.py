"""Feed a demo session into one room's data folder for `make clinic-demo` (issue 16).

Everything goes through the app's own MonitoringService, as the staff panel's saves do:
the session is validated and started (or the open one resumed), a baseline check is
taken, the dose logged, then a plausible check every few seconds. The room's app and its
clinic sender then see ordinary records. Bad input is one line on stderr and exit 2.

    python scripts/clinic_demo_feed.py --data-dir DIR [--patient ID] [--interval S]
        [--checks N]   (N = 0: until Ctrl+C)
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from session_app.config import DataDirError, ensure_data_dir
from session_app.domain.clock import SystemClock
from session_app.domain.errors import ValidationError
from session_app.domain.events import DOSE
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import validate_new_session
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore, StoreError

STAFF = "DM"  # "demo": the initials every demo record is signed with
DEMO_DOSE = {"drug": "Esketamine", "dose": "56", "unit": "mg", "route": "Intranasal"}


def demo_vitals(n: int) -> dict[str, str]:
    """The n-th check of a calm session with a mild BP rise after the dose: as a nurse
    would type it (strings), so the service validates it like any other save."""
    rise = 18 * math.sin(min(n, 12) / 12 * math.pi / 2)  # rises over the first checks
    wobble = 3 * math.sin(n)
    return {
        "systolic": str(round(122 + rise + wobble)),
        "diastolic": str(round(76 + rise / 2)),
        "heart_rate": str(round(74 + wobble)),
        "spo2": str(97 + n % 2),
        "resp_rate": "14",
        "recorded_by": STAFF,
    }


def feed(data_dir: Path, patient: str, checks: int, interval: float) -> None:
    """Start or resume the room's demo session and save `checks` checks (0: for ever)."""
    new = validate_new_session(patient, ESKETAMINE_REMS, STAFF)
    store = SessionStore.open(ensure_data_dir(data_dir))
    try:
        service = MonitoringService(store, SystemClock())
        session = store.open_session() or service.start_session(new)
        print(f"demo session {session.patient_id} running in {data_dir}", flush=True)
        saved = 0
        while checks == 0 or saved < checks:
            done = len(store.checks(session.id))
            service.record_check(session.id, demo_vitals(done))
            saved += 1
            if not any(e.kind == DOSE for e in store.events(session.id)):
                service.log_event(session.id, DOSE, DEMO_DOSE, STAFF)
            if checks == 0 or saved < checks:
                time.sleep(interval)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the room's data folder")
    parser.add_argument("--patient", default="DEMO-1", help="pseudonymous patient ID")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks")
    parser.add_argument("--checks", type=int, default=0, help="how many checks (0: until Ctrl+C)")
    args = parser.parse_args(argv)
    try:
        feed(args.data_dir, args.patient, max(0, args.checks), max(0.0, args.interval))
    except (DataDirError, StoreError, ValidationError) as exc:
        print(f"clinic_demo_feed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
