"""The serial pulse-oximeter line parsers (issue 17): Nonin ASCII and Masimo ASCII 1.

The lines are the layouts in the vendors' operator manuals (see devices/oximeter.py).
Each data line becomes samples in the canonical units, timed by the room's clock at
receipt; a line that is not one of the protocol's is garbled, and nothing raises.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_app.devices.oximeter import (
    OximeterPort,
    parse_line,
    parse_masimo,
    parse_nonin,
    parse_oximeter_option,
)
from session_app.devices.samples import MEASURES, DeviceSample

AT = datetime(2026, 1, 5, 9, 0, 7, tzinfo=UTC)
NONIN = "/dev/ttyUSB0:nonin"
MASIMO = "/dev/ttyS1:masimo"


def values(samples: tuple[DeviceSample, ...]) -> dict[str, float]:
    return {s.measure: s.value for s in samples}


def test_a_nonin_line_gives_spo2_and_heart_rate_in_canonical_units() -> None:
    parsed = parse_nonin("SPO2=097 HR=072", device=NONIN, at=AT)
    assert not parsed.garbled and not parsed.no_reading
    spo2, hr = parsed.samples
    assert spo2 == DeviceSample("spo2", 97, "%", "NONIN SPO2", NONIN, AT, "serial")
    assert hr == DeviceSample("heart_rate", 72, "/min", "NONIN HR", NONIN, AT, "serial")


@pytest.mark.parametrize(
    "line",
    [
        "SPO2=097 HR=072 F",  # fast-responding values (Avant 4000 / 9600, DIP switch 8 up)
        "SPO2=097 HR=072*",  # event marker
        "12:01:33 SPO2=097 HR=072",  # models with a clock (9847, 8600V)
        "12:01:33 SPO2=097 HR=072 B",  # breath detected (9847)
        "SPO2=097 HR=072\r",
    ],
)
def test_nonin_variants_from_the_manuals(line: str) -> None:
    assert values(parse_nonin(line, device=NONIN, at=AT).samples) == {
        "spo2": 97,
        "heart_rate": 72,
    }


def test_nonin_dashes_mean_no_reading_not_garbage() -> None:
    none = parse_nonin("SPO2=--- HR=---", device=NONIN, at=AT)
    assert none.samples == () and none.no_reading and not none.garbled
    half = parse_nonin("SPO2=--- HR=071", device=NONIN, at=AT)
    assert values(half.samples) == {"heart_rate": 71} and not half.no_reading


def test_a_masimo_ascii_1_line_from_a_rad_8() -> None:
    line = (
        "01/05/26 09:00:06 SN=0000093112 SPO2=097% BPM=072 DESAT=-- PIDELTA=+-- "
        "ALARM=0000 EXC=000800"
    )
    spo2, hr = parse_masimo(line, device=MASIMO, at=AT).samples
    assert spo2 == DeviceSample("spo2", 97, "%", "MASIMO SPO2", MASIMO, AT, "serial")
    assert hr == DeviceSample("heart_rate", 72, "/min", "MASIMO BPM", MASIMO, AT, "serial")


def test_a_masimo_ascii_1_line_from_a_radical_7_with_more_parameters() -> None:
    line = (
        "03/17/16 19:19:36 SN=---------- SPO2=098% BPM=123 PI=00.55 SPCO=--% SPMET=--.-% "
        "SPHB=--.- SPOC=-- RESVD=--- DESAT=-- PIDELTA=+-- PVI=--- ALARM=000000 "
        "EXC=0000C00 EXC1=00000000"
    )
    parsed = parse_masimo(line, device=MASIMO, at=AT)
    assert values(parsed.samples) == {"spo2": 98, "heart_rate": 123}  # low signal IQ: kept


@pytest.mark.parametrize(
    "line",
    [
        "05/15/07 08:12:21 SN=0000070986 SPO2=---% BPM=--- PI=--.--% ALARM=0000 EXC=000000",
        # sensor off the patient (0x020) and pulse search (0x008): whatever numbers the
        # line carries are not a reading
        "09/21/08 09:56:10 SN=0000093112 SPO2=097% BPM=069 ALARM=0000 EXC=000828",
        "09/21/08 09:56:11 SN=0000093112 SPO2=097% BPM=069 ALARM=0000 EXC=000001",
        # the manual's own sample: 000 with no exception is the blank after a sensor-off
        "09/21/08 09:56:18 SN=0000093112 SPO2=000% BPM=000 ALARM=0000 EXC=000800",
    ],
)
def test_masimo_no_value_and_sensor_exceptions_give_no_reading(line: str) -> None:
    parsed = parse_masimo(line, device=MASIMO, at=AT)
    assert parsed.samples == () and parsed.no_reading and not parsed.garbled


@pytest.mark.parametrize(
    "line",
    [
        "",
        "SPO2=097",
        "SPO2=97 HR=72",  # Nonin sends three characters
        "SPO2=097 HR=072 trailing words",
        "SP\x00O2=097 HR=072",
        "HR=072 SPO2=097",
        "SPO2=0x7 HR=072",
    ],
)
def test_garbled_nonin_lines_give_nothing(line: str) -> None:
    parsed = parse_nonin(line, device=NONIN, at=AT)
    assert parsed.samples == () and parsed.garbled == (line != "")


@pytest.mark.parametrize(
    "line",
    [
        "SPO2=097 HR=072",  # a Nonin line on a port set to Masimo
        "01/05/26 09:00:06 SN=1 BPM=072 EXC=000800",  # no SpO2 field
        "01/05/26 09:00:06 SN=1 SPO2=097% BPM=072 EXC=zz0800",
        "01/05/26 09:00:06 SN=1 SPO2=097% BPM=07x EXC=000800",
        "01/05/26 09:00:06 SN=1 SPO2=097% garbage BPM=072 EXC=000800",
        "1/5/26 09:00:06 SN=1 SPO2=097% BPM=072 EXC=000800",
    ],
)
def test_garbled_masimo_lines_give_nothing(line: str) -> None:
    parsed = parse_masimo(line, device=MASIMO, at=AT)
    assert parsed.samples == () and parsed.garbled


def test_parse_line_takes_raw_bytes_and_refuses_non_ascii() -> None:
    assert values(parse_line("nonin", b"SPO2=095 HR=080\r\n", device=NONIN, at=AT).samples)
    assert parse_line("nonin", b"SPO2=095 HR=\xff80\r\n", device=NONIN, at=AT).garbled
    assert parse_line("masimo", b"\r\n", device=MASIMO, at=AT) == parse_masimo(
        "", device=MASIMO, at=AT
    )


def test_the_time_is_the_rooms_clock_in_utc_and_must_be_aware() -> None:
    local = AT.astimezone(timezone(timedelta(hours=2)))
    (spo2, _) = parse_nonin("SPO2=097 HR=072", device=NONIN, at=local).samples
    assert spo2.observed_at == AT and spo2.observed_at.tzinfo is UTC
    with pytest.raises(ValueError, match="time zone"):
        parse_nonin("SPO2=097 HR=072", device=NONIN, at=datetime(2026, 1, 5, 9, 0))


@given(st.binary(max_size=300), st.sampled_from(["nonin", "masimo"]))
def test_no_bytes_make_a_parser_raise(raw: bytes, protocol: str) -> None:
    parsed = parse_line(protocol, raw, device="p", at=AT)
    assert all(s.measure in MEASURES for s in parsed.samples)


def test_the_oximeter_option_names_a_port_and_a_protocol() -> None:
    assert parse_oximeter_option("/dev/ttyUSB0:nonin") == OximeterPort("/dev/ttyUSB0", "nonin")
    assert parse_oximeter_option("COM3:Masimo") == OximeterPort("COM3", "masimo")
    assert OximeterPort("COM3", "masimo").device == "COM3:masimo"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("/dev/ttyUSB0", "is not PORT:PROTOCOL"),
        (":nonin", "is not PORT:PROTOCOL"),
        ("/dev/ttyUSB0:", "is not PORT:PROTOCOL"),
        ("/dev/ttyUSB0:philips", "'philips' is not a supported protocol (nonin or masimo)"),
        ("/dev/tty\x1b[31mX:nonin", "control character"),
    ],
)
def test_a_bad_oximeter_option_is_one_clear_sentence(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=r".*") as refused:
        parse_oximeter_option(text)
    assert words in str(refused.value)
    assert "\x1b" not in str(refused.value)
