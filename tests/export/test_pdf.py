"""PDF read back with pdftotext: patient ID on every page, every check's values, the alerts."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock, format_local
from session_app.domain.summary import load_summary
from session_app.export import ExportError
from session_app.export.pdf import render_pdf
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = unicodedata.normalize("NFKC", text)  # the PDF font uses ligatures ("ﬁ")
    return [page for page in text.split("\f") if page.strip()]


def pdf_info(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def rems_pdf(qapp, store: SessionStore, clock: ManualClock, tmp_path: Path):
    sid = seed_rems_session(store, clock)
    summary = load_summary(store, sid, clock.now())
    return summary, render_pdf(summary, tmp_path / "summary.pdf")


def test_every_page_names_the_patient_and_is_numbered(rems_pdf) -> None:
    _, path = rems_pdf
    pages = pdf_pages(path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Patient ID MK-221" in page
        assert f"Page {number} of {len(pages)}" in page


def test_the_pdf_holds_every_check_and_the_alerts(rems_pdf) -> None:
    summary, path = rems_pdf
    text = "\n".join(pdf_pages(path))
    flat = re.sub(r"\s+", " ", text)
    for line in summary.checks:
        s = line.check.signs
        row = re.search(
            rf"{format_local(line.check.taken_at, with_date=False)}\s+\S+\s+"
            rf"{s.systolic}/{s.diastolic}\s+{s.heart_rate}\s+{s.spo2}\s+{s.resp_rate}\s",
            text,
        )
        assert row, f"check at {line.check.taken_at} not found"
    for alert in summary.alerts:
        assert alert.message[:40] in flat
    assert "AB at" in flat  # acknowledgements
    assert "REMS patient monitoring form" in flat
    assert "Still missing (4)" in flat  # the seed predates issue 15's four clinic/staff fields
    assert "LOT-2217A" in flat
    assert "Modified Aldrete" in flat and "10 / 10" in flat
    assert "Trend charts" in flat


def test_a4_and_letter(qapp, store: SessionStore, clock: ManualClock, tmp_path: Path) -> None:
    sid = seed_rems_session(store, clock)
    summary = load_summary(store, sid, clock.now())
    a4 = render_pdf(summary, tmp_path / "a4.pdf", page_size="A4")
    letter = render_pdf(summary, tmp_path / "letter.pdf", page_size="letter")
    assert "595 x 842 pts (A4)" in pdf_info(a4)
    assert "612 x 792 pts (letter)" in pdf_info(letter)
    with pytest.raises(ExportError, match="A4, Letter"):
        render_pdf(summary, tmp_path / "x.pdf", page_size="A5")
    with pytest.raises(ExportError, match="does not exist"):
        render_pdf(summary, tmp_path / "nowhere" / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_an_incomplete_rems_session_lists_the_gaps_in_the_pdf(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    sid = seed_rems_session(store, clock, complete=False)
    summary = load_summary(store, sid, clock.now())
    flat = re.sub(r"\s+", " ", "\n".join(pdf_pages(render_pdf(summary, tmp_path / "s.pdf"))))
    assert "Still missing (16)" in flat  # 11, and the five fields issue 15 added
    assert "Lot number" in flat
