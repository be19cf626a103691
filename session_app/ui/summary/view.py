"""The on-screen end-of-session summary: the same document as the PDF, beside the charts.

Thin: the summary is built by the domain (domain.summary), the document by
export.document, the charts by ui.charts; this widget binds them and offers the exports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from session_app.domain.clock import Clock, SystemClock, format_local
from session_app.domain.events import describe
from session_app.domain.summary import SessionRecord, SessionSummary, build_summary
from session_app.export import ExportError, check_target, store_files
from session_app.export.csv import csv_paths, write_csv
from session_app.export.document import summary_html
from session_app.export.fhir import write_fhir
from session_app.export.pdf import document_css, render_pdf
from session_app.store import SessionStore
from session_app.store.repository import Change, ChangeKind
from session_app.ui.charts import TrendCharts
from session_app.ui.staff.widgets import named
from session_app.ui.text import plain_label
from session_app.ui.theme import load_qss, set_style_state


class SummaryView(QWidget):
    """Summary of one session (ended, or in progress "so far"), with PDF / CSV / FHIR export."""

    exported = Signal(str)  # the path written

    def __init__(
        self,
        store: SessionStore,
        session_id: int,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SummaryView")
        self.setAccessibleName("Session summary")
        self.setStyleSheet(load_qss("summary"))
        self._store = store
        self._clock = clock or SystemClock()
        self.session_id = session_id
        self.summary: SessionSummary

        self.title = plain_label()
        named(self.title, "Summary title", "SummaryTitle")
        self.title.setWordWrap(True)  # a long patient ID takes lines, not the window's width
        self.state = plain_label()
        named(self.state, "Summary state", "SummaryState")
        self.state.setWordWrap(True)
        self.status = plain_label("")
        named(self.status, "Export status", "ExportStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.page_size = QComboBox()
        named(self.page_size, "PDF paper size", "PaperSize")
        self.page_size.addItem("A4", "a4")
        self.page_size.addItem("Letter", "letter")
        self.pdf_button = QPushButton("Export PDF…")
        named(self.pdf_button, "Export PDF", "ExportPdfButton")
        self.csv_button = QPushButton("Export CSV…")
        named(self.csv_button, "Export CSV", "ExportCsvButton")
        self.fhir_button = QPushButton("Export FHIR…")
        named(self.fhir_button, "Export FHIR", "ExportFhirButton")

        self.document = QTextBrowser()
        named(self.document, "Summary document", "SummaryDocument")
        self.document.setOpenLinks(False)
        self.document.document().setDefaultStyleSheet(document_css())
        self.document.document().setDocumentMargin(12)
        # tables are 100 % wide; their borders overflow by a pixel, never by content
        self.document.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.charts = TrendCharts()

        bar = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.state)
        bar.addLayout(titles, 1)
        bar.addWidget(plain_label("Paper"))
        bar.addWidget(self.page_size)
        for button in (self.pdf_button, self.csv_button, self.fhir_button):
            bar.addWidget(button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("SummarySplitter")
        splitter.addWidget(self.document)
        splitter.addWidget(self.charts)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 520])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

        self.pdf_button.clicked.connect(self._ask_pdf)
        self.csv_button.clicked.connect(self._ask_csv)
        self.fhir_button.clicked.connect(self._ask_fhir)
        self._unsubscribe = store.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    # -- data ---------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.DEVICE_DATA, ChangeKind.DEVICE_NOTICE):
            return  # monitor values come each second: not a rebuild of the whole document
        if change.session_id == self.session_id:
            self.refresh()

    def refresh(self) -> None:
        """Rebuild from the store (the store is the only source of truth)."""
        self.record = SessionRecord.load(self._store, self.session_id)
        self.summary = build_summary(self.record, self._clock.now())
        session = self.summary.session
        self.title.setText(
            f"Summary — {session.patient_id} · {session.protocol_name} · "
            f"{format_local(session.started_at)}"
        )
        if session.ended_at:
            state = f"Ended {format_local(session.ended_at)} by {session.ended_by} (read-only)."
        else:
            state = "In progress: this is the summary so far."
        rems = self.summary.rems
        warn = rems is not None and not rems.complete
        if warn:
            state += f" REMS form: {len(rems.missing)} field(s) still missing."
        set_style_state(self.state, "warn", warn)
        self.state.setText(state)
        scroll = self.document.verticalScrollBar().value()
        self.document.setHtml(summary_html(self.summary, with_charts=False))
        self.document.verticalScrollBar().setValue(scroll)
        self.charts.load_session(
            self._store, self.session_id, describe=lambda e: describe(e).split(":")[0]
        )

    def document_text(self) -> str:
        return self.document.toPlainText()

    # -- exports (callable directly; the buttons add the file dialog and the questions) --
    # Only a new file is written, unless the user confirmed replacing a regular file
    # (replace=True); the store's own files are never a target (export.check_target).
    def export_pdf(
        self, path: Path | str, page_size: str | None = None, *, replace: bool = False
    ) -> Path:
        size = page_size or str(self.page_size.currentData())
        written = render_pdf(
            self.summary, path, page_size=size, replace=replace, protected=self._protected()
        )
        return self._done(written)

    def export_csv(self, path: Path | str, *, replace: bool = False) -> Path:
        checks, *beside = write_csv(
            self.record, Path(path), replace=replace, protected=self._protected()
        )
        self._done(checks, also=" and ".join(str(p) for p in beside))
        return checks

    def export_fhir(self, path: Path | str, *, replace: bool = False) -> Path:
        now = self._clock.now()
        written = write_fhir(
            self.record, Path(path), now, replace=replace, protected=self._protected()
        )
        return self._done(written)

    def _protected(self) -> tuple[Path, ...]:
        return store_files(self._store.path)

    def _done(self, path: Path, also: str = "") -> Path:
        extra = f" and {also}" if also else ""
        self._set_status(f"Saved {path}{extra}.")
        self.exported.emit(str(path))
        return path

    def _set_status(self, text: str, *, error: bool = False) -> None:
        set_style_state(self.status, "error", error)
        self.status.setText(text)

    def _default_name(self, suffix: str) -> str:
        s = self.summary.session
        return f"{s.patient_id}-{format_local(s.started_at)[:10]}-session{s.id}{suffix}"

    def ask_path(self, title: str, suggested: str, filters: str) -> str:
        """Where to save; a save-file dialog (tests replace this attribute).

        The dialog does not ask about an existing file: the view asks itself, once for
        all the files an export writes (a CSV export writes two).
        """
        path, _ = QFileDialog.getSaveFileName(
            self, title, suggested, filters, options=QFileDialog.Option.DontConfirmOverwrite
        )
        return path

    def _box(
        self,
        name: str,
        icon: QMessageBox.Icon,
        title: str,
        text: str,
        buttons: QMessageBox.StandardButton,
    ) -> QMessageBox:
        """A non-modal box (monitoring goes on); file names are shown as plain text."""
        box = QMessageBox(icon, title, text, buttons, self)
        box.setObjectName(name)
        box.setAccessibleName(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.buttonClicked.connect(lambda *_: box.deleteLater())
        box.show()
        return box

    def _failed(self, text: str) -> None:
        self._set_status(text, error=True)
        self._box(
            "ExportFailed",
            QMessageBox.Icon.Warning,
            "Not exported",
            text,
            QMessageBox.StandardButton.Ok,
        )

    def _ask(
        self,
        title: str,
        suffix: str,
        filters: str,
        files: Callable[[Path], Sequence[Path]],
        action: Callable[[Path, bool], object],
    ) -> None:
        """Ask where; refuse the store, a link or a device at once; ask before replacing."""
        picked = self.ask_path(title, self._default_name(suffix), filters)
        if not picked:
            return
        path = Path(picked)
        try:
            targets = [
                check_target(f, replace=True, protected=self._protected()) for f in files(path)
            ]
        except ExportError as exc:
            self._failed(str(exc))
            return

        def run(replace: bool) -> None:
            try:
                action(path, replace)
            except ExportError as exc:
                self._failed(str(exc))

        existing = [t for t in targets if os.path.lexists(t)]
        if not existing:
            run(replace=False)
            return
        names = "\n".join(str(t) for t in existing)
        box = self._box(
            "ConfirmReplaceExport",
            QMessageBox.Icon.Question,
            "Replace the existing file?",
            f"{'This file already exists' if len(existing) == 1 else 'These files already exist'}"
            f":\n{names}\n\nReplace {'it' if len(existing) == 1 else 'them'} with this export?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)

        def answered(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                run(replace=True)
            else:
                self._set_status("Not exported: nothing was replaced.")

        box.buttonClicked.connect(answered)

    def _ask_pdf(self) -> None:
        self._ask(
            "Export PDF",
            ".pdf",
            "PDF (*.pdf)",
            lambda p: (p,),
            lambda p, replace: self.export_pdf(p, replace=replace),
        )

    def _ask_csv(self) -> None:
        self._ask(
            "Export CSV",
            ".csv",
            "CSV (*.csv)",
            lambda p: csv_paths(p, self.record),
            lambda p, replace: self.export_csv(p, replace=replace),
        )

    def _ask_fhir(self) -> None:
        self._ask(
            "Export FHIR",
            ".fhir.json",
            "FHIR JSON (*.json)",
            lambda p: (p,),
            lambda p, replace: self.export_fhir(p, replace=replace),
        )
