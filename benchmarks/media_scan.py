"""Media scan: a clinic folder of 2,000 small files read while both windows are up.

Issue 13 point 9: scanning on the UI thread froze both windows for 21 s. Measured here,
in a child process on the run's Xvfb display, as the app runs it (patient window
painted, store open, staff panel built, then `reload_library` with the clinic folder):

- the event loop's longest stall while the folder is read and the tiles fill in: a
  QTimer every 10 ms records the longest gap between two of its ticks (budget 50 ms);
- the time from asking for the folder to a full library (every tile on the patient
  window), first with an empty thumbnails folder (every file probed by libvlc), then
  in a new process on the same data folder (the probe cache: nothing probed again).

The folder: 1,975 tracks of 0.05 s (WAV) in 40 sub-folders, 10 two-second videos, and
15 files to leave out (0-byte, not media, damaged, a 2 GB sparse copy).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks.core import Figure, emit, median, run_child, temp_dir

STALL_BUDGET_MS = 50.0
COLD_BUDGET_S = 20.0  # the old freeze was 21 s for the same folder
WARM_BUDGET_S = 2.0
TICK_MS = 10
TRACKS, VIDEOS = 1975, 10


def make_folder(folder: Path) -> None:
    """The clinic folder (libvlc copies the videos: no ffmpeg needed)."""
    from session_app.media.backend import HEADLESS_ARGS, load_backend
    from tests.media.helpers import write_corrupt, write_short_video, write_tone

    for index in range(TRACKS):
        sub = folder / f"album {index // 50:02}"
        sub.mkdir(parents=True, exist_ok=True)
        write_tone(sub / f"track {index:04}.wav", 0.05, 200 + index % 400)
    backend = load_backend(HEADLESS_ARGS)
    videos = folder / "Videos"
    videos.mkdir()
    write_short_video(backend.instance, videos / "clip 00.avi", 2)
    for index in range(1, VIDEOS):
        (videos / f"clip {index:02}.avi").write_bytes((videos / "clip 00.avi").read_bytes())
    for index in range(10):
        (folder / f"empty {index}.mp3").touch()
    for index in range(3):
        (folder / f"notes {index}.txt").write_text("playlist ideas")
    write_corrupt(folder / "broken.mp3")
    with open(folder / "unfinished copy.mp3", "wb") as sparse:
        sparse.truncate(2 * 1024**3)


def child(data_dir: Path, folder: Path) -> int:
    """Both windows as run_gui builds them, then the scan, timed from inside."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from session_app.app import _wait_until_painted, build_patient_window, build_staff_panel
    from session_app.media.player import create_player
    from session_app.store import SessionStore

    app = QApplication([sys.argv[0]])
    patient = build_patient_window(data_dir, create_player())
    patient.allow_close = True
    patient.move(0, 0)
    patient.show()
    _wait_until_painted(app, patient)
    store = SessionStore.open(data_dir)
    store.save_settings({"media_folders": [str(folder)]})
    staff = build_staff_panel(store, patient)
    staff.move(640, 200)
    staff.show()
    _wait_until_painted(app, staff)

    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    meter = QTimer()
    meter.setInterval(TICK_MS)
    meter.timeout.connect(tick)
    meter.start()
    app.processEvents()
    started = time.monotonic()
    last[0] = started
    patient.reload_library([str(folder)])
    full: list[float] = []

    def check() -> None:
        library = patient.library
        if not patient.scanner.busy and len(patient.tiles.tiles) == len(library.items):
            full.append(time.monotonic() - started)
            app.exit(0)

    watcher = QTimer()
    watcher.setInterval(TICK_MS)
    watcher.timeout.connect(check)
    watcher.start()
    QTimer.singleShot(120_000, lambda: app.exit(1))
    code = app.exec()
    meter.stop()
    clinic = [item for item in patient.library.items if not item.builtin]
    emit(
        {
            "full_s": full[0] if full else float("nan"),
            "max_gap_ms": 1000 * max(gaps, default=float("nan")),
            "ticks": len(gaps),
            "items": len(clinic),
            "skipped": len(patient.library.skipped),
            "skipped_on_strip": staff.now_playing_strip.skipped.text(),
        }
    )
    staff.stop()
    patient.close()
    store.close()
    return code


def run(display: str, runs: int = 1) -> list[Figure]:
    cold_full, cold_gap, warm_full, warm_gap = [], [], [], []
    note = ""
    for _ in range(runs):
        with temp_dir("media-scan") as root:
            folder, data_dir = root / "clinic", root / "data"
            data_dir.mkdir(mode=0o700)
            run_child("media_scan", ["--make", str(folder)], display=None)
            for full, gap in ((cold_full, cold_gap), (warm_full, warm_gap)):
                args = ["--data-dir", str(data_dir), "--folder", str(folder)]
                result = run_child("media_scan", args, display=display)
                if result["items"] != TRACKS + VIDEOS:
                    raise RuntimeError(f"library incomplete: {result}")
                full.append(float(result["full_s"]))  # type: ignore[arg-type]
                gap.append(float(result["max_gap_ms"]))  # type: ignore[arg-type]
                note = f"{result['items']} items, {result['skipped']} left out and named"
    files = f"{TRACKS + VIDEOS + 15} files"
    return [
        Figure(
            "media_scan_cold_stall",
            f"Media scan, {files}, first: longest UI stall",
            max(cold_gap),
            "ms",
            STALL_BUDGET_MS,
            note=f"QTimer every {TICK_MS} ms, longest gap between ticks",
        ),
        Figure(
            "media_scan_cold_full",
            f"Media scan, {files}, first: to a full library",
            median(cold_full),
            "s",
            COLD_BUDGET_S,
            note=note,
        ),
        Figure(
            "media_scan_warm_stall",
            f"Media scan, {files}, next start: longest UI stall",
            max(warm_gap),
            "ms",
            STALL_BUDGET_MS,
        ),
        Figure(
            "media_scan_warm_full",
            f"Media scan, {files}, next start: to a full library",
            median(warm_full),
            "s",
            WARM_BUDGET_S,
            note="the probe cache in thumbnails/index.json: nothing probed again",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--make", type=Path, help="write the clinic folder and exit")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--folder", type=Path)
    options = parser.parse_args()
    if options.make is not None:
        make_folder(options.make)
        emit({"made": str(options.make)})
        return 0
    return child(options.data_dir, options.folder)


if __name__ == "__main__":
    sys.exit(main())
