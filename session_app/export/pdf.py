"""PDF export with Qt's own QPdfWriter and QTextDocument (no other PDF library).

The body is the summary document (export.document), laid out for A4 or Letter. Each page
carries a header with the patient ID and the session date, and a footer "Page n of N",
so a page separated from the others in the chart still says whose it is. The charts are
drawn by the staff panel's drawing code (session_app.trend_plots) into an image.

Needs a QApplication (the charts are widgets); `ensure_qt_app()` makes one that works
without a display (offscreen platform) for the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)

from session_app.domain.clock import format_local
from session_app.domain.events import describe
from session_app.domain.summary import SessionSummary
from session_app.export import ExportError, check_target, write_atomically
from session_app.export.document import CHART_URL, summary_html
from session_app.paths import THEMES_DIR
from session_app.trends import TrendData

PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "a4": QPageSize.PageSizeId.A4,
    "letter": QPageSize.PageSizeId.Letter,
}
RESOLUTION_DPI = 300
MARGINS_MM = QMarginsF(16, 14, 16, 14)
CHART_SIZE = QSize(900, 780)  # logical px of the chart render; scaled to the text width
DOCUMENT_CSS = THEMES_DIR / "summary-document.css"
BASE_FONT = "DejaVu Sans"


def ensure_qt_app() -> None:
    """A QApplication for rendering; offscreen when there is no display (clinic IT's shell)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    QApplication(["session-app-export"])


def document_css() -> str:
    return DOCUMENT_CSS.read_text(encoding="utf-8") if DOCUMENT_CSS.exists() else ""


def chart_image(summary: SessionSummary, size: QSize = CHART_SIZE) -> QImage:
    """The session's trend charts as an image: the staff panel's drawing (trend_plots),
    with the session's own thresholds."""
    from session_app.trend_plots import render_trends

    return render_trends(trend_data(summary), size)


def trend_data(summary: SessionSummary) -> TrendData:
    """What the PDF's charts show: the summary's record, its protocol's thresholds, and
    the monitor's values traced under the typed points as on the staff panel."""
    record = summary.record
    data = TrendData.from_records(
        record.checks,
        record.events,
        record.alerts,
        summary.protocol.thresholds,
        record.session.started_at,
        describe=lambda e: describe(e).split(":")[0],
    )
    return data.with_trace(record.device_values) if record.device_values else data


def build_document(
    summary: SessionSummary,
    *,
    paint_device: QPdfWriter | None = None,
    text_width: float | None = None,
    chart: QImage | None = None,
) -> QTextDocument:
    """The summary as a QTextDocument; the chart image is added as a resource."""
    document = QTextDocument()
    if paint_device is not None:
        document.documentLayout().setPaintDevice(paint_device)
    font = QFont(BASE_FONT)
    font.setPointSizeF(9)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet(document_css())
    document.setDocumentMargin(0)
    width_px = None
    if chart is not None and not chart.isNull():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_URL), chart)
        if text_width:
            # QTextDocument sizes images in screen pixels (96 per inch) and scales them to
            # the paint device, so the width is given at 96 dpi.
            dpi = paint_device.logicalDpiX() if paint_device is not None else 96
            width_px = int(text_width * 0.98 * 96 / dpi)
    document.setHtml(
        summary_html(
            summary,
            chart_width_px=width_px,
            with_charts=chart is not None,
            page_break_charts=paint_device is not None,
        )
    )
    document.setMetaInformation(
        QTextDocument.MetaInformation.DocumentTitle,
        f"Session summary {summary.session.patient_id}",
    )
    return document


_BREAK = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
_AFTER = QTextFormat.PageBreakFlag.PageBreak_AlwaysAfter
KEEP_ROUNDS = 40  # each round moves one heading or row; a summary needs a handful


def _page(document: QTextDocument, block: QTextBlock, page_height: float) -> int:
    """The page of the block's first line (a line that does not fit before the footer is
    moved to the next page, its block's top is not)."""
    top = document.documentLayout().blockBoundingRect(block).top()
    layout = block.layout()
    if layout is not None and layout.lineCount():
        top += layout.lineAt(0).y()
    return int(top // page_height)


def _set_break(block: QTextBlock, flag: QTextFormat.PageBreakFlag) -> bool:
    """Break the page before or after `block` (False if it already does: nothing more to
    do there, which ends the rounds of keep_together)."""
    fmt = block.blockFormat()
    if fmt.pageBreakPolicy() & flag:
        return False
    fmt.setPageBreakPolicy(fmt.pageBreakPolicy() | flag)
    QTextCursor(block).setBlockFormat(fmt)
    return True


def _break_before(block: QTextBlock) -> bool:
    return _set_break(block, _BREAK)


def _break_table(table: QTextTable) -> bool:
    """Start a new page at the table, or at its heading when one comes just before it (a
    table's page break is always taken, so the heading cannot follow it by itself)."""
    before = table.firstCursorPosition().block().previous()
    while before.isValid() and not before.text().strip():
        before = before.previous()
    if before.isValid() and before.blockFormat().headingLevel() > 0:
        return _break_before(before)
    fmt = table.format()
    if fmt.pageBreakPolicy() & _BREAK:
        return False
    fmt.setPageBreakPolicy(fmt.pageBreakPolicy() | _BREAK)
    table.setFormat(fmt)
    return True


def _tables(frame: QTextFrame) -> list[QTextTable]:
    found: list[QTextTable] = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            found.append(child)
        found += _tables(child)
    return found


def _lone_heading(document: QTextDocument, page_height: float) -> bool:
    """Move the first heading that ends a page (its text starts on the next) to that page."""
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            after = block.next()
            while after.isValid() and not after.text().strip():
                after = after.next()
            here = _page(document, block, page_height)
            moves = after.isValid() and _page(document, after, page_height) != here
            if moves and _break_before(block):
                return True
        block = block.next()
    return False


def _lone_row(document: QTextDocument, page_height: float) -> bool:
    """Fix the first table that leaves a single body row on a page: a lone first row takes
    the table to the next page, a lone last row takes the row before it along."""
    for table in _tables(document.rootFrame()):
        first = table.format().headerRowCount()
        rows = [table.cellAt(r, 0).firstCursorPosition().block() for r in range(table.rows())]
        body = rows[first:]
        if len(body) < 2:
            continue
        pages = [_page(document, b, page_height) for b in body]
        if pages[0] != pages[1] and _break_table(table):
            return True
        if pages[-1] != pages[-2]:
            if pages.count(pages[-2]) < 3:
                moved = _break_table(table)
            else:  # a break after the row before: Qt then moves the next row whole
                cell = table.cellAt(table.rows() - 3, 0)
                moved = _set_break(cell.lastCursorPosition().block(), _AFTER)
            if moved:
                return True
    return False


def keep_together(document: QTextDocument, page_height: float) -> None:
    """What QTextDocument has no CSS for (page-break-after: avoid, orphans): a heading
    never ends a page, and no page holds a single row of a table. One problem is fixed at
    a time, in reading order, by a page break before it (moving it changes what follows)."""
    moved = False
    for _ in range(KEEP_ROUNDS):
        if not (_lone_heading(document, page_height) or _lone_row(document, page_height)):
            break
        moved = True
    if moved:
        # Qt lays out again only from a changed block; a whole new layout draws every block
        # where the checks above saw it (without it a heading after a moved one went
        # missing). A document that needed no break keeps its layout (a fifth of the PDF).
        document.markContentsDirty(0, document.characterCount())


def render_pdf(
    summary: SessionSummary,
    path: Path | str,
    *,
    page_size: str = "a4",
    with_charts: bool = True,
    replace: bool = False,
    protected: Iterable[Path] = (),
) -> Path:
    """Write the summary PDF as a new file; the whole file or nothing.

    QPdfWriter says nothing when the disk is full (a truncated PDF looked like a success),
    so the PDF is made in memory and written by export.write_atomically, which checks
    that every byte reached the disk.
    """
    protected = tuple(protected)
    target = check_target(path, replace=replace, protected=protected)  # before the work
    data = pdf_bytes(summary, page_size=page_size, with_charts=with_charts)
    return write_atomically(target, data, replace=replace, protected=protected)


def pdf_bytes(summary: SessionSummary, *, page_size: str = "a4", with_charts: bool = True) -> bytes:
    """The summary PDF, in memory."""
    key = page_size.lower()
    if key not in PAGE_SIZES:
        raise ExportError(f"Unknown page size '{page_size}' (accepted: A4, Letter).")
    ensure_qt_app()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    _paint(summary, buffer, PAGE_SIZES[key], with_charts)
    data = bytes(buffer.data().data())
    buffer.close()
    if not data.startswith(b"%PDF") or b"%%EOF" not in data[-64:]:
        raise ExportError("The PDF could not be made (Qt produced no complete document).")
    return data


def _paint(
    summary: SessionSummary, device: QBuffer, size_id: QPageSize.PageSizeId, with_charts: bool
) -> None:
    session = summary.session
    writer = QPdfWriter(device)
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(size_id),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"Session summary {session.patient_id} {format_local(session.started_at)}")
    writer.setCreator("session_app")

    paint_rect = writer.pageLayout().paintRectPixels(RESOLUTION_DPI)
    width, height = float(paint_rect.width()), float(paint_rect.height())
    mm = RESOLUTION_DPI / 25.4
    header_h, footer_h = 9 * mm, 8 * mm

    chart = chart_image(summary) if with_charts else None
    document = build_document(summary, paint_device=writer, text_width=width, chart=chart)
    # The document is paginated on whole pages whose root frame leaves room for the header
    # and footer, so a line that moves to the next page is never drawn into the header.
    document.setPageSize(QSizeF(width, height))
    # Frame margins, like image sizes, are given at 96 dpi and scaled to the writer.
    to_layout = 96 / writer.logicalDpiY()
    frame = document.rootFrame().frameFormat()
    frame.setTopMargin(header_h * to_layout)
    frame.setBottomMargin(footer_h * to_layout)
    frame.setLeftMargin(0)
    frame.setRightMargin(0)
    document.rootFrame().setFrameFormat(frame)
    keep_together(document, height)
    pages = document.pageCount()

    small = QFont(BASE_FONT)
    small.setPointSizeF(7.5)
    bold = QFont(small)
    bold.setBold(True)
    rule = QPen(QColor("#9fb4c8"))
    rule.setWidthF(0.25 * mm)
    date = format_local(session.started_at, with_date=True)[:10]
    generated = format_local(summary.as_of)
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError("The PDF could not be started (Qt refused to paint it).")
    try:
        for index in range(pages):
            if index:
                writer.newPage()
            painter.setPen(QColor("#1d3a57"))
            painter.setFont(bold)
            header = QRectF(0, 0, width, header_h - 2 * mm)
            painter.drawText(
                header,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                f"Patient ID {session.patient_id}",
            )
            painter.setFont(small)
            painter.drawText(
                header,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"Treatment session summary · {session.protocol_name} · {date}",
            )
            painter.setPen(rule)
            painter.drawLine(0, int(header_h - 2 * mm), int(width), int(header_h - 2 * mm))

            painter.save()
            painter.translate(0, -index * height)
            document.drawContents(painter, QRectF(0, index * height, width, height))
            painter.restore()

            footer_top = height - footer_h + 2 * mm
            painter.setPen(rule)
            painter.drawLine(0, int(footer_top), int(width), int(footer_top))
            painter.setPen(QColor("#4a5866"))
            painter.setFont(small)
            footer = QRectF(0, footer_top, width, footer_h - 2 * mm)
            painter.drawText(
                footer,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                f"Patient ID {session.patient_id} · session {session.id} · "
                f"{'as of ' if session.is_open else 'ended '}{generated}",
            )
            painter.drawText(
                footer,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"Page {index + 1} of {pages}",
            )
    finally:
        painter.end()
