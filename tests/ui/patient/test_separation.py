"""The separation test: with out-of-range vitals and an active alert stored, the patient
window (built by the app, next to the staff panel) shows nothing clinical."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from session_app.app import build_windows
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.player import MediaPlayer
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.ui.patient.tiles import MediaTile
from session_app.ui.staff.now_playing import NowPlayingStrip
from tests.seeding import record
from tests.ui.patient.test_patient_window import visible_texts

CLINICAL = (
    "jd-7",
    "ketamine",
    "protocol",
    "session",
    "vital",
    "alert",
    "mmhg",
    "spo2",
    "blood pressure",
    "heart rate",
    "systolic",
    "sedation",
    "moaa",
    "nurse",
    "staff",
    "due",
    "overdue",
    "195",
    "118",
    "142",
    "87",
)


def test_patient_window_shows_nothing_clinical_during_an_alert(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    store = SessionStore.open(data_dir, clock=clock)
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("JD-7", IV_KETAMINE, "AB", 70.0))
    saved = record(
        service,
        session.id,
        systolic=195,
        diastolic=118,
        heart_rate=142,
        spo2=87,
        resp_rate=8,
        moaas=2,
    )
    assert "sys_high" in {a.rule for a in saved.alerts}  # the rules raise a high BP alert
    clock.advance(minutes=40)  # the next check is overdue by now
    player = MediaPlayer(load_backend(HEADLESS_ARGS))
    windows = build_windows(store, clock, player=player)
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True
    windows.staff.show()
    windows.patient.show()
    windows.patient.choose(windows.patient.library.items[0])

    strips = windows.staff.findChildren(NowPlayingStrip)
    assert strips == [] or strips[0].player is player  # the staff steer the same player
    pages = [windows.patient.library_page, windows.patient.pacer, windows.patient.video]
    for page in pages:  # every page the patient can reach
        windows.patient.pages.setCurrentWidget(page)
        text = visible_texts(windows.patient).lower()
        for word in CLINICAL:
            assert word not in text, f"'{word}' on the patient window ({page.objectName()})"
    assert all(w.window() is windows.patient for w in windows.patient.findChildren(QWidget))
    player.shutdown()
    store.close()


def test_closing_the_patient_window_asks_staff_without_blocking_them(
    qtbot, data_dir: Path, clock: ManualClock
) -> None:
    from PySide6.QtWidgets import QMessageBox

    store = SessionStore.open(data_dir, clock=clock)
    windows = build_windows(store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.staff.show()
    windows.patient.show()
    windows.patient.close()
    assert windows.patient.isVisible()  # refused for now
    [box] = windows.staff.findChildren(QMessageBox, "ConfirmClosePatientWindow")
    assert box.isVisible() and not box.isModal()
    box.button(QMessageBox.StandardButton.No).click()
    assert windows.patient.isVisible()
    windows.patient.close()
    box = windows.staff.findChildren(QMessageBox, "ConfirmClosePatientWindow")[-1]
    box.button(QMessageBox.StandardButton.Yes).click()
    assert not windows.patient.isVisible()
    assert not windows.patient.player.available  # its media stopped with it
    store.close()


def test_new_clinic_folders_are_scanned_when_staff_close_the_settings(
    qtbot, data_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    import shutil

    from session_app.paths import MEDIA_DIR

    folder = tmp_path / "clinic-music"
    folder.mkdir()
    shutil.copy(MEDIA_DIR / "soft-rain.opus", folder / "Harbour evening.opus")
    (folder / "broken.mp3").write_bytes(b"not audio at all")
    store = SessionStore.open(data_dir, clock=clock)
    windows = build_windows(store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    qtbot.addWidget(windows.staff)
    qtbot.addWidget(windows.patient)
    windows.patient.allow_close = True
    before = {item.title for item in windows.patient.library.items}
    store.save_settings({"media_folders": [str(folder)]})
    windows.staff._settings_closed()  # what closing the settings dialog does

    def shown() -> list[str]:
        return [tile.item.title for tile in windows.patient.tiles.findChildren(MediaTile)]

    qtbot.waitUntil(lambda: "Harbour evening" in shown(), timeout=30_000)  # scanned off-thread
    titles = {item.title for item in windows.patient.library.items}
    assert titles - before == {"Harbour evening"}
    assert [s.path.name for s in windows.patient.library.skipped] == ["broken.mp3"]
    windows.staff.stop()
    windows.patient.player.shutdown()
    store.close()
