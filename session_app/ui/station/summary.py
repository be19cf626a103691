"""A session's summary at the station: read-only, built from the clinic server's rows.

The same document as the room's summary and PDF (export.document.summary_html over
domain.summary), without the room's export buttons: the station writes nothing, and the
chart is the room's to file. The document escapes every outside text.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from session_app.domain.clock import format_local
from session_app.domain.summary import SessionSummary
from session_app.export.document import summary_html
from session_app.export.pdf import document_css
from session_app.ui.staff.widgets import named
from session_app.ui.text import plain_label


class StationSummary(QWidget):
    """One session's summary, as the server holds it, for reading only."""

    def __init__(self, room: str, summary: SessionSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StationSummary")
        self.setAccessibleName(f"{room} session summary")
        self.room = room
        self.title = named(plain_label(), "Summary title", "SummaryTitle")
        self.title.setWordWrap(True)
        self.state = named(plain_label(), "Summary state", "SummaryState")
        self.state.setWordWrap(True)
        self.document = named(QTextBrowser(), "Summary document", "SummaryDocument")
        self.document.setOpenLinks(False)
        self.document.document().setDefaultStyleSheet(document_css())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.document, 1)
        self.show_summary(summary)

    def show_summary(self, summary: SessionSummary) -> None:
        session = summary.session
        self.setWindowTitle(f"{self.room} — session summary (read-only)")
        self.title.setText(
            f"{self.room} — {session.patient_id} · {session.protocol_name} · "
            f"{format_local(session.started_at)}"
        )
        state = (
            f"Ended {format_local(session.ended_at)} by {session.ended_by}."
            if session.ended_at
            else "In progress: the summary so far, as the clinic server holds it."
        )
        self.state.setText(f"{state} Read-only at the station.")
        scroll = self.document.verticalScrollBar().value()
        self.document.setHtml(summary_html(summary, with_charts=False))
        self.document.verticalScrollBar().setValue(scroll)

    def document_text(self) -> str:
        return self.document.toPlainText()
