"""The app as a clinic runs it, with a track chosen on the patient screen: for the idle-cost
and memory figures measured from outside (benchmarks/idle_cpu.py).

`python -m benchmarks.app_driver --data-dir D --kind music|video` builds both windows
through the composition root (`session_app.app.build_windows`, real clock, real libvlc),
shows them, resumes the session in progress, then plays the first built-in item of that
kind as a patient's tap on its tile would (`PatientWindow.choose`). It prints
"ready" when both windows are up and "playing" when the track started, then idles.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from session_app.app import build_windows
from session_app.media.library import MediaKind
from session_app.store import SessionStore


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--kind", choices=("music", "video", "none"), default="music")
    options = parser.parse_args()
    app = QApplication([sys.argv[0]])
    store = SessionStore.open(options.data_dir)
    windows = build_windows(store)
    windows.patient.allow_close = True
    windows.patient.move(0, 0)
    windows.staff.move(640, 200)
    windows.patient.show()
    windows.staff.show()

    def play() -> None:
        print("ready", flush=True)
        if options.kind == "none":
            return
        kind = MediaKind.VIDEO if options.kind == "video" else MediaKind.AUDIO
        items = [item for _, group in windows.patient.library.grouped() for item in group]
        item = next(i for i in items if i.kind is kind)
        windows.patient.choose(item)
        print(f"playing {item.path.name}", flush=True)

    QTimer.singleShot(500, play)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
