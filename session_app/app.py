"""Composition root: parse arguments, open the store, build and place the windows.

Sub-commands for clinic IT (listing and exporting sessions, setting the staff PIN,
backups) need no display; only the default command imports Qt.

Start-up order (see docs/performance.md): the patient window is built on the built-in
library and painted first; then the log file and the store are opened, the clinic's
media folders added, and the staff panel built. Nothing clinical is imported before the
patient's screen is up.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol

log = logging.getLogger("session_app.app")

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from session_app.clinic.sender import ClinicSender
    from session_app.devices.feeds import Feed
    from session_app.devices.listen import ListenAddress
    from session_app.devices.oximeter import OximeterPort
    from session_app.domain.clock import Clock
    from session_app.media.player import MediaPlayer
    from session_app.store import SessionStore
    from session_app.ui.patient.window import PatientWindow
    from session_app.ui.staff.feed_status import MainThreadPoster
    from session_app.ui.staff.panel import StaffPanel

    class StartupProbe(Protocol):
        def watch(self, window: QWidget) -> None: ...


def _data_dir_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="folder holding the SQLite store (default: the user's data dir)",
    )


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line: argparse would print the whole usage above them.
    Sub-command parsers are made of this class too (add_subparsers uses the parent's)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"session-app: error: {message} (see `{self.prog} --help`)\n")


def _hl7_listen_address(text: str) -> ListenAddress:
    """argparse shows an ArgumentTypeError's text as it is: one line, exit 2."""
    from session_app.devices.listen import parse_listen_address

    try:
        return parse_listen_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc}; expected HOST:PORT, e.g. 127.0.0.1:2575"
        ) from None


def _oximeter_option(text: str) -> OximeterPort:
    """`--oximeter PORT:PROTOCOL`, checked while parsing so a bad value is one line and
    exit 2. Imported here: nothing of devices/ loads unless the option is given."""
    from session_app.devices.oximeter import parse_oximeter_option

    try:
        return parse_oximeter_option(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="session-app",
        description="Treatment-room app: patient comfort window and staff monitoring panel.",
    )
    _data_dir_option(parser, None)
    parser.add_argument(
        "--patient-screen",
        type=int,
        default=None,
        metavar="N",
        help="screen number for the patient window (default: the second screen)",
    )
    parser.add_argument(
        "--single-screen",
        action="store_true",
        help="one screen: the patient window fills it; staff open their panel with "
        "Ctrl+Alt+S and the PIN",
    )
    parser.add_argument(
        "--staff-screen",
        type=int,
        default=None,
        metavar="N",
        help="screen number for the staff panel (default: the first screen)",
    )
    parser.add_argument(
        "--hl7-listen",
        type=_hl7_listen_address,
        default=None,
        metavar="HOST:PORT",
        help="take vitals from the patient monitor: listen for HL7 v2 over MLLP on this "
        "address (an IP address, e.g. 127.0.0.1:2575; default: off)",
    )
    parser.add_argument(
        "--oximeter",
        type=_oximeter_option,
        default=None,
        metavar="PORT:PROTOCOL",
        help="read a serial pulse oximeter, e.g. /dev/ttyUSB0:nonin or COM3:masimo "
        "(9600 8N1; protocols: nonin, masimo)",
    )
    # Sub-commands accept --data-dir after their name too (SUPPRESS keeps the main value).
    common = argparse.ArgumentParser(add_help=False)
    _data_dir_option(common, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "sessions", parents=[common], help="list sessions (id, patient ID, date, protocol, state)"
    )
    from session_app.export.cli import add_export_command

    add_export_command(commands, common)
    commands.add_parser(
        "set-pin", parents=[common], help="set the staff PIN, read from standard input"
    )
    backup = commands.add_parser(
        "backup", parents=[common], help="copy the store to PATH (safe while the app runs)"
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="new file to write the copy to")
    from session_app.clinic.cli import add_clinic_command

    add_clinic_command(commands)
    from session_app.devices.sim_cli import add_monitor_sim_command

    add_monitor_sim_command(commands)
    from session_app.station_app import add_station_command

    add_station_command(commands)
    return parser


@dataclass
class AppWindows:
    patient: PatientWindow
    staff: StaffPanel
    store: SessionStore


def build_patient_window(
    data_dir: Path, player: MediaPlayer | None = None, media_folders: Sequence[str] = ()
) -> PatientWindow:
    """The patient window over one media player (one libvlc instance) and the library
    (the built-in media plus `media_folders`; thumbnails cached in the data dir).

    It needs no store, so the app can build and show it before the store is open; its
    close guard is connected to the staff panel in `build_staff_panel`.
    """
    from session_app.media.library import MediaLibrary
    from session_app.media.player import create_player
    from session_app.media.probe import VlcProber
    from session_app.paths import MEDIA_DIR
    from session_app.ui.patient.window import PatientWindow

    player = player or create_player()
    library = MediaLibrary(
        MEDIA_DIR,
        list(media_folders),
        prober=VlcProber(player.backend) if player.available else None,
        cache_dir=data_dir / "thumbnails",
    )
    return PatientWindow(player, library)


def clinic_media_folders(store: SessionStore) -> list[str]:
    """The clinic's media folders from the staff settings (none by default)."""
    from session_app.domain.settings import resolve_settings

    return list(resolve_settings(store.load_settings()).get("media_folders", []))


def build_staff_panel(
    store: SessionStore,
    patient: PatientWindow,
    clock: Clock | None = None,
    *,
    require_pin: bool = False,
) -> StaffPanel:
    """The staff panel, its now-playing strip over the patient's player, and the rule that
    the patient window (or the panel) closes only when staff confirm."""
    from session_app.domain.clock import SystemClock
    from session_app.monitoring import MonitoringService
    from session_app.ui.staff.now_playing import NowPlayingStrip
    from session_app.ui.staff.panel import StaffPanel

    service = MonitoringService(store, clock or SystemClock())  # the app's one service
    strip = NowPlayingStrip(patient.player)
    staff = StaffPanel(service, now_playing=strip, require_pin=require_pin)

    def close_everything() -> None:
        patient.allow_close = True
        patient.close()
        staff.confirm_closing()
        staff.close()

    def refuse_and_ask_staff() -> bool:
        staff.request_app_close()
        return False

    patient.set_close_guard(refuse_and_ask_staff)
    staff.settings_closed.connect(lambda values: patient.reload_library(values["media_folders"]))
    strip.follow_library(patient.scanner)  # files the scan left out
    staff.close_app_confirmed.connect(close_everything)
    return staff


def build_windows(
    store: SessionStore,
    clock: Clock | None = None,
    player: MediaPlayer | None = None,
    *,
    require_pin: bool = False,
) -> AppWindows:
    """Both windows around one store and one player. Used by run_gui() and the tests
    (which may pass a headless `player`; the real app passes require_pin=True)."""
    patient = build_patient_window(Path(store.path).parent, player, clinic_media_folders(store))
    staff = build_staff_panel(store, patient, clock, require_pin=require_pin)
    return AppWindows(patient=patient, staff=staff, store=store)


class MonitorFeeds:
    """The device feeds the app runs and the poster their stores announce through (kept
    with them: it must outlive every feed)."""

    def __init__(self, feeds: list[Feed], poster: MainThreadPoster) -> None:
        self.feeds, self.poster = feeds, poster

    def stop(self) -> None:
        """Before the store closes: each feed's thread joined, then its store closed."""
        from session_app.devices.feeds import stop_feeds

        stop_feeds(self.feeds)


def start_monitor_feeds(
    windows: AppWindows,
    hl7_listen: ListenAddress | None = None,
    oximeter: OximeterPort | None = None,
) -> MonitorFeeds:
    """Start the feeds `--hl7-listen`/`--oximeter` or the `monitor_listen` setting ask for
    (the argument wins); their line goes in the staff header. A feed that cannot start
    is a line there and in the log, never a reason not to start. Call on the GUI thread:
    the poster lives there, so what a feed commits reaches the views on that thread."""
    from session_app.devices.feeds import start_feeds
    from session_app.ui.staff.feed_status import FeedStatusLine, MainThreadPoster

    poster = MainThreadPoster(windows.staff)
    feeds = start_feeds(windows.store, poster.post, hl7_listen=hl7_listen, oximeter=oximeter)
    if feeds:
        staff = windows.staff
        staff.show_feed_status(FeedStatusLine(feeds, windows.store, staff.clock, staff))
    return MonitorFeeds(feeds, poster)


def use_single_screen(windows: AppWindows) -> None:
    """One screen: the patient window fills it; staff reach their panel with a shortcut
    and the PIN, and the panel hides (locked) when they leave it."""
    from PySide6.QtGui import QKeySequence, QShortcut

    patient, staff = windows.patient, windows.staff

    def open_staff_panel() -> None:
        staff.lock()
        _fill_screen(staff)
        staff.raise_()
        staff.activateWindow()

    def back_to_patient() -> None:
        staff.hide()
        patient.raise_()
        patient.activateWindow()

    shortcut = QShortcut(QKeySequence(STAFF_SHORTCUT), patient)
    shortcut.setObjectName("StaffShortcut")
    shortcut.activated.connect(open_staff_panel)
    staff.locked.connect(lambda: None if staff.close_pending else back_to_patient())
    staff.set_lock_button_text("Lock and leave")
    patient.staff_shortcut = shortcut


STAFF_SHORTCUT = "Ctrl+Alt+S"


def _fill_screen(window: QWidget) -> None:
    """Full screen; the geometry too, for desktops without a window manager."""
    window.setGeometry(window.screen().geometry())
    window.showFullScreen()


def _place(app: QApplication, window: QWidget, screen: int | None, *, default: int) -> None:
    """Move a window to screen N (clamped to the screens there are); fill it when the
    patient window has a screen of its own."""
    screens = app.screens()
    index = max(0, min(default if screen is None else screen, len(screens) - 1))
    geometry = screens[index].availableGeometry()
    window.move(geometry.topLeft())
    if len(screens) > 1:
        window.setGeometry(geometry)


def _data_dir(data_dir: Path | None, *, create: bool = True) -> Path:
    """The data folder: --data-dir or the user's; created (0700) only if `create`."""
    from session_app.config import default_data_dir, ensure_data_dir

    folder = data_dir or default_data_dir()
    return ensure_data_dir(folder) if create else folder


def _open_store(
    data_dir: Path | None, *, with_logs: bool = False, for_reading: bool = False
) -> SessionStore:
    """The store in the data folder. `for_reading` (listing, export, backup): a folder
    without a store is refused, not given a new empty one (a mistyped --data-dir), and a
    read-only folder is opened read-only."""
    from session_app.store import SessionStore
    from session_app.store.repository import DB_FILENAME

    folder = _data_dir(data_dir, create=not for_reading)
    if with_logs:
        from session_app.logs import setup_logging

        try:
            setup_logging(folder)
        except OSError as exc:  # the store says what is wrong with the folder, if anything
            print(f"session-app: no log file in {folder}: {exc.strerror}", file=sys.stderr)
    store = SessionStore.open(folder / DB_FILENAME, for_reading=for_reading)
    log.info("store opened (schema ok)")
    return store


def _open_store_for_reading(data_dir: Path | None) -> SessionStore:
    return _open_store(data_dir, for_reading=True)


STARTUP_PROBE_ENV = "SESSION_APP_STARTUP_PROBE"


def _startup_probe(app: QApplication) -> StartupProbe:
    """For `make bench` (benchmarks/startup.py): print the monotonic time at which each
    window first painted ("probe PatientWindow 123.456"), then quit once both have.

    It filters only the two windows it is given (`watch`): a filter on the whole
    application would add work to every event of every widget, more for a richer window.
    """
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer

    waiting, reported = {"PatientWindow", "StaffPanel"}, set()

    def report(name: str) -> None:
        print(f"probe {name} {time.monotonic():.6f}", flush=True)  # after the paint
        reported.add(name)
        if len(reported) == 2:
            app.exit(0)  # not quit(): that asks the patient window, which refuses

    class Probe(QObject):
        def watch(self, window: QWidget) -> None:
            window.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                name = watched.objectName()
                if name in waiting:
                    waiting.discard(name)
                    watched.removeEventFilter(self)
                    QTimer.singleShot(0, lambda: report(name))
            return False

    return Probe(app)


def _wait_until_painted(app: QApplication, window: QWidget, limit_s: float = 1.0) -> None:
    """Run the event loop until `window` has painted once (at most `limit_s`): a single
    processEvents() returns before the window system has even mapped it."""
    import time

    from PySide6.QtCore import QEvent, QEventLoop, QObject

    painted: list[bool] = []

    class PaintWatch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and watched is window:
                painted.append(True)
            return False

    watch = PaintWatch()
    window.installEventFilter(watch)
    deadline = time.monotonic() + limit_s
    while not painted and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
    window.removeEventFilter(watch)


def run_gui(args: argparse.Namespace, argv: Sequence[str]) -> int:
    import os

    from session_app.media.backend import BackendStart

    media = BackendStart()  # libvlc starts on its own thread while Qt loads

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("session_app")
    probe = _startup_probe(app) if os.environ.get(STARTUP_PROBE_ENV) else None
    from session_app.config import DataDirError

    try:
        data_dir = _data_dir(args.data_dir)
    except DataDirError as exc:  # before any window: nothing comes up only to vanish
        _explain(str(exc))
        return 2
    import session_app.ui.patient.window  # noqa: F401  (imported while libvlc still starts)
    from session_app.media.player import MediaPlayer

    patient = build_patient_window(data_dir, MediaPlayer(media.result()))
    if probe is not None:
        probe.watch(patient)
    if args.single_screen:
        _fill_screen(patient)
    else:
        _place(app, patient, args.patient_screen, default=min(1, len(app.screens()) - 1))
        patient.show()
    _wait_until_painted(app, patient)  # the patient's screen is up before the rest
    store = _open_store_or_explain(data_dir, patient)
    if store is None:
        return 2
    if not patient.player.available:
        log.warning("media disabled: %s", patient.player.unavailable_reason)
    folders = clinic_media_folders(store)
    if folders:
        patient.reload_library(folders)
    staff = build_staff_panel(store, patient, require_pin=True)
    if probe is not None:
        probe.watch(staff)
    windows = AppWindows(patient=patient, staff=staff, store=store)
    if args.single_screen:
        use_single_screen(windows)
    else:
        _place(app, staff, args.staff_screen, default=0)
        staff.show()
    clinic = _ClinicLater(store, staff)
    freezer = freeze_after_start(staff)
    feeds = start_monitor_feeds(windows, args.hl7_listen, args.oximeter)
    code = app.exec()
    freezer.stop()
    feeds.stop()
    clinic.stop()
    staff.stop()
    patient.player.shutdown()
    store.close()
    return code


# What the app made while it started (Qt's, pyqtgraph's and our modules, the windows, the
# open session's record) lives as long as it does. Once started it is moved out of the
# garbage collector's reach (gc.freeze), so a full collection walks only what came after:
# it walked everything, a 50-70 ms stall of the screens every few minutes of a monitor feed.
FREEZE_AFTER_MS = 3000


def freeze_after_start(parent: QObject) -> QTimer:
    """After FREEZE_AFTER_MS (the windows are up): collect once, then freeze what is left.
    The timer is returned so that an app that ends sooner stops it (its windows may
    outlive the event loop, as in the tests)."""
    from PySide6.QtCore import QTimer

    def freeze() -> None:
        gc.collect()
        gc.freeze()
        log.info("start-up objects frozen out of garbage collection: %d", gc.get_freeze_count())

    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.timeout.connect(freeze)
    timer.start(FREEZE_AFTER_MS)
    return timer


# The clinic sender starts once the windows have painted: importing psycopg and the sender
# costs ~0.2-0.6 s on the GUI thread, which the staff panel's first paint must not wait for.
CLINIC_START_AFTER_MS = 1500


class _ClinicLater:
    """Starts the room's clinic sender (a joined room only) after the first paint, shows
    its line on the staff strip, and stops it at exit (even if it never started)."""

    def __init__(self, store: SessionStore, staff: StaffPanel) -> None:
        from PySide6.QtCore import QTimer

        self.sender: ClinicSender | None = None
        self._store, self._staff = store, staff
        self._timer = QTimer(staff)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.start)
        self._timer.start(CLINIC_START_AFTER_MS)

    def start(self) -> None:
        self.sender = _start_clinic_sender(self._store)
        if self.sender is not None:  # "Clinic server not reachable since … — N waiting"
            self._staff.show_clinic_status(self.sender)

    def stop(self) -> None:
        self._timer.stop()
        if self.sender is not None:
            self.sender.stop()


def _start_clinic_sender(store: SessionStore) -> ClinicSender | None:
    """The room's clinic sender, once it has joined (`clinic join`); a room on its own
    imports nothing of it (the psycopg import costs start-up time)."""
    from session_app.clinic.link import ClinicLink

    if ClinicLink.from_settings(store.load_settings()) is None:
        return None
    from session_app.clinic.sender import start_sender

    return start_sender(store)


def _open_store_or_explain(data_dir: Path, patient: PatientWindow) -> SessionStore | None:
    """Open the log file and the store; if the store refuses, close the patient window
    and say why in a box staff can read (and on stderr for clinic IT)."""
    from session_app.store import StoreError

    try:
        return _open_store(data_dir, with_logs=True)
    except (StoreError, OSError) as exc:
        log.error("store refused: %s", type(exc).__name__)
        patient.allow_close = True
        patient.close()
        _explain(str(exc))
        return None


def _explain(text: str) -> None:
    """Why the app cannot start: a box staff can read, a line on stderr for clinic IT."""
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(None, "session_app cannot open its data", text)
    print(f"session-app: {text}", file=sys.stderr)


def run_sessions(args: argparse.Namespace) -> int:
    from session_app.domain.clock import format_local

    store = _open_store(args.data_dir, for_reading=True)
    try:
        for session in store.sessions():
            state = "in progress" if session.is_open else "ended"
            print(
                f"{session.id}\t{session.patient_id}\t{format_local(session.started_at)}\t"
                f"{session.protocol_name}\t{state}"
            )
    finally:
        store.close()
    return 0


def run_set_pin(args: argparse.Namespace) -> int:
    """Clinic IT sets the staff PIN ahead of time: `echo 4821 | session-app set-pin`.

    This is how a new installation is prepared, so a folder without a store gets a new
    one; the output says so, with its path, in case --data-dir was mistyped."""
    import os

    from session_app.domain.pin import SET_ON_COMMAND_LINE, hash_pin, validate_pin
    from session_app.store.repository import DB_FILENAME

    line = sys.stdin.readline().strip()
    try:
        validate_pin(line)
    except ValueError as exc:
        print(f"session-app: {exc} Nothing was changed.", file=sys.stderr)
        return 2
    store_path = (_data_dir(args.data_dir) / DB_FILENAME).absolute()
    is_new = not os.path.lexists(store_path)
    store = _open_store(args.data_dir)
    try:
        store.set_pin(hash_pin(line), changed_by=SET_ON_COMMAND_LINE)
    finally:
        store.close()
    print(f"Staff PIN set in a new store at {store_path}." if is_new else "Staff PIN set.")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    store = _open_store(args.data_dir, for_reading=True)
    try:
        target = store.backup(args.path)
    finally:
        store.close()
    print(f"Backed up to {target}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return run_gui(args, argv)  # explains a store that refuses in a message box
    if args.command == "clinic":  # the server (and, for `join`, the room's store)
        from session_app.clinic.cli import run_clinic

        return run_clinic(args, _open_store)  # `join` opens the room's store
    if args.command == "monitor-sim":  # a simulated device: no data dir, no store
        from session_app.devices.sim_cli import run_monitor_sim

        return run_monitor_sim(args)
    if args.command == "station":  # the clinic server and the station's own PIN store
        from session_app.station_app import run_station

        return run_station(args, argv)
    from session_app.config import DataDirError
    from session_app.store import StoreError

    try:
        if args.command == "sessions":
            return run_sessions(args)
        if args.command == "export":
            from session_app.export.cli import run_export

            return run_export(args, _open_store_for_reading)
        if args.command == "set-pin":
            return run_set_pin(args)
        return run_backup(args)
    except (StoreError, DataDirError) as exc:
        print(f"session-app: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
