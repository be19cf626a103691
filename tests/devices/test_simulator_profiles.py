"""Each vendor profile writes ORU^R01 messages that python-hl7 reads back, with that
vendor's codes and units, the value's time with its offset, and a unique MSH-10."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import hl7
import pytest

from session_app.devices.profiles import (
    PROFILES,
    MessageContext,
    build_oru,
    field_problem,
    session_messages,
)
from session_app.devices.simulator import NibpReading, Numerics, SessionPlan, session_events

AT = datetime(2026, 12, 1, 9, 15, 0, tzinfo=timezone(timedelta(hours=1)))
STAMP = "20261201091500+0100"
NIBP = NibpReading(at_s=900, systolic=142, diastolic=88, mean=106, pulse_rate=80)
NUMERICS = Numerics(
    at_s=900, heart_rate=80, pulse_rate=79, spo2=97, resp_rate=14, perfusion_index=3.1
)
CONTEXT = MessageContext(patient_id="P-17", observed_at=AT, control_id="CTL000001", bed="Chair 2")

# (code, unit code) each profile puts on each measure, from its public document.
NIBP_CODES = {
    "ge": {
        "150021": ("266016", 142),
        "150022": ("266016", 88),
        "150023": ("266016", 106),
        "149546": ("264864", 80),
    },
    "mindray": {
        "150301": ("266016", 142),
        "150302": ("266016", 88),
        "150303": ("266016", 106),
        "149546": ("264864", 80),
    },
    "philips": {
        "0002-4a05": ("0004-0f20", 142),
        "0002-4a06": ("0004-0f20", 88),
        "0002-4a07": ("0004-0f20", 106),
    },
}
NUMERIC_CODES = {
    "ge": {
        "147842": ("264864", 80),
        "149530": ("264864", 79),
        "150456": ("262688", 97),
        "151562": ("264928", 14),
    },
    "mindray": {
        "147842": ("264864", 80),
        "149530": ("264864", 79),
        "150456": ("262688", 97),
        "151562": ("264928", 14),
    },
    "philips": {
        "0002-4182": ("0004-0aa0", 80),
        "0002-480a": ("0004-0aa0", 79),
        "0002-4bb8": ("0004-0220", 97),
        "0002-5000": ("0004-0ae0", 14),
    },
}
CODE_SYSTEM = {"ge": "MDC", "mindray": "MDC", "philips": "MDIL"}


def _time_of(message: hl7.Message, obx: hl7.Segment) -> str:
    """The value's time as the listener reads it: OBX-14, else OBR-7, else MSH-7."""
    for segment, number in ((obx, 14), (message.segment("OBR"), 7), (message.segment("MSH"), 7)):
        if len(segment) > number and str(segment[number]):
            return str(segment[number])
    return ""


def _values(text: str) -> dict[str, tuple[str, float, str, str]]:
    """code -> (unit code, value, code system, time) for each OBX that carries a value."""
    message = hl7.parse(text)
    found = {}
    for obx in message.segments("OBX"):
        if str(obx[5]):
            code, unit = obx[3][0], obx[6][0]
            found[str(code[0])] = (
                str(unit[0]),
                float(str(obx[5])),
                str(code[2]),
                _time_of(message, obx),
            )
    return found


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_an_nibp_message_parses_with_the_vendor_codes_units_and_time(profile: str) -> None:
    text = build_oru(profile, NIBP, CONTEXT)
    message = hl7.parse(text)
    assert str(message.segment("MSH")[9]).startswith("ORU^R01")
    assert str(message.segment("MSH")[10]) == "CTL000001"
    assert message["PID.F3.R1.C1"] == "P-17"
    assert message["PV1.F3.R1.C3"] == "Chair 2"
    values = _values(text)
    for code, (unit, value) in NIBP_CODES[profile].items():
        assert values[code][:3] == (unit, value, CODE_SYSTEM[profile]), code
        assert values[code][3] == STAMP, code


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_numerics_message_carries_hr_pulse_spo2_and_rr(profile: str) -> None:
    values = _values(build_oru(profile, NUMERICS, CONTEXT))
    expected = NUMERIC_CODES[profile]
    assert {code: values[code][:2] for code in expected} == expected
    assert {values[code][3] for code in expected} == {STAMP}


def test_the_philips_profile_uses_the_mdil_labels() -> None:
    message = hl7.parse(build_oru("philips", NIBP, CONTEXT))
    labels = {str(obx[3][0][1]) for obx in message.segments("OBX")}
    assert {"NBPs", "NBPd"} <= labels
    labels = {
        str(obx[3][0][1])
        for obx in hl7.parse(build_oru("philips", NUMERICS, CONTEXT)).segments("OBX")
    }
    assert {"SpO2", "Pulse", "RR", "HR"} <= labels


def test_ge_and_mindray_say_they_follow_ihe_pcd_01() -> None:
    for profile in ("ge", "mindray"):
        msh = hl7.parse(build_oru(profile, NIBP, CONTEXT)).segment("MSH")
        assert str(msh[12]) == "2.6"
        assert "1.3.6.1.4.1.19376.1.6.1.1.1" in str(msh[21])  # the PCD-01 profile OID


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_whole_session_parses_with_unique_control_ids_and_wall_clock_times(profile: str) -> None:
    events = session_events(SessionPlan(duration_min=6))
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    outgoing = list(session_messages(profile, events, patient_id="P-17", start=start, speed=10))
    assert len(outgoing) == len(events)
    ids = [str(hl7.parse(o.text).segment("MSH")[10]) for o in outgoing]
    assert ids == [o.control_id for o in outgoing]
    assert len(set(ids)) == len(ids)
    assert all(len(i) <= 20 for i in ids)  # ST 20 in HL7 2.4 (Philips)
    # --speed 10: an event 10 simulated minutes in is stamped 1 minute after the start
    last = outgoing[-1]
    assert last.observed_at == start + timedelta(seconds=last.at_s / 10)
    assert [o.nibp for o in outgoing if o.nibp] == [e for e in events if isinstance(e, NibpReading)]


def test_two_runs_do_not_reuse_control_ids() -> None:
    events = session_events(SessionPlan(duration_min=1))
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    first = list(session_messages("ge", events, patient_id="P", start=start, speed=1))
    again = session_messages(
        "ge", events, patient_id="P", start=start + timedelta(seconds=1), speed=1
    )
    assert not {o.control_id for o in first} & {o.control_id for o in again}


@pytest.mark.parametrize("text", ["a|b", "a^b", "a~b", "a\\b", "a&b", "a\rb", "", " "])
def test_text_that_would_break_the_message_structure_is_refused(text: str) -> None:
    assert field_problem(text)


def test_an_ordinary_patient_id_is_fine() -> None:
    assert field_problem("KET-2026-0042") == ""
