"""Issue 15 point 3 in every output: the dose in mg with the weight it used (and mL with
the clinic's concentration) in the summary, the PDF read back, the CSV read back and FHIR."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import IV_KETAMINE
from session_app.domain.session import NewSession
from session_app.domain.summary import SessionRecord, load_summary
from session_app.export.csv import ENCODING, events_path_for, write_csv
from session_app.export.document import dose_html
from session_app.export.fhir import UCUM, bundle
from session_app.export.pdf import render_pdf
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore
from tests.export.test_pdf import pdf_pages

IV_DOSE = {"drug": "Ketamine", "dose": "0.5", "unit": "mg/kg", "route": "IV infusion"}
SHOWN = "0.5 mg/kg × 72.5 kg = 36.25 mg (36.3 mL at 1 mg/mL)"


def iv_session(store: SessionStore, clock: ManualClock) -> int:
    """An IV ketamine session of 72.5 kg, the bag at 1 mg/mL, a 0.5 mg/kg dose logged."""
    store.save_settings({"iv.concentration_mg_ml": "1"})
    service = MonitoringService(store, clock)
    sid = service.start_session(NewSession("KL-15", IV_KETAMINE, "AB", 72.5)).id
    clock.advance(minutes=5)
    service.log_event(sid, "dose", {**IV_DOSE, "lot_number": "K-77"}, "AB")
    return sid


def legacy_dose(store: SessionStore, clock: ManualClock) -> int:
    """A mg/kg dose stored with no weight, as the app stored doses before issue 15."""
    sid = store.start_session(NewSession("KL-16", IV_KETAMINE, "AB")).id
    store.add_event(sid, "dose", "AB", {**IV_DOSE, "dose": 0.5})
    return sid


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_summary_carries_the_amount_with_the_weight_it_used(
    store: SessionStore, clock: ManualClock
) -> None:
    [dose] = load_summary(store, iv_session(store, clock), clock.now()).doses
    assert dose.amount is not None
    assert (dose.amount.mg, dose.amount.weight_kg, dose.amount.volume_ml) == (36.25, 72.5, 36.3)
    assert dose.amount.text == SHOWN


def test_the_summary_document_on_screen_shows_the_amount(
    store: SessionStore, clock: ManualClock
) -> None:
    html = dose_html(load_summary(store, iv_session(store, clock), clock.now()))
    assert f"Ketamine {SHOWN}, IV infusion, lot K-77" in html


def test_the_pdf_shows_the_dose_in_mg_and_ml_with_the_weight(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    path = render_pdf(
        load_summary(store, iv_session(store, clock), clock.now()), tmp_path / "s.pdf"
    )
    text = _flat(" ".join(pdf_pages(path)))
    assert f"Ketamine {SHOWN}, IV" in text and "infusion, lot K-77" in text  # a cell wraps


def test_the_pdf_of_a_dose_stored_without_weight_says_mg_was_not_computed(
    qapp, store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    path = render_pdf(
        load_summary(store, legacy_dose(store, clock), clock.now()), tmp_path / "s.pdf"
    )
    assert "Ketamine 0.5 mg/kg (mg not computed: no weight)" in _flat(" ".join(pdf_pages(path)))


def _event_rows(store: SessionStore, sid: int, tmp_path: Path) -> list[dict[str, str]]:
    write_csv(SessionRecord.load(store, sid), tmp_path / "visit.csv")
    with events_path_for(tmp_path / "visit.csv").open(encoding=ENCODING, newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_events_csv_has_the_dose_in_mg_the_weight_and_the_volume(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    [row] = _event_rows(store, iv_session(store, clock), tmp_path)
    assert (row["dose_mg"], row["weight_kg"], row["volume_ml"], row["concentration_mg_ml"]) == (
        "36.25",
        "72.5",
        "36.3",
        "1",
    )
    assert SHOWN in row["description"]
    assert json.loads(row["details_json"])["weight_kg"] == 72.5


def test_the_events_csv_leaves_mg_empty_when_it_could_not_be_computed(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    [row] = _event_rows(store, legacy_dose(store, clock), tmp_path)
    assert (row["dose_mg"], row["weight_kg"], row["volume_ml"]) == ("", "", "")
    assert "mg not computed: no weight" in row["description"]


def _administration(store: SessionStore, sid: int, clock: ManualClock):
    parsed = Bundle.model_validate(bundle(SessionRecord.load(store, sid), clock.now()))
    [given] = [
        e.resource
        for e in parsed.entry
        if e.resource.__resource_type__ == "MedicationAdministration"
    ]
    return given


def test_fhir_gives_the_dose_in_mg_when_computed(store: SessionStore, clock: ManualClock) -> None:
    given = _administration(store, iv_session(store, clock), clock)
    dose = given.dosage.dose
    assert (dose.value, dose.unit, dose.system, dose.code) == (36.25, "mg", UCUM, "mg")
    assert given.dosage.text == SHOWN


def test_fhir_keeps_the_mg_per_kg_dose_when_mg_is_not_known(
    store: SessionStore, clock: ManualClock
) -> None:
    given = _administration(store, legacy_dose(store, clock), clock)
    assert (given.dosage.dose.value, given.dosage.dose.code) == (0.5, "mg/kg")
    assert given.dosage.text == "0.5 mg/kg (mg not computed: no weight)"
