"""Issue 15 in the PDF: the updated REMS form read back from a real PDF, with a signature
and date line, the patient's name and date of birth left to the clinic's record, and one
definition of total monitoring (from administration to the end of monitoring)."""

from __future__ import annotations

import re
from pathlib import Path

from session_app.domain.clock import ManualClock
from session_app.domain.summary import load_summary
from session_app.export.document import summary_html
from session_app.export.pdf import render_pdf
from session_app.store import SessionStore
from tests.domain.test_rems_form import CLINIC, run_session
from tests.export.test_pdf import pdf_pages


def rems_text(store: SessionStore, clock: ManualClock, tmp: Path, **kw: object) -> str:
    store.save_settings(CLINIC)
    sid = run_session(store, clock, pre_dose_check={"vitals_ok": "yes"}, **kw)  # type: ignore[arg-type]
    pdf = render_pdf(load_summary(store, sid, clock.now()), tmp / f"rems-{sid}.pdf")
    return re.sub(r"\s+", " ", " ".join(pdf_pages(pdf)))


def test_the_pdf_carries_the_new_fields_of_the_form(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    flat = rems_text(store, clock, tmp_path)
    rems = flat[flat.index("REMS patient monitoring form") :]
    for words in (
        "Healthcare setting name Lakeside Treatment Centre",
        "Healthcare setting REMS ID HS-0042917",
        "Prescriber Dr J. Okafor",
        "First treatment Yes",
        "Time of administration",
        "Concomitant medicines: Opioids Yes",
        "Respiratory status (pulse oximetry) SpO2 96–98 %",
        "Vital signs acceptable before dosing Yes pre-dose check",
        "Alex Brown, RN discharge checklist",
        "Every field of the form is filled from the record",
    ):
        assert words in rems, words


def test_the_form_ends_with_a_signature_and_date_line_and_names_the_clinic_record(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    flat = rems_text(store, clock, tmp_path)
    rems = flat[flat.index("REMS patient monitoring form") :]
    assert "Patient name and date of birth: from the clinic's record" in rems
    assert re.search(r"Signature of Alex Brown, RN: _{10,} Date: _{6,}", rems), rems[-400:]


def test_total_monitoring_is_counted_once_from_administration(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    # the session lasts 139 min; the dose is given 16 min in: 123 min of monitoring
    flat = rems_text(store, clock, tmp_path)
    assert "Total monitoring 123 min from administration" in flat
    assert "Total monitoring time 123 min" in flat
    assert "139 min" not in flat


def test_an_open_session_counts_its_monitoring_so_far_and_no_dose_says_so(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = run_session(store, clock, pre_dose_check={"vitals_ok": "yes"}, finish=False)
    html = summary_html(load_summary(store, sid, clock.now()), with_charts=False)
    assert "120 min from administration so far" in html  # the last check is at 136 min
    clock.advance(minutes=5)
    from session_app.domain.protocols import ESKETAMINE_REMS
    from session_app.domain.session import NewSession
    from session_app.monitoring import MonitoringService

    bare = MonitoringService(store, clock).start_session(NewSession("MK-9", ESKETAMINE_REMS, "AB"))
    html = summary_html(load_summary(store, bare.id, clock.now()), with_charts=False)
    assert "— (no administration recorded)" in html
