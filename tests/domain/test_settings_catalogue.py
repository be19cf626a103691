"""The settings catalogue: every setting known whatever was imported first (issue 14).

Each check runs in a fresh interpreter, because what a module imports is the very thing
under test and this test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from session_app.domain.settings import registry, resolve_settings, validate_settings

PROBE = """
import json, sys
{imports}
from session_app.domain.settings import resolve_settings, validate_settings
keys = sorted(resolve_settings({{}}))
protocols_loaded = "session_app.domain.protocols" in sys.modules
print(json.dumps({{
    "keys": keys,
    "protocols_loaded": protocols_loaded,
    "problems": validate_settings({{
        "thresholds.hr_low": 90, "thresholds.hr_high": 80, "media_folders": ["/srv/media"],
    }}),
}}))
"""

EVERYTHING = (
    "session_app.config",
    "session_app.domain.protocols",
    "session_app.ui.staff.settings_dialog",
    "session_app.ui.staff.panel",
)


def fresh(*modules: str) -> dict[str, Any]:
    """What a new interpreter sees after importing `modules`, then the settings."""
    imports = "\n".join(f"import {name}" for name in modules)
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def everything() -> dict[str, Any]:
    return fresh(*EVERYTHING)


def test_importing_only_the_settings_gives_every_setting(everything: dict[str, Any]) -> None:
    alone = fresh()
    assert alone["keys"] == everything["keys"]
    assert {"media_folders", "temperature_unit", "iv.after_infusion"} <= set(alone["keys"])
    # 28, three REMS clinic fields, the advisory tint, the planned infusion, weight required
    # (IV, REMS) and the IV concentration (issue 15); the monitor feed's three and the
    # sustained-breach SpO2 limit and hold time (issue 17); the clinic room, server,
    # passfile (issue 16)
    assert len(alone["keys"]) == 44


@pytest.mark.parametrize(
    "first",
    [
        (),
        ("session_app.domain.protocols",),
        ("session_app.config",),
        ("session_app.config", "session_app.domain.protocols"),
    ],
    ids=["settings", "protocols", "config", "config-then-protocols"],
)
def test_keys_and_cross_checks_do_not_depend_on_import_order(
    first: tuple[str, ...], everything: dict[str, Any]
) -> None:
    seen = fresh(*first)
    assert seen["keys"] == everything["keys"]
    assert set(seen["problems"]) == {"thresholds.hr_high"}
    assert "more than the low heart-rate limit (90)" in seen["problems"]["thresholds.hr_high"]


def test_the_settings_alone_stay_cheap_for_the_patient_window_start_up() -> None:
    """clinic_media_folders reads the settings before the patient window's first paint."""
    assert fresh()["protocols_loaded"] is False


def test_the_settings_fixture_gives_every_default(settings: dict[str, Any]) -> None:
    assert settings == {key: s.default for key, s in registry().items()}
    assert settings == resolve_settings({})
    assert validate_settings(settings) == {}


def test_a_schedule_setting_still_checks_its_text_through_the_protocol_grammar() -> None:
    assert validate_settings({"rems.extra_checks": "q30 for 2h"}) == {}
    assert (
        "is not read as a phase"
        in validate_settings({"rems.extra_checks": "soon"})["rems.extra_checks"]
    )


def test_changing_a_resolved_list_never_changes_the_declared_default(
    settings: dict[str, Any],
) -> None:
    settings["media_folders"].append("/srv/clinic/music")
    assert resolve_settings({})["media_folders"] == []
    assert registry()["media_folders"].default == []
