"""The REMS patient monitoring form: complete for a complete session, gaps named otherwise."""

from __future__ import annotations

from session_app.domain.clock import ManualClock
from session_app.domain.summary import load_summary
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session

# What the shared seed predates (issue 15; tests/domain/test_rems_form.py fills them):
NEW_IN_THE_FORM = {
    "Healthcare setting name",
    "Healthcare setting REMS ID",
    "Prescriber",
    "Healthcare provider completing the form",
}


def test_complete_session_fills_every_field(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_rems_session(store, clock)
    form = load_summary(store, sid, clock.now()).rems
    assert form is not None
    assert set(form.missing) == NEW_IN_THE_FORM
    values = {f.key: f.value for f in form.fields}
    assert values["dose"] == "84 mg"
    assert values["lot"] == "LOT-2217A"
    assert values["concomitant_psychostimulants"] == "Yes"
    assert values["concomitant_benzodiazepines"] == "No"
    assert values["bp_predose"] == "128/82 mmHg"
    assert values["bp_40min"] == "176/104 mmHg"
    assert values["bp_before_leaving"] == "134/84 mmHg"
    assert values["sedation"] == "Yes"  # MOAA/S 4 after the dose
    assert values["dissociation"] == "Yes"
    assert values["resp_depression"] == "No"  # the SpO2 79 was corrected to 97
    assert values["monitoring_min"] == "125 min"
    assert values["first_treatment"] == "Yes"
    assert values["vitals_ok_predose"] == "Yes" and values["vitals_ok_leaving"] == "Yes"
    assert values["serious_ae"] == "No"
    assert "MOAA/S 4" in form.field("sedation").source


def test_incomplete_session_lists_what_is_missing(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_rems_session(store, clock, complete=False)
    form = load_summary(store, sid, clock.now()).rems
    assert form is not None and not form.complete
    assert set(form.missing) == NEW_IN_THE_FORM | {
        "Lot number",
        "Concomitant medicines: Benzodiazepines",
        "Concomitant medicines: Non-benzodiazepine sedative-hypnotics",
        "Concomitant medicines: Psychostimulants",
        "Concomitant medicines: MAOIs",
        "Concomitant medicines: Opioids",
        "BP about 40 min after dosing",
        "BP before leaving",  # it needs the ~40 min reading first
        "Vital signs acceptable before dosing",
        "Vital signs acceptable before leaving",
        "Patient ready to leave at",
        "Serious adverse events",
    }


def test_open_session_misses_the_end_items(store: SessionStore, clock: ManualClock) -> None:
    sid = seed_rems_session(store, clock, end=False)
    form = load_summary(store, sid, clock.now()).rems
    assert form is not None
    assert "Total monitoring time" in form.missing
    assert "Patient ready to leave at" in form.missing
    assert "Dose" not in form.missing


def test_a_serious_adverse_event_is_reported_with_its_text(
    store: SessionStore, clock: ManualClock
) -> None:
    sid = seed_rems_session(store, clock, end=False)
    store.add_event(
        sid, "adverse_event", "AB", {"type": "other", "text": "syncope", "serious": True}
    )
    form = load_summary(store, sid, clock.now()).rems
    assert form is not None
    assert form.field("serious_ae").value == "Yes: syncope"
