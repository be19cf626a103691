"""The staff panel main window: the session in progress, and the list of sessions.

Composition only: every part takes the store or the monitoring service in its
constructor and keeps itself up to date from the store's change announcements.
Nothing here is shown to the patient, and nothing makes a sound.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from session_app.clinic.history import history_of_joined_room
from session_app.domain.session import TreatmentSession
from session_app.domain.settings import resolve_settings
from session_app.monitoring import MonitoringService, ScheduleWatch
from session_app.store.devices import MONITOR
from session_app.store.repository import Change, ChangeKind
from session_app.ui.lock import IdleWatcher, LockScreen, PinSetupPage
from session_app.ui.screen import fit_to_screen
from session_app.ui.staff.alerts_panel import AlertsPanel
from session_app.ui.staff.banner import NO_SESSION, session_banner
from session_app.ui.staff.countdown import DueCountdown, OverdueNotice
from session_app.ui.staff.event_form import EventForm
from session_app.ui.staff.flowsheet import Flowsheet, Timeline
from session_app.ui.staff.lock_protocol import (
    LockPages,
    LockProtocol,
    close_question,
    waiting_for_staff,
)
from session_app.ui.staff.past_sessions import PastSessionsList
from session_app.ui.staff.proposed_checks import ProposedChecksStrip
from session_app.ui.staff.start_session import StartSessionForm
from session_app.ui.staff.summaries import SummaryWindows
from session_app.ui.staff.vitals_form import VitalsForm
from session_app.ui.staff.widgets import FittedScroll, named, set_text
from session_app.ui.text import plain_label
from session_app.ui.theme import load_qss

if TYPE_CHECKING:  # loaded when first needed: pyqtgraph (charts, summaries), the settings
    from session_app.clinic.status import SenderStatus
    from session_app.ui.charts import TrendCharts
    from session_app.ui.staff.clinic_notice import ClinicNotice
    from session_app.ui.staff.feed_status import FeedStatusLine
    from session_app.ui.staff.settings_dialog import SettingsDialog
    from session_app.ui.summary.discharge_dialog import DischargeDialog
    from session_app.ui.summary.view import SummaryView

WINDOW_TITLE = "session_app — Staff panel"
CHARTS_PRELOAD_MS = 1000  # locked at start: build the charts while staff type the PIN
WIDE_LAYOUT_MIN_WIDTH = 1600  # from here the flowsheet sits beside the charts, not below
PANEL_SIZE = QSize(1280, 800)  # or the screen's available area, if smaller
DIALOGS_KEPT = "Your open window is kept: it comes back after the PIN."
CLOSE_WAITS = "Closing session_app was requested. Enter the PIN to answer."


class StaffPanel(QMainWindow):
    """Everything the nurse uses. With `require_pin` (the real app) it starts locked,
    locks again after the idle time or on demand, and shows nothing clinical while locked."""

    locked = Signal()
    unlocked = Signal()
    close_app_confirmed = Signal()  # staff agreed to close session_app
    settings_closed = Signal(dict)  # the clinic settings in force after the dialog closed

    def __init__(
        self,
        service: MonitoringService,
        *,
        now_playing: QWidget | None = None,
        require_pin: bool = False,
    ) -> None:
        """`service` is the app's one MonitoringService (its store and clock are the
        panel's); `now_playing` the patient media strip shown at the top."""
        super().__init__()
        self.setObjectName("StaffPanel")
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Staff panel")
        # Not on the panel itself: see `_unstyled_holder`.
        self._sheet = load_qss("staff")
        self.service = service
        self.store = store = service.store
        self.clock = service.clock
        self.now_playing_strip = now_playing
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
        self.countdown = DueCountdown(ScheduleWatch(self.service))  # asks every second
        settings_button = named(QPushButton("Settings…"), "Clinic settings", "SettingsButton")
        self.summary_button = named(QPushButton("Summary"), "Session summary", "SummaryButton")
        self.end_button = named(QPushButton("End session…"), "End session", "EndSessionButton")
        lock_button = named(QPushButton("Lock"), "Lock staff panel", "LockButton")
        self.lock_button = lock_button
        for button in (settings_button, self.summary_button, self.end_button, lock_button):
            button.setAutoDefault(False)
        self._header_actions = QHBoxLayout()
        self._header_actions.setSpacing(6)
        for button in (self.summary_button, self.end_button, settings_button, lock_button):
            self._header_actions.addWidget(button)
        self.notice = OverdueNotice()

        # the parts
        self.start_form = StartSessionForm(self.service.start_session)
        # a joined room also lists the clinic's sessions of a patient from other rooms
        self.sessions_list = PastSessionsList(store, history_of_joined_room(store.load_settings()))
        self.vitals_form = VitalsForm(self.service, self.clock, unit)
        self.proposed_checks = ProposedChecksStrip(self.service, store, self.vitals_form)
        self.event_form = EventForm(self.service)
        self.alerts = AlertsPanel(store, self.service)
        self.charts: TrendCharts | None = None
        self._charts_slot = QWidget()
        self._charts_slot.setObjectName("ChartsSlot")
        QVBoxLayout(self._charts_slot).setContentsMargins(0, 0, 0, 0)
        self.flowsheet = Flowsheet(store, unit, service=self.service)
        self.timeline = Timeline(store, service=self.service)

        self.store_problem = plain_label("")
        self.store_problem.setObjectName("StoreProblem")
        self.store_problem.setAccessibleName("Saving problem")
        self.store_problem.setWordWrap(True)
        self.store_problem.hide()
        self.clinic_notice: ClinicNotice | None = None  # once the room has joined a clinic
        self.feed_status: FeedStatusLine | None = None  # while a device feed runs
        self._build_layout()
        lock_button.setVisible(require_pin)
        self._summaries = SummaryWindows(store, self.clock, self.central)
        self._build_lock_pages(require_pin)
        fit_to_screen(self, PANEL_SIZE)

        self.start_form.session_started.connect(self.show_session)
        settings_button.clicked.connect(self.open_settings)
        self.end_button.clicked.connect(self.open_end_session)
        self.summary_button.clicked.connect(self._open_current_summary)
        self.lock_button.clicked.connect(self.lock)
        self.sessions_list.session_activated.connect(self.open_summary)
        self._unsubscribe_failures = store.subscribe_failures(self._write_failed)
        self.destroyed.connect(lambda *_: self._unsubscribe_failures())
        self.countdown.updated.connect(self._countdown_updated)
        # The countdown ticks on the store's "check"/"event" announcement (`_on_change`),
        # once per save, whichever form or dialog saved it.
        self.event_form.logged.connect(self._event_logged)
        self.proposed_checks.edit_started.connect(
            lambda _p: self.entry_tabs.setCurrentWidget(self.vitals_form)
        )
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
        self._titles = titles  # the monitor feed's line joins them (show_feed_status)
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addLayout(titles, 1)
        header.addWidget(self.countdown)
        header.addLayout(self._header_actions)

        self.entry_tabs = named(QTabWidget(), "Record", "EntryTabs")
        self.entry_tabs.addTab(self.vitals_form, "Vitals check")
        self.entry_tabs.addTab(self.event_form, "Log event")
        session_tools = QWidget()
        session_tools.setObjectName("SessionTools")
        tools = QVBoxLayout(session_tools)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(8)
        tools.addWidget(self.proposed_checks, 0)  # the monitor's NIBP sets, above the form
        tools.addWidget(self.entry_tabs, 0)
        tools.addStretch(1)  # on tall screens the forms keep their shape; space goes below
        start_page = QWidget()
        start_page.setObjectName("StartPage")
        start_layout = QVBoxLayout(start_page)
        start_layout.setContentsMargins(0, 0, 0, 0)
        start_layout.addWidget(self.start_form)
        start_layout.addStretch(1)
        # The forms keep their whole height, so Save stays in view (issue 15 point 6); the
        # alerts above give way and scroll inside their own bounded list.
        session_page = QWidget()
        session_page.setObjectName("SessionPage")
        session_column = QVBoxLayout(session_page)
        session_column.setContentsMargins(0, 0, 0, 0)
        session_column.setSpacing(8)
        session_column.addWidget(self.alerts, 0)
        session_column.addWidget(session_tools, 0)
        session_column.addStretch(1)  # on tall screens the space goes below, not in a box
        self.left = _Column()
        self.left.setObjectName("LeftColumn")
        self.left.addWidget(start_page)
        self.left.addWidget(session_page)
        # The last resort on a small screen: when the column's parts at their least
        # (the alerts and proposals scroll inside first) still do not fit, the column
        # scrolls. A window growing past its screen would put Save out of reach.
        self.left_scroll = named(FittedScroll(), "Record column", "LeftColumnScroll")
        self.left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column = QWidget()  # a scroll area asks its widget's layout about height-for-width
        column.setObjectName("LeftColumnHolder")
        holder = QVBoxLayout(column)
        holder.setContentsMargins(0, 0, 0, 0)
        holder.addWidget(self.left)
        self.left_scroll.setWidget(column)
        self.left_scroll.setFixedWidth(420)

        self.record_tabs = named(QTabWidget(), "Session record", "RecordTabs")
        self.record_tabs.addTab(self.flowsheet, "Flowsheet")
        self.record_tabs.addTab(self.timeline, "Timeline")
        self._trend_split = QSplitter(Qt.Orientation.Vertical)
        self._trend_split.setObjectName("TrendSplit")
        self._trend_split.setChildrenCollapsible(False)
        self._trend_split.addWidget(self._charts_slot)
        self._trend_split.addWidget(self.record_tabs)
        # Equal shares: on a 1280×800 screen the flowsheet still shows several checks.
        self._trend_split.setStretchFactor(0, 1)
        self._trend_split.setStretchFactor(1, 1)
        self._sessions_page = QWidget()
        self._sessions_page.setObjectName("SessionsPage")
        sessions_layout = QVBoxLayout(self._sessions_page)
        sessions_layout.setContentsMargins(0, 0, 0, 0)
        # The overdue notice heads the charts, not the whole panel: across the panel it
        # took its height from the record column too, and on a 1366×768 screen with the
        # monitor's line, an alert and a proposal, Save went below the column's fold.
        session_side = QWidget()
        session_side.setObjectName("SessionSide")
        side = QVBoxLayout(session_side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(8)
        side.addWidget(self.notice)
        side.addWidget(self._trend_split, 1)
        self.right = QStackedWidget()
        self.right.setObjectName("RightColumn")
        self.right.addWidget(self._sessions_page)
        self.right.addWidget(session_side)

        body = QHBoxLayout()
        body.setSpacing(10)
        body.addWidget(self.left_scroll)
        body.addWidget(self.right, 1)

        central = QWidget()
        central.setObjectName("StaffCentral")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(8)
        if self.now_playing_strip is not None:
            outer.addWidget(self.now_playing_strip)
        outer.addLayout(header)
        outer.addWidget(self.store_problem)
        outer.addLayout(body, 1)
        self.central = central
        self.content = self._unstyled_holder(central)

    def _unstyled_holder(self, central: QWidget) -> QWidget:
        """What the lock takes out of the window: a bare widget around the styled views.

        The staff style sheet is set on `central` (and on each lock page and dialog), not
        on the panel: a widget that leaves or joins a styled parent is polished again with
        everything under it (~420 widgets, 20 ms to lock and 40 ms to unlock, the longest
        UI stall under a monitor's feed, issue 17). The holder has no sheet and none above
        it, so moving it restyles nothing; `central` keeps its own throughout."""
        central.setStyleSheet(self._sheet)
        holder = QWidget()
        holder.setObjectName("StaffContent")
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(central)
        return holder

    def show_clinic_status(self, status: SenderStatus) -> ClinicNotice:
        """Show the clinic sync line (the room joined a clinic) under the saving problem."""
        if self.clinic_notice is None:
            from session_app.ui.staff.clinic_notice import ClinicNotice

            self.clinic_notice = ClinicNotice(status, self.clock, self.central)
            outer = self.central.layout()
            outer.insertWidget(outer.indexOf(self.store_problem) + 1, self.clinic_notice)
        return self.clinic_notice

    def show_feed_status(self, line: FeedStatusLine) -> None:
        """Show the monitor feeds' line in the header, under the session details."""
        self.feed_status = line
        self._titles.addWidget(line)

    def stop(self) -> None:
        """Stop the countdown timer and the store subscriptions (before the store closes)."""
        self.countdown.timer.stop()
        if self.feed_status is not None:
            self.feed_status.stop()
        self.proposed_checks.stop()
        if self.clinic_notice is not None:
            self.clinic_notice.stop()
        if self.charts is not None:
            self.charts.stop_following()
        self._unsubscribe()
        self._unsubscribe_failures()
        if self.idle is not None:
            self.idle.timer.stop()
        self._summaries.close_all()

    def set_lock_button_text(self, text: str) -> None:
        """E.g. "Lock and leave" on one screen, where locking also hides the panel."""
        self.lock_button.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Wide screens: flowsheet beside the charts; narrower: below them."""
        wide = event.size().width() >= WIDE_LAYOUT_MIN_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self._trend_split.orientation() != orientation:
            self._trend_split.setOrientation(orientation)
            total = self._trend_split.width() if wide else self._trend_split.height()
            self._trend_split.setSizes([int(total * 0.6), int(total * 0.4)])
        super().resizeEvent(event)

    def _place_sessions_list(self, in_session: bool) -> None:
        """The sessions list is the whole right side between sessions, a tab during one."""
        index = self.record_tabs.indexOf(self.sessions_list)
        if in_session and index < 0:
            self.record_tabs.addTab(self.sessions_list, "Sessions")
        elif not in_session:
            if index >= 0:
                self.record_tabs.removeTab(index)
            self._sessions_page.layout().addWidget(self.sessions_list)

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
        self.proposed_checks.set_session(session_id)
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
        self._first_field().setFocus()

    def _first_field(self) -> QWidget:
        """Where typing starts: the vitals form in a session, else the start form."""
        if self.current_session is not None:
            return self.vitals_form.first_field()
        return self.start_form.patient_id

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
            self._charts_slot.layout().addWidget(self.charts)
            self._load_charts()
        return self.charts

    def _update_banner(self) -> None:
        if self.current_session is not None:
            title, details = session_banner(self.service, self.current_session)
            set_text(self.banner, title)
            set_text(self.session_details, details)

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
        self.flowsheet.flush()
        self.proposed_checks.flush()  # a proposal recorded from the form leaves at once

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.DEVICE_DATA, ChangeKind.DEVICE_NOTICE):
            return  # a monitor's values, about once a second: nothing here shows them
        if change.by != MONITOR:  # a feed's store working says nothing of this one's saves
            self.store_problem.hide()  # a write succeeded: the store works again
        if self.current_session is None or change.session_id != self.current_session.id:
            return
        if self.is_locked:
            self._show_waiting()  # e.g. an alert acknowledged at another station
        if change.kind is ChangeKind.SESSION_END:
            self.show_session(None)
        elif change.kind in (ChangeKind.EVENT, ChangeKind.CHECK):
            self._update_banner()
            self.countdown.tick()

    def open_settings(self) -> SettingsDialog:
        """Open the clinic settings; a saved change applies to sessions started afterwards."""
        from session_app.ui.staff.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.service, self.central)  # styled by its sheet
        dialog.finished.connect(lambda _code: self._settings_closed())
        dialog.open()
        return dialog

    def _settings_closed(self) -> None:
        settings = self._settings()
        self.settings_closed.emit(settings)
        unit = settings["temperature_unit"]
        self.vitals_form.set_temperature_unit(unit)
        self.flowsheet.set_temperature_unit(unit)
        if self.idle is not None:  # a new lock time applies now, not at the next start
            self.idle.idle = _lock_after(settings)

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

        dialog = DischargeDialog(
            self.store,
            self.current_session.id,
            self.clock,
            parent=self.central,  # styled by its sheet (`_unstyled_holder`)
            service=self.service,
        )
        dialog.session_ended.connect(self.open_summary)
        dialog.open()
        return dialog

    def _open_current_summary(self) -> None:
        if self.current_session is not None:
            self.open_summary(self.current_session.id)

    def open_summary(self, session_id: int) -> SummaryView:
        """The summary of any session in its own window (one window per session)."""
        return self._summaries.open(session_id)

    # -- staff lock ----------------------------------------------------------------------
    def _build_lock_pages(self, require_pin: bool) -> None:
        self.pin_setup = PinSetupPage(self.service.set_pin)
        self.lock_screen = LockScreen(self.service, self.clock)
        for page in (self.pin_setup, self.lock_screen):
            page.setStyleSheet(self._sheet)  # the panel has none (`_unstyled_holder`)
            page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # its colour
        self._stack = LockPages(self.content, (self.pin_setup, self.lock_screen), require_pin)
        self.pages = self._stack.pages
        self.setCentralWidget(self.pages)
        self._lock = LockProtocol(require_pin=require_pin, parent=self)
        self._lock.lock_now.connect(self._take_out_of_reach)
        self._lock.unlock_now.connect(self._bring_back)
        self._lock.close_waiting.connect(self._close_waits)
        self._lock.ask_to_close.connect(self._ask_to_close)
        self._lock.close_confirmed.connect(self.close_app_confirmed)
        self.pin_setup.pin_set.connect(self._lock.pin_accepted)
        self.lock_screen.unlocked.connect(self._lock.pin_accepted)
        self.idle: IdleWatcher | None = None
        if require_pin:
            lock_after = _lock_after(self._settings())
            self.idle = IdleWatcher(self, self.clock, lock_after, self.lock)
            self.lock()
            QTimer.singleShot(CHARTS_PRELOAD_MS, self, self.ensure_charts)
        else:
            self.ensure_charts()

    @property
    def close_pending(self) -> bool:
        """A request to close the app is waiting for the PIN."""
        return self._lock.close_pending

    @property
    def is_locked(self) -> bool:
        return self._lock.is_locked

    def lock(self) -> None:
        """Lock now (the Lock button, the idle time); nothing happens without a PIN."""
        self._lock.lock()

    def _take_out_of_reach(self) -> None:
        """The PIN page (or PIN setup if none is set), nothing clinical in reach."""
        self.vitals_form.cancel_edit()  # a proposal is decided by whoever unlocks, afresh
        page = self.lock_screen if self.store.current_pin() is not None else self.pin_setup
        self._stack.lock(self, page)
        self._summaries.close_all()
        self.lock_screen.show_note(DIALOGS_KEPT if self._stack.kept_dialogs else "")
        self._show_waiting()
        (self.lock_screen.pin if page is self.lock_screen else self.pin_setup.pin).setFocus()
        self.locked.emit()

    def _show_waiting(self) -> None:
        session_id = self.current_session.id if self.current_session is not None else None
        waiting = waiting_for_staff(self.service, session_id)
        self.lock_screen.show_attention(waiting.count, waiting.urgent)

    def _countdown_updated(self) -> None:
        self.notice.show_status(self.countdown)
        if self.is_locked:
            self._show_waiting()  # a check fell overdue while locked

    def _bring_back(self) -> None:
        self.ensure_charts()
        self.lock_screen.show_note("")
        if self.idle is not None:
            self.idle.last_input = self.clock.now()
        self._stack.unlock(self._first_field)
        self.unlocked.emit()

    # -- closing the app -------------------------------------------------------------------
    def request_app_close(self) -> None:
        """Someone asked to close the app (maybe from the patient window): staff decide.

        Locked: the request waits for the PIN. Unlocked: a non-modal question, so
        monitoring goes on while it is open.
        """
        self._lock.close_requested()

    def _close_waits(self) -> None:
        self.lock_screen.show_note(CLOSE_WAITS)
        self.show()
        self.raise_()

    def _ask_to_close(self) -> None:
        # Non-modal: monitoring goes on. On `central`, which carries the staff style sheet.
        close_question(self.central, self._lock.close_answered).show()

    def closeEvent(self, event: QCloseEvent) -> None:
        """With the PIN in force, closing the panel is a request to close the app."""
        if not self._lock.allows_close:
            event.ignore()
            self.request_app_close()
            return
        self.stop()
        super().closeEvent(event)

    def confirm_closing(self) -> None:
        """Let the next close go through (the app is closing for real)."""
        self._lock.confirm_closing()


def _lock_after(settings: dict[str, Any]) -> timedelta:
    return timedelta(minutes=int(settings["staff.lock_after_min"]))


class _Column(QStackedWidget):
    """The left column's pages. Not height-for-width: a scroll area would size it to its
    pages' preferred height (the alerts whole), scrolling on every screen; it gets the
    window's height and scrolls only below its pages' least."""

    def hasHeightForWidth(self) -> bool:
        return False
