"""The staff panel main window: the session in progress, and the list of sessions.

Composition only: every part takes the store or the monitoring service in its
constructor and keeps itself up to date from the store's change announcements.
Nothing here is shown to the patient, and nothing makes a sound.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import session_app.config  # noqa: F401  (declares the app-wide settings)
from session_app.domain.clock import Clock, SystemClock, format_local
from session_app.domain.session import TreatmentSession
from session_app.domain.settings import resolve_settings
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from session_app.store.repository import Change
from session_app.ui.charts import TrendCharts
from session_app.ui.staff.alerts_panel import AlertsPanel
from session_app.ui.staff.countdown import DueCountdown, OverdueNotice
from session_app.ui.staff.event_form import EventForm
from session_app.ui.staff.flowsheet import Flowsheet, Timeline
from session_app.ui.staff.past_sessions import PastSessionsList
from session_app.ui.staff.settings_dialog import SettingsDialog
from session_app.ui.staff.start_session import StartSessionForm
from session_app.ui.staff.vitals_form import VitalsForm
from session_app.ui.staff.widgets import named
from session_app.ui.theme import load_qss

WINDOW_TITLE = "session_app — Staff panel"
NO_SESSION = "No session in progress. Start one with the form on the left."
WIDE_LAYOUT_MIN_WIDTH = 1600  # from here the flowsheet sits beside the charts, not below


class StaffPanel(QMainWindow):
    def __init__(
        self,
        store: SessionStore,
        clock: Clock | None = None,
        service: MonitoringService | Any | None = None,
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
        self.banner = QLabel(NO_SESSION)
        self.banner.setObjectName("SessionBanner")
        self.banner.setAccessibleName("Session status")
        self.banner.setWordWrap(True)
        self.session_details = QLabel("")
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
        self.charts = TrendCharts()
        self.charts.follow(store)
        self.flowsheet = Flowsheet(store, unit)
        self.timeline = Timeline(store)

        self._build_layout()
        self.resize(1280, 800)

        self.start_form.session_started.connect(self.show_session)
        self.settings_button.clicked.connect(self.open_settings)
        self.countdown.updated.connect(lambda: self.notice.show_status(self.countdown))
        self.vitals_form.saved.connect(lambda _result: self.countdown.tick())
        self.event_form.logged.connect(self._event_logged)
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
        tools.addWidget(self.entry_tabs, 1)
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
        self.trend_split.addWidget(self.charts)
        self.trend_split.addWidget(self.record_tabs)
        self.trend_split.setStretchFactor(0, 3)
        self.trend_split.setStretchFactor(1, 2)
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
        outer.addWidget(self.notice)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

    def stop(self) -> None:
        """Stop the countdown timer and the store subscriptions (before the store closes)."""
        self.countdown.timer.stop()
        self.charts.stop_following()
        self._unsubscribe()

    def add_now_playing(self, widget: QWidget) -> None:
        """Place the media strip (engineer B's) at the top of the panel."""
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
        if session is None:
            self.charts.clear()
            self.banner.setText(NO_SESSION)
            self.session_details.setText("")
        else:
            self.charts.load_session(self.store, session.id)
            self._update_banner()
        self.countdown.set_session(session_id)
        self.countdown.setVisible(session is not None)
        if session is not None:
            self.entry_tabs.setCurrentWidget(self.vitals_form)
            self.vitals_form.first_field().setFocus()
        else:
            self.start_form.patient_id.setFocus()

    def _update_banner(self) -> None:
        session = self.current_session
        if session is None:
            return
        weight = f" · {session.weight_kg:g} kg" if session.weight_kg else ""
        self.banner.setText(f"In progress: {session.patient_id} · {session.protocol_name}{weight}")
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
        self.session_details.setText(" · ".join(parts))

    def _event_logged(self, _event: object) -> None:
        self._update_banner()
        self.countdown.tick()

    def _on_change(self, change: Change) -> None:
        if self.current_session is None or change.session_id != self.current_session.id:
            return
        if change.kind == "session_end":
            self.show_session(None)
        elif change.kind in ("event", "check"):
            self._update_banner()
            self.countdown.tick()

    def open_settings(self) -> SettingsDialog:
        """Open the clinic settings; a saved change applies to sessions started afterwards."""
        dialog = SettingsDialog(self.store, self)
        dialog.finished.connect(lambda _code: self._settings_closed())
        dialog.open()
        return dialog

    def _settings_closed(self) -> None:
        unit = self._settings()["temperature_unit"]
        self.vitals_form.set_temperature_unit(unit)
        self.flowsheet.set_temperature_unit(unit)
