"""Scanning the clinic folders on a worker thread, so the windows keep moving.

Reading 2,000 files through libvlc takes seconds; on the UI thread it froze both windows
(and the breathing guide) for that long. Here `MediaLibrary.scan` runs on a QThread (it
touches only the prober and the probe cache), and the result comes back through a
signal queued to the UI thread, where the library takes it (`apply`) and `scanned`
announces it. No widget is touched off the UI thread; nothing clinical is here.

One scan at a time: a new folder list asked for mid-scan stops the running scan after
its current file and starts once it has. `shutdown()` (the window closes, or the
application quits) stops the scan and waits for its thread, so libvlc is never released
under a probe that is still running.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from session_app.media.library import MediaLibrary, ScanResult, SkippedFile

log = logging.getLogger("session_app.media")


class _ScanThread(QThread):
    """Runs one scan; `done` (this thread, ScanResult or None if stopped) is queued to the
    scanner, which lives on the UI thread."""

    done = Signal(object, object)

    def __init__(self, library: MediaLibrary, folders: list[str]) -> None:
        super().__init__()
        self.setObjectName("MediaScanThread")
        self.library = library
        self.folders = folders
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            result: ScanResult | None = self.library.scan(self.folders, self.stop.is_set)
        except Exception as exc:  # a bug must not leave the scanner busy for ever
            log.exception("media scan failed")
            problem = SkippedFile(Path(", ".join(self.folders)), f"scan failed: {exc}")
            result = ScanResult((), (problem,))
        self.done.emit(self, None if self.stop.is_set() else result)


class LibraryScanner(QObject):
    """Scans a library's clinic folders off the UI thread; `scanned` carries the whole
    library (built-in and clinic items, everything left out) once a scan is taken."""

    scan_started = Signal()
    scanned = Signal(object)  # ScanResult of the whole library

    def __init__(self, library: MediaLibrary, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LibraryScanner")
        self.library = library
        self._thread: _ScanThread | None = None
        self._pending: list[str] | None = None
        self._shut = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # run_gui releases libvlc after exec()

    @property
    def busy(self) -> bool:
        """A scan is running (its result not yet taken)."""
        return self._thread is not None

    def scan(self, folders: Sequence[Path | str]) -> bool:
        """Read `folders` on the worker thread, unless that is the list already read (or
        being read). True if a scan was started or queued."""
        wanted = [str(folder) for folder in folders]
        if self._shut:
            return False
        if self._thread is not None:
            current = self._pending if self._pending is not None else self._thread.folders
            if wanted == current:
                return False
            self._pending = wanted
            self._thread.stop.set()  # after its current file
            return True
        if not self.library.needs_scan(wanted):
            return False
        self._start(wanted)
        return True

    def _start(self, folders: list[str]) -> None:
        thread = _ScanThread(self.library, folders)
        thread.done.connect(self._finished)  # a bound method of a UI-thread object: queued
        self._thread = thread
        self.scan_started.emit()
        thread.start()

    def _finished(self, thread: _ScanThread, result: ScanResult | None) -> None:
        if thread is not self._thread:
            return  # a scan stopped by shutdown(): its result is not wanted
        thread.wait()  # `done` was its last act
        self._thread = None
        if result is not None:
            self.library.apply(thread.folders, result)
            self.scanned.emit(ScanResult(self.library.items, self.library.skipped))
        pending, self._pending = self._pending, None
        if pending is not None and self.library.needs_scan(pending):
            self._start(pending)

    def shutdown(self) -> None:
        """Stop a running scan and wait for its thread (its probe gives up at once)."""
        self._shut = True
        self._pending = None
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.stop.set()
        if self.library.prober is not None:
            self.library.prober.close()
        thread.wait()
