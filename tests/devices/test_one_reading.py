"""One reading, one heart rate (issue 17): a monitor reports the heart rate several ways at
once (the ECG's and the oximeter's pulse rate, GE's and Mindray's shape), and its cuff's
pulse with each NIBP. Every value is stored; the trace, the summary's min/max and the
sustained rule follow one per reading, and never the cuff's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from session_app.devices.codes import continuous_values
from session_app.devices.trace_summary import summarise
from session_app.trends import trace_series

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ECG, PULSE, CUFF_PULSE, SPO2 = "MDC 147842", "MDC 149530", "MDC 149546", "MDC 150456"


@dataclass(frozen=True)
class Value:
    measure: str
    value: float
    code: str
    observed_at: datetime
    device: str = "GE^B40"
    implausible: bool = False


def second(
    s: int, hr: float, pulse: float, spo2: float = 97, device: str = "GE^B40"
) -> list[Value]:
    at = T0 + timedelta(seconds=s)
    return [
        Value("heart_rate", hr, ECG, at, device),
        Value("spo2", spo2, SPO2, at, device),
        Value("heart_rate", pulse, PULSE, at, device),
    ]


def test_of_a_readings_heart_rates_the_ecgs_is_followed_and_other_measures_stay() -> None:
    kept = continuous_values(second(0, 73, 75))
    assert [(v.measure, v.code) for v in kept] == [("heart_rate", ECG), ("spo2", SPO2)]


def test_the_order_of_the_codes_in_a_message_does_not_matter() -> None:
    pulse_first = list(reversed(second(0, 73, 75)))
    assert [v.code for v in continuous_values(pulse_first)] == [SPO2, ECG]


def test_an_implausible_ecg_value_leaves_the_pulse_rate_of_that_reading() -> None:
    at = T0
    values = [Value("heart_rate", 0, ECG, at, implausible=True), Value("heart_rate", 74, PULSE, at)]
    assert continuous_values(values) == [values[1]]


def test_other_devices_and_other_times_are_readings_of_their_own() -> None:
    oximeter = [Value("heart_rate", 70, "NONIN HR", T0, "/dev/ttyUSB0")]
    later = second(1, 74, 76)
    values = second(0, 73, 75) + oximeter + later
    assert [v.value for v in continuous_values(values) if v.measure == "heart_rate"] == [
        73,
        70,
        74,
    ]


def test_the_cuffs_pulse_is_a_spot_value_not_followed_even_alone() -> None:
    """It comes with the NIBP set, at the NIBP's time, after later seconds' numerics."""
    cuff = Value("heart_rate", 81, CUFF_PULSE, T0 + timedelta(milliseconds=500))
    assert continuous_values([*second(0, 73, 75), cuff]) == continuous_values(second(0, 73, 75))


def test_the_heart_rate_trace_has_one_value_a_second() -> None:
    values = [v for s in range(60) for v in second(s, 70 + s % 2, 90)]
    xs, ys = trace_series(values, T0)["heart_rate"]
    assert len(xs) == 60
    assert set(ys) == {70.0, 71.0}  # the ECG's: no zigzag to the pulse rate's 90


def test_the_summary_counts_one_heart_rate_a_second() -> None:
    values = [v for s in range(60) for v in second(s, 72, 90)]
    [hr, spo2] = summarise(values, T0)
    assert (hr.measure, hr.low, hr.high, hr.count) == ("heart_rate", 72, 72, 60)
    assert spo2.count == 60
