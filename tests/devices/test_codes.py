"""The alias table (devices/codes.toml) read through devices.codes: codes and units."""

from __future__ import annotations

from pathlib import Path

import pytest

from session_app.devices.codes import CodeTable, CodeTableError, load_codes
from session_app.devices.samples import MEASURES


@pytest.fixture(scope="module")
def codes() -> CodeTable:
    return load_codes()


@pytest.mark.parametrize(
    ("identifier", "text", "system", "measure", "label"),
    [
        ("150021", "MDC_PRESS_BLD_NONINV_SYS", "MDC", "systolic", "MDC 150021"),
        ("150022", "MDC_PRESS_BLD_NONINV_DIA", "MDC", "diastolic", "MDC 150022"),
        ("150023", "MDC_PRESS_BLD_NONINV_MEAN", "MDC", "mean_bp", "MDC 150023"),
        ("150301", "", "MDC", "systolic", "MDC 150301"),
        ("150302", "", "MDC", "diastolic", "MDC 150302"),
        ("150303", "", "MDC", "mean_bp", "MDC 150303"),
        ("150456", "MDC_PULS_OXIM_SAT_O2", "MDC", "spo2", "MDC 150456"),
        ("149530", "", "MDC", "heart_rate", "MDC 149530"),
        ("149546", "", "MDC", "heart_rate", "MDC 149546"),
        ("147842", "MDC_ECG_HEART_RATE", "MDC", "heart_rate", "MDC 147842"),
        ("151562", "", "MDC", "resp_rate", "MDC 151562"),
        ("151578", "", "MDC", "resp_rate", "MDC 151578"),
        ("150344", "MDC_TEMP", "MDC", "temperature_c", "MDC 150344"),
        # the REFID alone, in either component
        ("", "MDC_PULS_OXIM_SAT_O2", "MDC", "spo2", "MDC 150456"),
        ("MDC_RESP_RATE", "", "MDC", "resp_rate", "MDC 151562"),
        # LOINC (DESIGN.md §3), under either name of the system
        ("8480-6", "Systolic blood pressure", "LN", "systolic", "LOINC 8480-6"),
        ("8462-4", "", "LN", "diastolic", "LOINC 8462-4"),
        ("8867-4", "Heart rate", "LN", "heart_rate", "LOINC 8867-4"),
        ("9279-1", "", "LOINC", "resp_rate", "LOINC 9279-1"),
        ("2708-6", "", "LN", "spo2", "LOINC 2708-6"),
        ("59408-5", "", "LN", "spo2", "LOINC 59408-5"),
        ("8310-5", "", "LN", "temperature_c", "LOINC 8310-5"),
        # Philips MDIL: the label in component 2 or alone, and the numeric MDIL form
        ("", "NBPs", "MDIL", "systolic", "MDIL NBPs"),
        ("", "NBPd", "MDIL", "diastolic", "MDIL NBPd"),
        ("", "NBPm", "MDIL", "mean_bp", "MDIL NBPm"),
        ("", "SpO2", "MDIL", "spo2", "MDIL SpO2"),
        ("Pulse", "", "", "heart_rate", "MDIL Pulse"),
        ("HR", "", "", "heart_rate", "MDIL HR"),
        ("RR", "", "", "resp_rate", "MDIL RR"),
        ("0002-4a05", "NBPs", "MDIL", "systolic", "MDC 150021"),
        ("0002-4bb8", "", "MDIL", "spo2", "MDC 150456"),
        # no coding system given: a known MDC number is still read as MDC
        ("150456", "", "", "spo2", "MDC 150456"),
    ],
)
def test_each_code_of_the_table_maps_to_its_measure(
    codes: CodeTable, identifier: str, text: str, system: str, measure: str, label: str
) -> None:
    assert codes.measure_for(identifier, text, system) == (measure, label)


@pytest.mark.parametrize(
    ("identifier", "text", "system"),
    [
        ("150037", "MDC_PRESS_BLD_ART_ABP_SYS", "MDC"),  # invasive BP: not a vitals check
        ("85354-9", "Blood pressure panel", "LN"),  # a panel, no value of its own
        ("8480-6", "", "MDC"),  # a LOINC code claimed as MDC is not guessed at
        ("Temp", "", "MDIL"),
        ("", "", ""),
    ],
)
def test_an_unknown_code_maps_to_nothing(
    codes: CodeTable, identifier: str, text: str, system: str
) -> None:
    assert codes.measure_for(identifier, text, system) is None


@pytest.mark.parametrize(
    ("measure", "value", "unit_id", "unit_text", "expected"),
    [
        ("systolic", 142.0, "266016", "MDC_DIM_MMHG", (142.0, "mmHg")),
        ("systolic", 142.0, "mm[Hg]", "", (142.0, "mmHg")),
        ("systolic", 18.9, "265987", "MDC_DIM_KILO_PASCAL", (141.8, "mmHg")),
        ("diastolic", 11.7, "kPa", "", (87.8, "mmHg")),
        ("spo2", 97.0, "262688", "MDC_DIM_PERCENT", (97.0, "%")),
        ("heart_rate", 80.0, "264864", "MDC_DIM_BEAT_PER_MIN", (80.0, "/min")),
        ("heart_rate", 80.0, "{beats}/min", "", (80.0, "/min")),
        ("resp_rate", 14.0, "/min", "", (14.0, "/min")),
        ("temperature_c", 36.8, "268192", "MDC_DIM_DEGC", (36.8, "°C")),
        ("temperature_c", 36.8, "Cel", "", (36.8, "°C")),
        ("temperature_c", 98.6, "[degF]", "", (37.0, "°C")),
        ("temperature_c", 98.6, "266560", "MDC_DIM_FAHR", (37.0, "°C")),
        # a code this table lacks, with a REFID it knows in component 2
        ("temperature_c", 98.6, "268224", "MDC_DIM_FAHR", (37.0, "°C")),
        # no unit: the measure's own
        ("spo2", 97.0, "", "", (97.0, "%")),
    ],
)
def test_units_are_converted_to_the_measures_unit(
    codes: CodeTable,
    measure: str,
    value: float,
    unit_id: str,
    unit_text: str,
    expected: tuple[float, str],
) -> None:
    converted = codes.convert(measure, value, unit_id, unit_text)
    assert converted is not None
    assert (round(converted[0], 1), converted[1]) == expected


@pytest.mark.parametrize(
    ("measure", "unit_id"),
    [("spo2", "266016"), ("systolic", "%"), ("heart_rate", "Cel"), ("systolic", "furlong")],
)
def test_a_unit_that_does_not_fit_the_measure_is_refused(
    codes: CodeTable, measure: str, unit_id: str
) -> None:
    assert codes.convert(measure, 1.0, unit_id, "") is None


def test_the_table_covers_every_measure_and_no_other(codes: CodeTable) -> None:
    assert set(codes.canonical_units) == set(MEASURES)


def test_a_table_naming_an_unknown_measure_is_refused_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "codes.toml"
    text = (Path(__file__).parents[2] / "session_app/devices/codes.toml").read_text("utf-8")
    bad.write_text(text.replace('"8867-4" = "heart_rate"', '"8867-4" = "hart_rate"'), "utf-8")
    with pytest.raises(CodeTableError, match="hart_rate"):
        load_codes(bad)
