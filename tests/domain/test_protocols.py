"""Protocol presets, their settings, and the snapshot that a session keeps."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from session_app.domain.protocols import (
    ESKETAMINE_REMS,
    IV_KETAMINE,
    PRESET_NAMES,
    Anchor,
    FixedCheck,
    Phase,
    Protocol,
    Thresholds,
    format_phases,
    parse_phases,
    preset,
)
from session_app.domain.settings import SETTINGS, registry, resolve_settings, validate_settings

UK_WARD = "every 15 min for 60 min, then every 30 min for 120 min, then every 60 min"


def test_threshold_defaults_are_design_values() -> None:
    t = Thresholds()
    assert (t.predose_sys_delay, t.predose_dia_delay) == (140, 90)
    assert (t.sys_high, t.dia_high, t.sys_rise, t.dia_rise) == (180, 110, 40, 25)
    assert (t.hr_low, t.hr_high, t.spo2_low, t.rr_low, t.rr_high) == (50, 130, 92, 10, 30)
    assert (t.moaas_alert, t.moaas_urgent) == (2, 0)


def test_every_threshold_and_schedule_value_is_declared_once_with_its_default() -> None:
    settings = registry()
    for f in fields(Thresholds):
        setting = settings[f"thresholds.{f.name}"]
        assert setting.default == f.default
        assert setting.low is not None and setting.low <= f.default <= setting.high
        assert setting.title and setting.group
    for key in (
        "schedule.overdue_amber_min",
        "schedule.overdue_red_min",
        "iv.during_infusion",
        "iv.after_infusion",
        "iv.min_monitoring_min",
        "rems.post_dose_check_min",
        "rems.min_monitoring_min",
    ):
        assert key in settings
    # every default passes its own declaration
    for setting in settings.values():
        assert setting.coerce(setting.default) == setting.default


def test_iv_preset_checks_during_and_after_the_infusion() -> None:
    p = preset(IV_KETAMINE)
    assert p.phases == (Phase(15, None, Anchor.DOSE), Phase(15, None, Anchor.INFUSION_END))
    assert p.fixed_checks == (FixedCheck("At the end of the infusion", 0, Anchor.INFUSION_END),)
    assert (p.min_monitoring_min, p.monitoring_from, p.uses_infusion) == (
        60,
        Anchor.INFUSION_END,
        True,
    )
    assert (p.overdue_amber_min, p.overdue_red_min) == (2, 5)
    assert (p.drug, p.dose_unit, p.typical_dose) == ("Ketamine", "mg/kg", 0.5)


def test_rems_preset_has_the_three_blood_pressure_points_and_120_minutes() -> None:
    p = preset(ESKETAMINE_REMS)
    assert p.phases == ()
    assert p.baseline_label == "Before dosing"
    assert p.fixed_checks == (
        FixedCheck("About 40 min after dosing", 40),
        FixedCheck("Before leaving", 120),
    )
    assert (p.min_monitoring_min, p.monitoring_from) == (120, Anchor.DOSE)
    assert (p.route, p.dose_unit, p.dose_choices) == ("Intranasal", "mg", (56.0, 84.0))


def test_clinic_settings_overlay_the_preset() -> None:
    p = preset(
        IV_KETAMINE,
        {
            "iv.during_infusion": "q10",
            "iv.after_infusion": UK_WARD,
            "iv.check_at_infusion_end": False,
            "thresholds.hr_high": 120,
            "schedule.overdue_amber_min": 3,
            "schedule.overdue_red_min": 10,
        },
    )
    assert p.phases[0] == Phase(10, None, Anchor.DOSE)
    assert p.phases[1:] == (
        Phase(15, 60, Anchor.INFUSION_END),
        Phase(30, 120, Anchor.INFUSION_END),
        Phase(60, None, Anchor.INFUSION_END),
    )
    assert p.fixed_checks == ()
    assert p.thresholds.hr_high == 120
    assert (p.overdue_amber_min, p.overdue_red_min) == (3, 10)


def test_rems_fixed_checks_follow_their_settings() -> None:
    p = preset(ESKETAMINE_REMS, {"rems.post_dose_check_min": 45, "rems.min_monitoring_min": 150})
    assert [(f.label, f.at_min) for f in p.fixed_checks] == [
        ("About 45 min after dosing", 45),
        ("Before leaving", 150),
    ]


def test_invalid_stored_settings_fall_back_to_defaults() -> None:
    p = preset(
        ESKETAMINE_REMS,
        {
            "thresholds.hr_high": "fast",
            "thresholds.spo2_low": 40,
            "rems.min_monitoring_min": 60,  # below the REMS minimum of 120
            "rems.extra_checks": "whenever",
            "schedule.overdue_red_min": 2,  # not after amber (2): kept after it
        },
    )
    assert p.thresholds == Thresholds()
    assert p.min_monitoring_min == 120
    assert p.phases == ()
    assert p.overdue_red_min > p.overdue_amber_min


def test_unknown_preset_is_refused_with_the_known_names() -> None:
    with pytest.raises(KeyError, match="IV ketamine"):
        preset("Ketamine lozenges")


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_snapshot_survives_json_unchanged(name: str) -> None:
    p = preset(name, {"iv.after_infusion": UK_WARD, "thresholds.sys_high": 170})
    stored = json.loads(json.dumps(p.to_dict()))
    assert Protocol.from_dict(stored) == p


def test_snapshot_missing_keys_take_defaults_and_newer_versions_are_refused() -> None:
    p = Protocol.from_dict({"name": "Old", "thresholds": {"hr_high": 125}})
    assert p.thresholds == Thresholds(hr_high=125)
    assert p.phases == () and p.overdue_amber_min == 2
    with pytest.raises(ValueError, match="newer"):
        Protocol.from_dict({"name": "Future", "version": 99})


def test_uk_ward_schedule_reads_as_three_phases_and_back() -> None:
    phases = parse_phases("q15 for 1 h; 30 for 2h, then every 60 min")
    assert phases == (Phase(15, 60), Phase(30, 120), Phase(60, None))
    assert format_phases(phases) == UK_WARD
    assert parse_phases(UK_WARD) == phases
    assert parse_phases("") == parse_phases("none") == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("every 15 min, then every 30 min for 60 min", "only the last part"),
        ("sometimes", "is not read as a phase"),
        ("every 0 min", "1–240"),
        ("every 30 min for 20 min", "length must be"),
        ("every 15 min for 2000 min", "length must be"),
    ],
)
def test_unreadable_schedules_are_refused_naming_the_part(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_phases(text)


def test_schedule_setting_stores_the_canonical_spelling_and_names_itself_on_error() -> None:
    setting = SETTINGS["iv.after_infusion"]
    assert setting.coerce("15 for 1h, then 60") == "every 15 min for 60 min, then every 60 min"
    with pytest.raises(ValueError, match=r"^Checks after the infusion ends: 'soon'"):
        setting.coerce("soon")


def test_validate_settings_reports_each_refused_value_and_contradictions() -> None:
    assert validate_settings({"thresholds.hr_high": 125, "iv.after_infusion": UK_WARD}) == {}
    problems = validate_settings(
        {
            "thresholds.hr_low": 90,
            "thresholds.hr_high": 80,
            "schedule.overdue_red_min": 2,
            "thresholds.spo2_low": 101,
            "no.such": 1,
        }
    )
    assert set(problems) == {
        "thresholds.hr_high",
        "schedule.overdue_red_min",
        "thresholds.spo2_low",
        "no.such",
    }
    assert "more than the low heart-rate limit (90)" in problems["thresholds.hr_high"]
    assert "outside 70–100 %" in problems["thresholds.spo2_low"]


def test_resolve_settings_gives_every_declared_key() -> None:
    values = resolve_settings({"thresholds.hr_low": 45})
    assert values["thresholds.hr_low"] == 45
    assert set(values) == set(registry())


def test_minimum_monitoring_counts_from_the_right_anchor() -> None:
    from datetime import UTC, datetime, timedelta

    dose = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    end = dose + timedelta(minutes=40)
    assert preset(IV_KETAMINE).monitoring_ends_at(dose, end) == end + timedelta(minutes=60)
    assert preset(IV_KETAMINE).monitoring_ends_at(dose, None) is None
    assert preset(ESKETAMINE_REMS).monitoring_ends_at(dose) == dose + timedelta(minutes=120)
