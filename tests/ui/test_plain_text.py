"""Issue 13, point 7: text from outside (a media file's title or name, a typed or stored
patient ID, a note, an alert message, event details) is shown as written, never read as
markup. Qt guesses: a label or tooltip whose first line looks like a tag is rendered as
HTML, and `<img src="file:///…" width=1200 height=1500>` loads a local file and forces the
panel to the image's size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QImage, Qt, QTextDocument  # QtGui's Qt adds mightBeRichText
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QWidget

from session_app.app import AppWindows, build_windows
from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.media.backend import HEADLESS_ARGS, load_backend
from session_app.media.library import Group, MediaItem, MediaKind
from session_app.media.player import MediaPlayer
from session_app.monitoring import MonitoringService
from session_app.paths import MEDIA_DIR
from session_app.store import SessionStore
from session_app.ui.staff.alerts_panel import AlertCard
from tests.seeding import record
from tests.ui.windows import shut_down

MAX_WIDTH = 1400  # the panel is built for 1280×800; an <img width=1200> pushes past this
MAX_HEIGHT = 1400


def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt displays for `text` (a label's or a tooltip's), as plain text: markup it
    renders disappears (an image becomes U+FFFC), escaped markup shows as written."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText().replace("\u00a0", " ")


def label_shows(label: QLabel) -> str:
    return shown(label.text(), label.textFormat())


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """A real local image, as an attacker's tag would point at."""
    path = tmp_path / "local.png"
    picture = QImage(8, 8, QImage.Format.Format_RGB32)
    picture.fill(0x3366CC)
    assert picture.save(str(path))
    return path


@pytest.fixture
def markup(image: Path) -> str:
    return f'<img src="{image.as_uri()}" width=1200 height=1500>'


@pytest.fixture
def app_windows(qtbot, data_dir: Path, clock: ManualClock) -> Iterator[AppWindows]:
    store = SessionStore.open(data_dir, clock=clock)
    built = build_windows(store, clock, player=MediaPlayer(load_backend(HEADLESS_ARGS)))
    qtbot.addWidget(built.patient)
    built.staff.show()
    qtbot.waitExposed(built.staff)
    yield built
    shut_down(built)


def assert_panel_keeps_its_size(qtbot, panel: QWidget) -> None:
    for _ in range(20):  # a layout request climbs one level of nesting per turn
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    hint = panel.minimumSizeHint()
    assert hint.width() < MAX_WIDTH and hint.height() < MAX_HEIGHT, hint
    assert panel.width() < MAX_WIDTH and panel.height() < MAX_HEIGHT, panel.size()


def every_label_shows_markup_as_written(root: QWidget, literal: str) -> list[str]:
    """Labels holding `literal` that would render it as markup (an empty list is good)."""
    return [
        f"{label.objectName() or type(label).__name__}: {label.text()!r}"
        for label in root.findChildren(QLabel)
        if literal in label.text() and literal not in label_shows(label)
    ]


def tooltips_rendering(root: QWidget, literal: str) -> list[str]:
    """Tooltips (of widgets and of table cells) holding `literal` as markup Qt renders."""
    tips = []
    for widget in [root, *root.findChildren(QWidget)]:
        tips.append((widget.objectName(), widget.toolTip()))
        if isinstance(widget, QTableWidget):
            tips += [
                (f"{widget.objectName()}[{row},{column}]", item.toolTip())
                for row in range(widget.rowCount())
                for column in range(widget.columnCount())
                if (item := widget.item(row, column)) is not None
            ]
    return [
        f"{name}: {tip!r}" for name, tip in tips if literal in tip and literal not in shown(tip)
    ]


def test_a_media_title_with_markup_shows_as_written_and_the_panel_keeps_its_size(
    qtbot, app_windows: AppWindows, markup: str
) -> None:
    staff, player = app_windows.staff, app_windows.patient.player
    strip = staff.now_playing_strip
    item = MediaItem(MEDIA_DIR / "ocean-swell.opus", markup, MediaKind.AUDIO, Group.MUSIC)
    player.play_item(item)
    assert player.current == item
    assert_panel_keeps_its_size(qtbot, staff)  # the issue saw 1848×1820
    assert markup in label_shows(strip.title)


def test_a_media_title_with_markup_shows_as_written_on_the_patient_window(
    qtbot, app_windows: AppWindows, markup: str
) -> None:
    patient = app_windows.patient
    patient.show()
    qtbot.waitExposed(patient)
    item = MediaItem(MEDIA_DIR / "ocean-swell.opus", markup, MediaKind.AUDIO, Group.MUSIC)
    patient.player.play_item(item)
    assert every_label_shows_markup_as_written(patient, markup) == []
    assert_panel_keeps_its_size(qtbot, patient)


def test_a_media_file_name_with_markup_shows_as_written_in_the_problem_report(
    qtbot, app_windows: AppWindows, tmp_path: Path
) -> None:
    staff, player = app_windows.staff, app_windows.patient.player
    strip = staff.now_playing_strip
    name = "<img src=x width=1200 height=1500>.ogg"  # a file name may hold < and >
    missing = MediaItem(tmp_path / name, "Gone", MediaKind.AUDIO, Group.MUSIC)
    player.play_item(missing)
    assert name in strip.problem.text()
    assert name in label_shows(strip.problem)
    assert "<img" in shown(strip.problem.toolTip())
    assert_panel_keeps_its_size(qtbot, staff)


def test_a_typed_patient_id_with_markup_shows_as_written_in_the_start_form(
    qtbot, app_windows: AppWindows, markup: str
) -> None:
    staff = app_windows.staff
    form = staff.start_form
    form.patient_id.setText(markup)
    form.staff.setText("AB")
    assert form.submit() is None
    assert markup in form.message.text()
    assert markup in label_shows(form.message)
    assert markup in shown(form.patient_id.toolTip())
    assert_panel_keeps_its_size(qtbot, staff)


def test_a_stored_session_with_markup_shows_as_written_in_panel_dialogs_and_summary(
    qtbot, app_windows: AppWindows, clock: ManualClock, markup: str
) -> None:
    """A patient ID, a note, event details and a correction reason with markup (from an
    older data file, or typed where the domain lets any text in). An alert's message is
    the rules' own words (no outside text reaches it): its card shows it as written too."""
    staff, store = app_windows.staff, app_windows.store
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession(markup, ESKETAMINE_REMS, "AB"))
    saved = service.record_check(
        session.id,
        {"systolic": "128", "diastolic": "78", "heart_rate": "72", "recorded_by": "AB"},
    )
    clock.advance(minutes=2)
    corrected = service.correct_check(
        saved.check.id,
        {"systolic": "128", "diastolic": "78", "heart_rate": "72", "note": markup},
        reason=markup,
        recorded_by="AB",
    )
    service.log_event(session.id, "note", {"text": markup}, "AB")
    [alert] = record(service, session.id, heart_rate=135).alerts  # above 130 /min
    staff.show_session(store.session(session.id))

    assert markup in label_shows(staff.banner)
    [card] = [c for c in staff.alerts.findChildren(AlertCard) if c.alert.id == alert.id]
    assert label_shows(card.message) == alert.message
    history = staff.flowsheet.open_history(corrected.check.id)
    assert history is not None
    assert tooltips_rendering(history, markup) == []
    discharge = staff.open_end_session()
    assert discharge is not None
    summary = staff.open_summary(session.id)
    assert markup in label_shows(summary.title)
    assert markup in summary.document_text()  # the document (export/document.py) escapes
    for window in (staff, history, discharge, summary):
        assert every_label_shows_markup_as_written(window, markup) == []
        assert tooltips_rendering(window, markup) == []
    assert_panel_keeps_its_size(qtbot, staff)
    for window in QApplication.topLevelWidgets():
        if window.isVisible() and window is not app_windows.patient:
            size = window.minimumSizeHint()
            assert size.width() < MAX_WIDTH and size.height() < MAX_HEIGHT, window.objectName()
