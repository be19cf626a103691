"""Subprocess for the kill test: the real app's windows (offscreen), entering records
through the staff panel's own forms in a loop.

It prints `ACK <kind> <row id> <value>` only when a form's submit has returned the saved
record, i.e. exactly when the panel shows "saved". The test kills this process at random
moments and then checks that every acknowledged record is in the file.

Usage: python -m tests.reliability.record_driver DATA_DIR SEED
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from session_app.app import build_windows
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.store import SessionStore


def main() -> int:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = SessionStore.open(data_dir)
    windows = build_windows(store, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    staff = windows.staff
    windows.patient.show()
    staff.show()
    if staff.current_session is None:  # the first run starts it; later runs resume it
        staff.show_session(staff.service.start_session(NewSession("KT", IV_KETAMINE, "AB", 70.0)))
    vitals, events = staff.vitals_form, staff.event_form
    events.select_kind("note")
    print(f"READY {staff.current_session.id}", flush=True)
    while True:
        app.processEvents()
        if rng.random() < 0.8:
            heart_rate = rng.randint(40, 160)
            vitals.controls["heart_rate"].setText(str(heart_rate))
            vitals.controls["spo2"].setText(str(rng.randint(88, 100)))
            vitals.controls["note"].setText("x" * rng.randint(0, 400))
            vitals.controls["recorded_by"].setText("AB")
            result = vitals.submit()
            if result is None:
                print(f"REFUSED {vitals.message.text()}", flush=True)
                return 1
            print(f"ACK check {result.check.id} {heart_rate}", flush=True)
        else:
            text = f"n{rng.randint(0, 10**9)}"
            events.fields["note"]["text"].setText(text)
            events.recorded_by.setText("AB")
            event = events.submit()
            if event is None:
                print(f"REFUSED {events.message.text()}", flush=True)
                return 1
            print(f"ACK event {event.id} {text}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
