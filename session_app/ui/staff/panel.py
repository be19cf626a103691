"""The staff panel main window: the session in progress, and the list of sessions.

Composition only: every part takes the store or the monitoring service in its
constructor and keeps itself up to date from the store's change announcements.
Nothing here is shown to the patient, and nothing makes a sound.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import Clock, SystemClock, format_local
from session_app.domain.session import TreatmentSession
from session_app.domain.settings import resolve_settings
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.repository import Change
from session_app.ui.lock import IdleWatcher, LockScreen, PinSetupPage
from session_app.ui.staff.alerts_panel import AlertsPanel
from session_app.ui.staff.countdown import DueCountdown, OverdueNotice
from session_app.ui.staff.event_form import EventForm
from session_app.ui.staff.flowsheet import Flowsheet, Timeline
from session_app.ui.staff.past_sessions import PastSessionsList
from session_app.ui.staff.start_session import StartSessionForm
from session_app.ui.staff.vitals_form import VitalsForm
from session_app.ui.staff.widgets import named, set_text
from session_app.ui.text import plain_label
from session_app.ui.theme import load_qss

if TYPE_CHECKING:  # loaded when first needed: pyqtgraph (charts, summaries), the settings
    from session_app.ui.charts import TrendCharts
    from session_app.ui.staff.settings_dialog import SettingsDialog
    from session_app.ui.summary.discharge_dialog import DischargeDialog
    from session_app.ui.summary.view import SummaryView

WINDOW_TITLE = "session_app — Staff panel"
CHARTS_PRELOAD_MS = 1000  # locked at start: build the charts while staff type the PIN
NO_SESSION = "No session in progress. Start one with the form on the left."
WIDE_LAYOUT_MIN_WIDTH = 1600  # from here the flowsheet sits beside the charts, not below


class StaffPanel(QMainWindow):
    """Everything the nurse uses. With `require_pin` (the real app) it starts locked,
    locks again after the idle time or on demand, and shows nothing clinical while locked."""

    locked = Signal()
    unlocked = Signal()
    close_app_confirmed = Signal()  # staff agreed to close session_app
    settings_closed = Signal(dict)  # the clinic settings in force after the dialog closed

    def __init__(
        self,
        store: SessionStore,
        clock: Clock | None = None,
        service: MonitoringService | Any | None = None,
        *,
        require_pin: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("StaffPanel")
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Staff panel")
        self.setStyleSheet(load_qss("staff"))
        self.store = store
        self.clock = clock or SystemClock()
        self.service = service or MonitoringService(store, self.clock)
        self.current_session: TreatmentSession | None = None
        unit = self._settings()["temperature_unit"]

        # header: who and what, the countdown, tools
        self.banner = plain_label(NO_SESSION)
        self.banner.setObjectName("SessionBanner")
        self.banner.setAccessibleName("Session status")
        self.banner.setWordWrap(True)
        self.session_details = plain_label("")
        self.session_details.setObjectName("SessionDetails")
        self.session_details.setAccessibleName("Session details")
        self.session_details.setWordWrap(True)
        self.countdown = DueCountdown(self.service)
        self.settings_button = named(QPushButton("Settings…"), "Clinic settings", "SettingsButton")
        self.settings_button.setAutoDefault(False)
        self.header_actions = QHBoxLayout()
        self.header_actions.setSpacing(6)
        self.header_actions.addWidget(self.settings_button)
        self.notice = OverdueNotice()

        # the parts
        self.start_form = StartSessionForm(self.service.start_session)
        self.sessions_list = PastSessionsList(store)
        self.vitals_form = VitalsForm(self.service, self.clock, unit)
        self.event_form = EventForm(self.service, self.clock)
        self.alerts = AlertsPanel(store, self.service)
        self.charts: TrendCharts | None = None
        self.charts_slot = QWidget()
        self.charts_slot.setObjectName("ChartsSlot")
        QVBoxLayout(self.charts_slot).setContentsMargins(0, 0, 0, 0)
        self.flowsheet = Flowsheet(store, unit, service=self.service)
        self.timeline = Timeline(store, service=self.service)

        self.store_problem = plain_label("")
        self.store_problem.setObjectName("StoreProblem")
        self.store_problem.setAccessibleName("Saving problem")
        self.store_problem.setWordWrap(True)
        self.store_problem.hide()
        self.summary_button = named(QPushButton("Summary"), "Session summary", "SummaryButton")
        self.end_button = named(QPushButton("End session…"), "End session", "EndSessionButton")
        self.lock_button = named(QPushButton("Lock"), "Lock staff panel", "LockButton")
        for button in (self.summary_button, self.end_button, self.lock_button):
            button.setAutoDefault(False)
        self._build_layout()
        self.add_header_action(self.end_button)
        self.add_header_action(self.summary_button)
        self.header_actions.addWidget(self.lock_button)
        self.lock_button.setVisible(require_pin)
        self._summaries: dict[int, SummaryView] = {}
        self._pending_close = False
        self._closing_confirmed = False
        self._build_lock_pages(require_pin)
        self.resize(1280, 800)

        self.start_form.session_started.connect(self.show_session)
        self.settings_button.clicked.connect(self.open_settings)
        self.end_button.clicked.connect(self.open_end_session)
        self.summary_button.clicked.connect(self._open_current_summary)
        self.lock_button.clicked.connect(self.lock)
        self.sessions_list.session_activated.connect(self.open_summary)
        self._unsubscribe_failures = store.subscribe_failures(self._write_failed)
        self.destroyed.connect(lambda *_: self._unsubscribe_failures())
        self.countdown.updated.connect(lambda: self.notice.show_status(self.countdown))
        # The countdown ticks on the store's "check"/"event" announcement (`_on_change`),
        # once per save, whichever form or dialog saved it.
        self.event_form.logged.connect(self._event_logged)
        self.vitals_form.saved.connect(lambda _result: self._show_saved_now())
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.show_session(store.open_session())

    # -- layout ------------------------------------------------------------------
    def _build_layout(self) -> None:
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.banner)
        titles.addWidget(self.session_details)
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addLayout(titles, 1)
        header.addWidget(self.countdown)
        header.addLayout(self.header_actions)

        self.entry_tabs = named(QTabWidget(), "Record", "EntryTabs")
        self.entry_tabs.addTab(self.vitals_form, "Vitals check")
        self.entry_tabs.addTab(self.event_form, "Log event")
        session_tools = QWidget()
        session_tools.setObjectName("SessionTools")
        tools = QVBoxLayout(session_tools)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(8)
        tools.addWidget(self.alerts, 0)
        tools.addWidget(self.entry_tabs, 0)
        tools.addStretch(1)  # on tall screens the forms keep their shape; space goes below
        start_page = QWidget()
        start_page.setObjectName("StartPage")
        start_layout = QVBoxLayout(start_page)
        start_layout.setContentsMargins(0, 0, 0, 0)
        start_layout.addWidget(self.start_form)
        start_layout.addStretch(1)
        # The tools scroll rather than force the window taller than a 1280×800 screen.
        tools_scroll = QScrollArea()
        tools_scroll.setObjectName("SessionToolsScroll")
        tools_scroll.setWidgetResizable(True)
        tools_scroll.setFrameShape(QFrame.Shape.NoFrame)
        tools_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        tools_scroll.setWidget(session_tools)
        self.left = QStackedWidget()
        self.left.setObjectName("LeftColumn")
        self.left.addWidget(start_page)
        self.left.addWidget(tools_scroll)
        self.left.setFixedWidth(420)

        self.record_tabs = named(QTabWidget(), "Session record", "RecordTabs")
        self.record_tabs.addTab(self.flowsheet, "Flowsheet")
        self.record_tabs.addTab(self.timeline, "Timeline")
        self.trend_split = QSplitter(Qt.Orientation.Vertical)
        self.trend_split.setObjectName("TrendSplit")
        self.trend_split.setChildrenCollapsible(False)
        self.trend_split.addWidget(self.charts_slot)
        self.trend_split.addWidget(self.record_tabs)
        # Equal shares: on a 1280×800 screen the flowsheet still shows several checks.
        self.trend_split.setStretchFactor(0, 1)
        self.trend_split.setStretchFactor(1, 1)
        self.sessions_page = QWidget()
        self.sessions_page.setObjectName("SessionsPage")
        sessions_layout = QVBoxLayout(self.sessions_page)
        sessions_layout.setContentsMargins(0, 0, 0, 0)
        self.right = QStackedWidget()
        self.right.setObjectName("RightColumn")
        self.right.addWidget(self.sessions_page)
        self.right.addWidget(self.trend_split)

        body = QHBoxLayout()
        body.setSpacing(10)
        body.addWidget(self.left)
        body.addWidget(self.right, 1)

        self.now_playing_slot = QVBoxLayout()
        self.now_playing_slot.setContentsMargins(0, 0, 0, 0)
        central = QWidget()
        central.setObjectName("StaffCentral")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(8)
        outer.addLayout(self.now_playing_slot)
        outer.addLayout(header)
        outer.addWidget(self.store_problem)
        outer.addWidget(self.notice)
        outer.addLayout(body, 1)
        self.content = central

    def stop(self) -> None:
        """Stop the countdown timer and the store subscriptions (before the store closes)."""
        self.countdown.timer.stop()
        if self.charts is not None:
            self.charts.stop_following()
        self._unsubscribe()
        self._unsubscribe_failures()
        if self.idle is not None:
            self.idle.timer.stop()
        for view in self._summaries.values():
            view.close()

    def add_now_playing(self, widget: QWidget) -> None:
        """Place the patient media strip (ui/staff/now_playing) at the top of the panel."""
        self.now_playing_slot.addWidget(widget)

    def add_header_action(self, widget: QWidget) -> None:
        """Add a button to the header (e.g. "End session…"), left of Settings."""
        self.header_actions.insertWidget(0, widget)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Wide screens: flowsheet beside the charts; narrower: below them."""
        wide = event.size().width() >= WIDE_LAYOUT_MIN_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.trend_split.orientation() != orientation:
            self.trend_split.setOrientation(orientation)
            total = self.trend_split.width() if wide else self.trend_split.height()
            self.trend_split.setSizes([int(total * 0.6), int(total * 0.4)])
        super().resizeEvent(event)

    def _place_sessions_list(self, in_session: bool) -> None:
        """The sessions list is the whole right side between sessions, a tab during one."""
        index = self.record_tabs.indexOf(self.sessions_list)
        if in_session and index < 0:
            self.record_tabs.addTab(self.sessions_list, "Sessions")
        elif not in_session:
            if index >= 0:
                self.record_tabs.removeTab(index)
            self.sessions_page.layout().addWidget(self.sessions_list)

    # -- state -------------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        return resolve_settings(self.store.load_settings())

    def show_session(self, session: TreatmentSession | None) -> None:
        """Show a session in progress (or, with None, the start page)."""
        if session is not None and not session.is_open:
            session = None
        self.current_session = session
        session_id = session.id if session is not None else None
        self.left.setCurrentIndex(1 if session else 0)
        self.right.setCurrentIndex(1 if session else 0)
        self._place_sessions_list(session is not None)
        for part in (self.vitals_form, self.event_form, self.alerts, self.flowsheet):
            part.set_session(session_id)
        self.timeline.set_session(session_id)
        self._load_charts()
        if session is None:
            set_text(self.banner, NO_SESSION)
            set_text(self.session_details, "")
        else:
            self._update_banner()
        self.countdown.set_session(session_id)
        self.countdown.setVisible(session is not None)
        self.end_button.setVisible(session is not None)
        self.summary_button.setVisible(session is not None)
        if session is not None:
            self.entry_tabs.setCurrentWidget(self.vitals_form)
            self.vitals_form.first_field().setFocus()
        else:
            self.start_form.patient_id.setFocus()

    def _load_charts(self) -> None:
        if self.charts is None:
            return  # built later (ensure_charts), which loads the session then
        if self.current_session is None:
            self.charts.clear()
        else:
            self.charts.load_session(self.store, self.current_session.id)

    def ensure_charts(self) -> TrendCharts:
        """Build the trend charts (importing pyqtgraph) the first time they are needed."""
        if self.charts is None:
            from session_app.ui.charts import TrendCharts

            self.charts = TrendCharts()
            self.charts.follow(self.store)
            self.charts_slot.layout().addWidget(self.charts)
            self._load_charts()
        return self.charts

    def _update_banner(self) -> None:
        session = self.current_session
        if session is None:
            return
        weight = f" · {session.weight_kg:g} kg" if session.weight_kg else ""
        banner = f"In progress: {session.patient_id} · {session.protocol_name}{weight}"
        set_text(self.banner, banner)
        protocol = self.service.protocol(session.id)
        schedule = self.service.schedule(session.id)
        parts = [f"Started {format_local(session.started_at)} by {session.staff_initials}"]
        if schedule.dose_at is not None:
            parts.append(f"dose {format_local(schedule.dose_at, with_date=False)}")
        else:
            parts.append("no dose logged yet")
        ends = schedule.monitoring_ends_at()
        if ends is not None:
            parts.append(f"minimum monitoring until {format_local(ends, with_date=False)}")
        parts.append(f"checks: {protocol.describe_schedule()}")
        set_text(self.session_details, " · ".join(parts))

    def _event_logged(self, _event: object) -> None:
        self._update_banner()  # the countdown already ticked on the store's announcement
        self._show_saved_now()

    def _show_saved_now(self) -> None:
        """Apply the chart's and flowsheet's pending updates before the window repaints.

        They wait for the next event-loop turn so that a check and its alerts cost one
        reload; after a form's save every announcement is in, and updating now lets the
        form, chart and flowsheet reach the screen in one repaint instead of two (issue 7).
        """
        if self.charts is not None:
            self.charts.flush()
        self.flowsheet.table.flush()

    def _on_change(self, change: Change) -> None:
        self.store_problem.hide()  # a write succeeded: the store works again
        if self.current_session is None or change.session_id != self.current_session.id:
            return
        if change.kind == "session_end":
            self.show_session(None)
        elif change.kind in ("event", "check"):
            self._update_banner()
            self.countdown.tick()

    def open_settings(self) -> SettingsDialog:
        """Open the clinic settings; a saved change applies to sessions started afterwards."""
        from session_app.ui.staff.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.store, self)
        dialog.finished.connect(lambda _code: self._settings_closed())
        dialog.open()
        return dialog

    def _settings_closed(self) -> None:
        self.settings_closed.emit(self._settings())
        unit = self._settings()["temperature_unit"]
        self.vitals_form.set_temperature_unit(unit)
        self.flowsheet.set_temperature_unit(unit)

    # -- saving problems -------------------------------------------------------------
    def _write_failed(self, message: str) -> None:
        """Stays on screen until a write succeeds; forms keep what was typed."""
        self.store_problem.setText(f"{message} This message stays until saving works again.")
        self.store_problem.show()

    # -- end of session and summaries --------------------------------------------------
    def open_end_session(self) -> DischargeDialog | None:
        """Final checklist; ending the session then opens its summary."""
        if self.current_session is None:
            return None
        from session_app.ui.summary.discharge_dialog import DischargeDialog

        dialog = DischargeDialog(self.store, self.current_session.id, self.clock, parent=self)
        dialog.session_ended.connect(self.open_summary)
        dialog.open()
        return dialog

    def _open_current_summary(self) -> None:
        if self.current_session is not None:
            self.open_summary(self.current_session.id)

    def open_summary(self, session_id: int) -> SummaryView:
        """The summary of any session in its own window (one window per session)."""
        from session_app.ui.summary.view import SummaryView

        view = self._summaries.get(session_id)
        if view is None:
            view = SummaryView(self.store, session_id, self.clock, parent=self)
            view.setWindowFlag(Qt.WindowType.Window, True)
            session = self.store.session(session_id)
            view.setWindowTitle(f"Session summary — {session.patient_id}")
            view.resize(1400, 900)
            view.destroyed.connect(lambda *_: self._summaries.pop(session_id, None))
            view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            self._summaries[session_id] = view
        view.show()
        view.raise_()
        return view

    # -- staff lock ----------------------------------------------------------------------
    def _build_lock_pages(self, require_pin: bool) -> None:
        self.require_pin = require_pin
        self.pin_setup = PinSetupPage(self.service.set_pin)
        self.lock_screen = LockScreen(self.store, self.clock)
        self.pages = QStackedWidget()
        self.pages.setObjectName("StaffPages")
        # Locked, the clinical views stay out of the window until the PIN is entered: a
        # hidden page of a stacked widget is still read out by screen readers and UI
        # automation (issue 13). So the lock screen also paints without waiting for the
        # style sheet to reach every clinical widget (issue 7: start-up).
        if not require_pin:
            self._attach_content()  # the first page, so the current one
        for page in (self.pin_setup, self.lock_screen):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self.pin_setup.pin_set.connect(self._unlock)
        self.lock_screen.unlocked.connect(self._unlock)
        self.idle: IdleWatcher | None = None
        if require_pin:
            minutes = int(self._settings()["staff.lock_after_min"])
            self.idle = IdleWatcher(self, self.clock, timedelta(minutes=minutes), self.lock)
            self.lock()
            QTimer.singleShot(CHARTS_PRELOAD_MS, self, self.ensure_charts)
        else:
            self.ensure_charts()

    @property
    def close_pending(self) -> bool:
        """A request to close the app is waiting for the PIN."""
        return self._pending_close

    @property
    def is_locked(self) -> bool:
        return self.pages.currentWidget() is not self.content

    def lock(self) -> None:
        """Show the PIN page (or PIN setup if none is set) and take every clinical view
        out of reach: not only out of sight but out of the accessible tree too, which
        screen readers and UI automation read whatever is visible (issue 13)."""
        if not self.require_pin:
            return
        QToolTip.hideText()  # a tooltip is a window of its own, and may quote a note
        # Every dialog the panel or its views opened, shown or not: a hidden window is
        # still listed on the accessibility bus. Each is built afresh when next opened.
        # (Dialogs open only while unlocked, the content attached: one search finds all.
        # At start-up it looks through the lock pages only.)
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
            dialog.deleteLater()
        for view in list(self._summaries.values()):
            view.close()  # deleted on close
        page = self.lock_screen if self.store.current_pin() is not None else self.pin_setup
        self.pages.setCurrentWidget(page)
        self._detach_content()
        (self.lock_screen.pin if page is self.lock_screen else self.pin_setup.pin).setFocus()
        self.locked.emit()

    def _content_attached(self) -> bool:
        return self.pages.indexOf(self.content) >= 0

    def _attach_content(self) -> None:
        if not self._content_attached():
            self.pages.insertWidget(0, self.content)

    def _detach_content(self) -> None:
        """Out of the window, kept as it is (what was typed, the tab, the selection) for
        the unlock to put back. A widget without a parent that is not shown has no window
        of its own, so nothing on the accessibility bus reaches it."""
        if self._content_attached():
            self.pages.removeWidget(self.content)
            self.content.setParent(None)

    def _unlock(self) -> None:
        self._attach_content()
        self.ensure_charts()
        self.pages.setCurrentWidget(self.content)
        if self.idle is not None:
            self.idle.last_input = self.clock.now()
        self.unlocked.emit()
        if self._pending_close:
            self._pending_close = False
            self.request_app_close()

    # -- closing the app -------------------------------------------------------------------
    def request_app_close(self) -> None:
        """Someone asked to close the app (maybe from the patient window): staff decide.

        Locked: the request waits for the PIN. Unlocked: a non-modal question, so
        monitoring goes on while it is open.
        """
        if self.is_locked:
            self._pending_close = True
            self.lock_screen.message.setText(
                "Closing session_app was requested. Enter the PIN to answer."
            )
            self.show()
            self.raise_()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Close session_app?",
            "Close session_app? The patient's music or video will stop. "
            "Everything recorded is already saved.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("ConfirmClosePatientWindow")
        box.setAccessibleName("Confirm closing session_app")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setWindowModality(Qt.WindowModality.NonModal)

        def answered(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self.close_app_confirmed.emit()
            box.deleteLater()

        box.buttonClicked.connect(answered)
        box.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        """With the PIN in force, closing the panel is a request to close the app."""
        if self.require_pin and not self._closing_confirmed:
            event.ignore()
            self.request_app_close()
            return
        self.stop()
        super().closeEvent(event)

    def confirm_closing(self) -> None:
        """Let the next close go through (the app is closing for real)."""
        self._closing_confirmed = True
