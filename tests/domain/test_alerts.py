"""Every alert rule at, just below and just above its threshold; BP rise over baseline."""

from __future__ import annotations

import pytest

from session_app.domain.alerts import AlertFinding, Severity, evaluate
from session_app.domain.protocols import Thresholds
from session_app.domain.vitals import VitalSigns

T = Thresholds()

# (measure, value, expected rule or None, severity)
ABSOLUTE_CASES = [
    ("systolic", 179, None, None),
    ("systolic", 180, "sys_high", Severity.HIGH),
    ("systolic", 181, "sys_high", Severity.HIGH),
    ("diastolic", 109, None, None),
    ("diastolic", 110, "dia_high", Severity.HIGH),
    ("diastolic", 111, "dia_high", Severity.HIGH),
    ("heart_rate", 49, "hr_low", Severity.ALERT),
    ("heart_rate", 50, None, None),
    ("heart_rate", 51, None, None),
    ("heart_rate", 129, None, None),
    ("heart_rate", 130, None, None),
    ("heart_rate", 131, "hr_high", Severity.ALERT),
    ("spo2", 91, "spo2_low", Severity.ALERT),
    ("spo2", 92, None, None),
    ("spo2", 93, None, None),
    ("resp_rate", 9, "rr_low", Severity.ALERT),
    ("resp_rate", 10, None, None),
    ("resp_rate", 11, None, None),
    ("resp_rate", 29, None, None),
    ("resp_rate", 30, None, None),
    ("resp_rate", 31, "rr_high", Severity.ALERT),
    ("moaas", 3, None, None),
    ("moaas", 2, "moaas_alert", Severity.ALERT),
    ("moaas", 1, "moaas_alert", Severity.ALERT),
    ("moaas", 0, "moaas_urgent", Severity.URGENT),
]


@pytest.mark.parametrize(("measure", "value", "rule", "severity"), ABSOLUTE_CASES)
def test_absolute_rule_at_and_around_its_threshold(
    measure: str, value: int, rule: str | None, severity: Severity | None
) -> None:
    findings = evaluate(VitalSigns(**{measure: value}), T)
    if rule is None:
        assert findings == []
    else:
        assert [(f.rule, f.severity, f.measure, f.value) for f in findings] == [
            (rule, severity, measure, value)
        ]


@pytest.mark.parametrize(
    ("measure", "value", "advisory"),
    [
        ("systolic", 139, False),
        ("systolic", 140, False),
        ("systolic", 141, True),
        ("diastolic", 89, False),
        ("diastolic", 90, False),
        ("diastolic", 91, True),
    ],
)
def test_predose_consider_delaying_is_strictly_above_140_90(
    measure: str, value: int, advisory: bool
) -> None:
    findings = evaluate(VitalSigns(**{measure: value}), T, before_dose=True)
    assert [f.severity for f in findings] == ([Severity.ADVISORY] if advisory else [])
    if advisory:
        limit = 140 if measure == "systolic" else 90
        assert findings[0].message == (
            f"{'Systolic' if measure == 'systolic' else 'Diastolic'} BP {value} mmHg before "
            f"dosing is above {limit} mmHg: consider delaying the dose"
        )
    # after the dose the advisory does not apply
    assert evaluate(VitalSigns(**{measure: value}), T) == []


def test_very_high_bp_before_dosing_is_both_high_and_advisory() -> None:
    findings = evaluate(VitalSigns(systolic=185, diastolic=95), T, before_dose=True)
    assert [(f.severity, f.rule) for f in findings] == [
        (Severity.HIGH, "sys_high"),
        (Severity.ADVISORY, "predose_sys_delay"),
        (Severity.ADVISORY, "predose_dia_delay"),
    ]


BASELINE = VitalSigns(systolic=120, diastolic=80, heart_rate=70)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "rules"),
    [
        (159, 104, []),
        (160, 104, ["sys_rise"]),
        (161, 104, ["sys_rise"]),
        (159, 105, ["dia_rise"]),
        (159, 106, ["dia_rise"]),
        (170, 110, ["dia_high", "sys_rise", "dia_rise"]),
    ],
)
def test_bp_rise_over_baseline(systolic: int, diastolic: int, rules: list[str]) -> None:
    findings = evaluate(VitalSigns(systolic=systolic, diastolic=diastolic), T, BASELINE)
    assert [f.rule for f in findings] == rules


def test_rise_message_says_value_size_baseline_and_rule() -> None:
    (finding,) = evaluate(VitalSigns(systolic=162, diastolic=90), T, BASELINE)
    assert finding.message == (
        "Systolic BP 162 mmHg is 42 mmHg above baseline 120 mmHg (rise of 40 mmHg or more)"
    )


def test_no_rise_without_a_baseline_value_or_before_the_dose() -> None:
    high = VitalSigns(systolic=170, diastolic=108)
    assert evaluate(high, T, VitalSigns(heart_rate=70)) == []
    assert evaluate(high, T, BASELINE, before_dose=True) == [
        AlertFinding(
            Severity.ADVISORY,
            "predose_sys_delay",
            "systolic",
            170,
            "Systolic BP 170 mmHg before dosing is above 140 mmHg: consider delaying the dose",
        ),
        AlertFinding(
            Severity.ADVISORY,
            "predose_dia_delay",
            "diastolic",
            108,
            "Diastolic BP 108 mmHg before dosing is above 90 mmHg: consider delaying the dose",
        ),
    ]


def test_messages_name_the_value_and_the_rule() -> None:
    findings = evaluate(VitalSigns(heart_rate=134, spo2=90, resp_rate=8, moaas=0), T)
    assert [f.message for f in findings] == [
        "Sedation (MOAA/S) 0: no response, the lowest level",
        "Heart rate 134 /min is above 130 /min",
        "SpO2 90 % is below 92 %",
        "Respiratory rate 8 /min is below 10 /min",
    ]
    assert findings[0].severity is Severity.URGENT


def test_clinic_thresholds_are_used() -> None:
    strict = Thresholds(hr_high=110, moaas_alert=3, sys_rise=30)
    findings = evaluate(
        VitalSigns(heart_rate=111, moaas=3, systolic=150, diastolic=80), strict, BASELINE
    )
    assert {f.rule for f in findings} == {"hr_high", "moaas_alert", "sys_rise"}


def test_normal_signs_raise_nothing() -> None:
    normal = VitalSigns(systolic=125, diastolic=78, heart_rate=72, spo2=98, resp_rate=14, moaas=5)
    assert evaluate(normal, T, BASELINE) == []
    assert evaluate(VitalSigns(), T, BASELINE, before_dose=True) == []


def test_severity_is_ordered_and_stored_as_text() -> None:
    assert Severity.ADVISORY < Severity.ALERT < Severity.HIGH < Severity.URGENT
    assert max([Severity.ALERT, Severity.URGENT, Severity.HIGH]) is Severity.URGENT
    assert sorted([Severity.URGENT, Severity.ADVISORY, Severity.HIGH]) == [
        Severity.ADVISORY,
        Severity.HIGH,
        Severity.URGENT,
    ]
    assert Severity("high") is Severity.HIGH and Severity.HIGH == "high"
    assert Severity.URGENT >= Severity.URGENT and not Severity.ALERT > Severity.HIGH
