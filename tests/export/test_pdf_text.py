"""Staff text in the PDF: emoji drawn (not dropped), bidirectional overrides shown as
marks, never obeyed ("\u202eevil" must not read "live")."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from session_app.domain.clock import ManualClock
from session_app.domain.summary import load_summary
from session_app.export.pdf import render_pdf
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session
from tests.export.test_pdf import pdf_pages


def image_count(path: Path) -> int:
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return sum(1 for line in listing.splitlines()[2:] if re.search(r"\bimage\b", line))


def pdf_with_note(store: SessionStore, clock: ManualClock, tmp: Path, note: str) -> Path:
    sid = seed_rems_session(store, clock, end=False, patient_id=f"P-{len(note)}")
    store.add_event(sid, "note", "AB", {"text": note})
    return render_pdf(load_summary(store, sid, clock.now()), tmp / f"{len(note)}.pdf")


def test_emoji_in_a_note_are_drawn_in_the_pdf(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    plain = pdf_with_note(store, clock, tmp_path, "calm, thumbs up")
    note = "calm \N{GRINNING FACE}, thumbs up \U0001f44d"
    with_emoji = pdf_with_note(store, clock, tmp_path, note)
    # a colour emoji font is drawn as one picture per emoji; none are dropped
    assert image_count(with_emoji) >= image_count(plain) + 2
    text = " ".join(pdf_pages(with_emoji))
    assert "calm" in text and "thumbs up" in text


def test_a_right_to_left_override_in_a_note_is_shown_as_a_mark(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    path = pdf_with_note(store, clock, tmp_path, "given \u202eevil dose")
    text = " ".join(pdf_pages(path))
    assert "[U+202E]evil" in text
    assert "live" not in text
