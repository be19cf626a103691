"""ORU^R01 to device samples (devices.oru) on GE, Mindray and Philips shaped messages,
parsed by the real python-hl7."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from session_app.devices.oru import (
    MalformedMessage,
    OruMessage,
    UnsupportedMessage,
    build_ack,
    map_oru,
    parse_message,
)
from tests.devices import messages

PARIS = ZoneInfo("Europe/Paris")


def read(text: str) -> OruMessage:
    return map_oru(parse_message(text), PARIS)


def values(oru: OruMessage) -> dict[str, float]:
    return {v.sample.measure: v.sample.value for v in oru.values}


def test_a_ge_message_gives_its_ids_and_every_numeric_value() -> None:
    oru = read(messages.ge())
    assert oru.control_id == "GE0001"
    assert oru.sender == "GE_CARESCAPE^00A0D9FFFE123456^EUI-64/GE_GATEWAY"
    assert oru.patient_ids == ("JD",)
    assert oru.bed == "KET^^CHAIR3"
    assert values(oru) == {
        "systolic": 142,
        "diastolic": 88,
        "mean_bp": 106,
        "heart_rate": 80,
        "spo2": 97,
        "resp_rate": 14,
    }
    systolic = oru.values[0].sample
    assert systolic.code == "MDC 150021"
    assert systolic.unit == "mmHg"
    assert systolic.source == "hl7"
    assert {v.sample.device for v in oru.values} == {"00A0D9FFFE123456^GE^00A0D9FFFE123456^EUI-64"}
    # OBX-14 with its offset, kept as the same moment
    assert systolic.observed_at == datetime(2026, 1, 5, 9, 14, 30, tzinfo=UTC)
    assert {v.group for v in oru.values} == {1}
    # the MDS row carries no value: set aside, not an unknown code
    assert [(i.obx, i.reason) for i in oru.ignored] == [("1", "no numeric value")]


def test_without_obx_14_the_time_is_obr_7_then_msh_7() -> None:
    oru = read(messages.ge())
    heart_rate = next(v.sample for v in oru.values if v.sample.measure == "heart_rate")
    assert heart_rate.observed_at == datetime(2026, 1, 5, 9, 15, tzinfo=UTC)  # OBR-7
    no_obr_time = (
        messages.ge()
        .replace(
            "182777000^monitoring of patient^SCT|||20260105101500+0100",
            "182777000^monitoring of patient^SCT|||",
        )
        .replace("20260105101500+0100||ORU", "20260105101600+0100||ORU")
    )
    later = {v.sample.measure: v.sample for v in read(no_obr_time).values}
    assert later["heart_rate"].observed_at == datetime(2026, 1, 5, 9, 16, tzinfo=UTC)  # MSH-7


def test_a_mindray_message_in_kpa_and_local_time_without_offset() -> None:
    oru = read(messages.mindray())
    got = values(oru)
    assert round(got["systolic"], 1) == 141.8
    assert round(got["diastolic"], 1) == 87.8
    assert got["heart_rate"] == 72
    assert round(got["temperature_c"], 1) == 37.0
    first = oru.values[0].sample
    assert first.unit == "mmHg" and first.code == "MDC 150301"
    # no offset: the room's zone (Paris, winter: UTC+1)
    assert first.observed_at == datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    # no OBX-18: the device is the sender
    assert first.device == "BeneVision^MINDRAY/ROOM3"
    assert [(i.obx, i.code, i.reason) for i in oru.ignored] == [
        ("4", "99MNDRY 153", "unknown code")
    ]


def test_the_rooms_zone_decides_an_offsetless_time_in_summer_too() -> None:
    oru = read(messages.mindray(time="20260705101500"))
    assert oru.values[0].sample.observed_at == datetime(2026, 7, 5, 8, 15, tzinfo=UTC)


def test_a_philips_message_with_mdil_labels_and_two_patient_ids() -> None:
    oru = read(messages.philips())
    assert oru.patient_ids == ("H-555", "JD")
    assert values(oru) == {
        "systolic": 138,
        "diastolic": 84,
        "mean_bp": 102,
        "heart_rate": 76,
        "spo2": 96,
        "resp_rate": 15,
    }
    by_measure = {v.sample.measure: v for v in oru.values}
    assert by_measure["systolic"].sample.code == "MDC 150021"  # 0002-4a05
    assert by_measure["diastolic"].sample.code == "MDIL NBPd"
    assert by_measure["systolic"].group == 1 and by_measure["spo2"].group == 2
    assert by_measure["systolic"].sample.device == "MX450^Philips"
    assert by_measure["systolic"].sample.observed_at == datetime(2026, 1, 5, 9, 14, tzinfo=UTC)
    assert by_measure["spo2"].sample.observed_at == datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    assert [(i.obx, i.reason) for i in oru.ignored] == [("4", "no numeric value")]


def test_an_unknown_code_is_logged_by_its_code_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="session_app.devices")
    read(messages.mindray())
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "99MNDRY 153" in logged
    assert "12" not in logged.replace("99MNDRY 153", "")  # not its value
    assert "JD" not in logged


def test_a_unit_that_does_not_fit_is_ignored_not_guessed() -> None:
    text = messages.ge().replace("97|262688^MDC_DIM_PERCENT^MDC", "97|266016^MDC_DIM_MMHG^MDC")
    oru = read(text)
    assert "spo2" not in values(oru)
    assert ("6", "MDC 150456", "unit 266016") in [(i.obx, i.code, i.reason) for i in oru.ignored]


def test_a_value_that_is_not_a_number_is_ignored() -> None:
    oru = read(messages.ge(systolic="1a2"))
    assert "systolic" not in values(oru)
    assert ("2", "MDC 150021", "no numeric value") in [
        (i.obx, i.code, i.reason) for i in oru.ignored
    ]


def test_another_offset_is_the_same_moment() -> None:
    oru = read(messages.ge(nibp_time="20260105041430-0500"))
    assert oru.values[0].sample.observed_at.astimezone(UTC) == datetime(
        2026, 1, 5, 9, 14, 30, tzinfo=UTC
    )
    assert oru.values[0].sample.observed_at.utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("hello world", "MSH"),
        ("", "MSH"),
        (messages.ge(control_id=""), "MSH-10"),
        (messages.ge(nibp_time="2026-01-05T10:14"), "OBX-14"),
        (messages.ge(nibp_time="2026"), "OBX-14"),
        (messages.ge(msh_time=""), "MSH-7"),
    ],
)
def test_a_malformed_message_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(MalformedMessage, match=why):
        read(text)


def test_a_message_other_than_oru_r01_is_unsupported() -> None:
    text = messages.ge().replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")
    with pytest.raises(UnsupportedMessage, match="ADT"):
        read(text)


def test_the_ack_echoes_msh_10_and_carries_the_code_and_a_text() -> None:
    message = parse_message(messages.ge())
    ack = parse_message(build_ack(message, "AR", "no open session"))
    assert ack["MSH.F9.R1.C1"] == "ACK"
    assert ack["MSA.F1"] == "AR"
    assert ack["MSA.F2"] == "GE0001"
    assert ack["MSA.F3"] == "no open session"
    assert ack["MSH.F5"] == "GE_CARESCAPE"  # back to the sender


def test_an_ack_can_be_made_for_a_short_msh() -> None:
    message = parse_message("MSH|^~\\&|MON||||20260105|||X9")
    ack = parse_message(build_ack(message, "AE", "malformed"))
    assert ack["MSA.F1"] == "AE"
    assert ack["MSA.F2"] == "X9"
