"""NEWS2 checked by hand against the RCP 2017 chart (DESIGN.md section 3), scale 1."""

from __future__ import annotations

from dataclasses import replace

import pytest

from session_app.domain.news2 import news2
from session_app.domain.vitals import VitalSigns

# All parameters present and scoring 0: RR 16, SpO2 97 on air, SYS 120, pulse 70,
# Alert (MOAA/S 5), 37.0 °C.
NORMAL = VitalSigns(
    resp_rate=16,
    spo2=97,
    on_oxygen=False,
    systolic=120,
    diastolic=80,
    heart_rate=70,
    moaas=5,
    temperature_c=37.0,
)


@pytest.mark.parametrize(
    ("field", "value", "part", "points"),
    [
        # respiration: ≤8:3, 9–11:1, 12–20:0, 21–24:2, ≥25:3
        ("resp_rate", 8, "resp_rate", 3),
        ("resp_rate", 9, "resp_rate", 1),
        ("resp_rate", 11, "resp_rate", 1),
        ("resp_rate", 12, "resp_rate", 0),
        ("resp_rate", 20, "resp_rate", 0),
        ("resp_rate", 21, "resp_rate", 2),
        ("resp_rate", 24, "resp_rate", 2),
        ("resp_rate", 25, "resp_rate", 3),
        # SpO2 scale 1: ≤91:3, 92–93:2, 94–95:1, ≥96:0
        ("spo2", 91, "spo2", 3),
        ("spo2", 92, "spo2", 2),
        ("spo2", 93, "spo2", 2),
        ("spo2", 94, "spo2", 1),
        ("spo2", 95, "spo2", 1),
        ("spo2", 96, "spo2", 0),
        # air or oxygen: oxygen 2
        ("on_oxygen", True, "on_oxygen", 2),
        # systolic: ≤90:3, 91–100:2, 101–110:1, 111–219:0, ≥220:3
        ("systolic", 90, "systolic", 3),
        ("systolic", 91, "systolic", 2),
        ("systolic", 100, "systolic", 2),
        ("systolic", 101, "systolic", 1),
        ("systolic", 110, "systolic", 1),
        ("systolic", 111, "systolic", 0),
        ("systolic", 219, "systolic", 0),
        ("systolic", 220, "systolic", 3),
        # pulse: ≤40:3, 41–50:1, 51–90:0, 91–110:1, 111–130:2, ≥131:3
        ("heart_rate", 40, "heart_rate", 3),
        ("heart_rate", 41, "heart_rate", 1),
        ("heart_rate", 50, "heart_rate", 1),
        ("heart_rate", 51, "heart_rate", 0),
        ("heart_rate", 90, "heart_rate", 0),
        ("heart_rate", 91, "heart_rate", 1),
        ("heart_rate", 110, "heart_rate", 1),
        ("heart_rate", 111, "heart_rate", 2),
        ("heart_rate", 130, "heart_rate", 2),
        ("heart_rate", 131, "heart_rate", 3),
        # consciousness: Alert 0; anything less than alert (MOAA/S < 5) is new C/V/P/U: 3
        ("moaas", 4, "consciousness", 3),
        ("moaas", 0, "consciousness", 3),
        # temperature: ≤35.0:3, 35.1–36.0:1, 36.1–38.0:0, 38.1–39.0:1, ≥39.1:2
        ("temperature_c", 35.0, "temperature", 3),
        ("temperature_c", 35.1, "temperature", 1),
        ("temperature_c", 36.0, "temperature", 1),
        ("temperature_c", 36.1, "temperature", 0),
        ("temperature_c", 38.0, "temperature", 0),
        ("temperature_c", 38.1, "temperature", 1),
        ("temperature_c", 39.0, "temperature", 1),
        ("temperature_c", 39.1, "temperature", 2),
    ],
)
def test_each_parameter_band_edge(field: str, value: object, part: str, points: int) -> None:
    score = news2(replace(NORMAL, **{field: value}))
    assert score.parts[part] == points
    assert score.total == points
    assert not score.partial


# Whole cases, each total worked out by hand from the chart.
@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        ({}, 0, "low"),
        # single 3 with total below 5: low-medium
        ({"resp_rate": 8}, 3, "low-medium"),
        # dissociation on ketamine: MOAA/S 4 scores consciousness 3
        ({"moaas": 4, "systolic": 150}, 3, "low-medium"),
        # ketamine BP rise to 200 scores nothing; SpO2 95 (1) + pulse 95 (1)
        ({"systolic": 200, "spo2": 95, "heart_rate": 95}, 2, "low"),
        # 2 + 2 = 4 without any 3: low
        ({"resp_rate": 21, "spo2": 93}, 4, "low"),
        # SpO2 93 (2) + oxygen (2) + pulse 52 (0) + 36.1 (0) = 4: low
        ({"spo2": 93, "on_oxygen": True, "heart_rate": 52, "temperature_c": 36.1}, 4, "low"),
        # RR 8 (3) + SpO2 94 (1) + SYS 109 (1) = 5: medium, not low-medium
        ({"resp_rate": 8, "spo2": 94, "systolic": 109}, 5, "medium"),
        # RR 22 (2) + SpO2 94 (1) + SYS 105 (1) + pulse 105 (1) + 38.5 (1) = 6: medium
        (
            {
                "resp_rate": 22,
                "spo2": 94,
                "systolic": 105,
                "heart_rate": 105,
                "temperature_c": 38.5,
            },
            6,
            "medium",
        ),
        # RR 25 (3) + SpO2 92 (2) + SYS 100 (2) = 7: high
        ({"resp_rate": 25, "spo2": 92, "systolic": 100}, 7, "high"),
        # everything at its worst: 3+3+2+3+3+3+3 = 20
        (
            {
                "resp_rate": 26,
                "spo2": 90,
                "on_oxygen": True,
                "systolic": 88,
                "diastolic": 50,
                "heart_rate": 135,
                "moaas": 3,
                "temperature_c": 35.0,
            },
            20,
            "high",
        ),
        # pulse 45 (1) + temperature 39.2 (2) + oxygen (2) = 5: medium
        ({"heart_rate": 45, "temperature_c": 39.2, "on_oxygen": True}, 5, "medium"),
    ],
)
def test_whole_cases(changes: dict[str, object], total: int, band: str) -> None:
    score = news2(replace(NORMAL, **changes))
    assert (score.total, score.band, score.partial) == (total, band, False)
    assert score.text == f"NEWS2 {total} ({band})"


def test_missing_parameters_make_a_partial_score() -> None:
    score = news2(VitalSigns(systolic=120, diastolic=80, heart_rate=70))
    assert score.partial
    assert score.total == 0
    assert score.missing == ("resp_rate", "spo2", "on_oxygen", "consciousness", "temperature")
    assert "partial" in score.text and "≥0" in score.text


def test_partial_score_counts_what_is_there_and_names_what_is_missing() -> None:
    score = news2(replace(NORMAL, temperature_c=None, resp_rate=8, on_oxygen=None))
    assert (score.total, score.band) == (3, "low-medium")
    assert score.missing == ("on_oxygen", "temperature")
    assert score.missing_labels == ("air or oxygen", "temperature")
    assert score.text == "NEWS2 ≥3 partial (low-medium; air or oxygen, temperature missing)"


def test_oxygen_not_recorded_is_missing_not_air() -> None:
    score = news2(replace(NORMAL, on_oxygen=None))
    assert score.partial and "on_oxygen" not in score.parts


def test_an_empty_check_is_entirely_partial() -> None:
    score = news2(VitalSigns(note="patient asleep", recorded_by="AB"))
    assert (score.total, score.parts, len(score.missing)) == (0, {}, 7)
