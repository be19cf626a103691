"""The staff strip's quiet clinic line: how the room's sync to the clinic server stands.

The widget only shows what `clinic.status.clinic_notice_text` says about the sender's
`SyncState`; it asks the sender every few seconds (a QTimer) rather than being called
from the sender's thread. Plain text (a problem line may quote the server), no sound, no
colour of alarm: the room keeps saving locally whatever this says.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from session_app.clinic.status import SenderStatus, clinic_notice_text
from session_app.domain.clock import Clock
from session_app.ui.staff.widgets import set_text
from session_app.ui.text import plain_label

POLL_MS = 3000  # a few seconds: an outage is news in minutes, not milliseconds


class ClinicNotice(QFrame):
    """One line across the staff panel while the clinic sync needs a look; hidden otherwise."""

    def __init__(
        self, status: SenderStatus, clock: Clock, parent: QWidget | None = None,
        poll_ms: int = POLL_MS,
    ) -> None:
        """`parent` first, so that showing the line never makes it a window of its own."""
        super().__init__(parent)
        self.setObjectName("ClinicNotice")
        self.setAccessibleName("Clinic server status")
        self.status, self.clock = status, clock
        self.label = plain_label("", "ClinicNoticeText", "Clinic server status text")
        self.label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.addWidget(self.label, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        """Ask the sender once and show its line (only a changed text costs a relayout)."""
        text = clinic_notice_text(self.status.state(), self.clock.now())
        set_text(self.label, text)
        self.setVisible(bool(text))

    def stop(self) -> None:
        self.timer.stop()
