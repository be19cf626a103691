"""The staff panel main window: the session in progress, and the list of sessions."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from session_app.domain.clock import Clock, SystemClock, format_local
from session_app.domain.session import TreatmentSession
from session_app.store import SessionStore
from session_app.ui.staff.past_sessions import PastSessionsList
from session_app.ui.staff.start_session import StartSessionForm
from session_app.ui.theme import load_qss

WINDOW_TITLE = "session_app — Staff panel"


class StaffPanel(QMainWindow):
    def __init__(self, store: SessionStore, clock: Clock | None = None) -> None:
        super().__init__()
        self.setObjectName("StaffPanel")
        self.setWindowTitle(WINDOW_TITLE)
        self.setAccessibleName("Staff panel")
        self.setStyleSheet(load_qss("staff"))
        self.store = store
        self.clock = clock or SystemClock()
        self.current_session: TreatmentSession | None = None

        self.banner = QLabel("No session in progress. Start one with the form on the left.")
        self.banner.setObjectName("SessionBanner")
        self.banner.setAccessibleName("Session status")
        self.start_form = StartSessionForm(store)
        self.sessions_list = PastSessionsList(store)

        left = QVBoxLayout()
        left.addWidget(self.start_form)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.sessions_list, 2)
        central = QWidget()
        central.setObjectName("StaffCentral")
        outer = QVBoxLayout(central)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        self.resize(1280, 800)

        self.start_form.session_started.connect(self.show_session)
        resumed = store.open_session()
        if resumed is not None:
            self.show_session(resumed)

    def show_session(self, session: TreatmentSession) -> None:
        self.current_session = session
        weight = f" · {session.weight_kg:g} kg" if session.weight_kg else ""
        self.banner.setText(
            f"In progress: {session.patient_id} · {session.protocol_name}{weight} · "
            f"started {format_local(session.started_at)} by {session.staff_initials}"
        )
