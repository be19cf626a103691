"""`session-app export` runs with no display: a subprocess with DISPLAY removed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.store import SessionStore
from tests.export.seed import seed_rems_session


def run_cli(*args: str, platform: str | None = "offscreen") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    return subprocess.run(
        [sys.executable, "-m", "session_app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def seeded(data_dir: Path) -> Path:
    clock = ManualClock()
    store = SessionStore.open(data_dir, clock=clock)
    seed_rems_session(store, clock)
    store.close()
    return data_dir


@pytest.mark.parametrize("platform", ["offscreen", None])
def test_pdf_export_without_a_display(seeded: Path, tmp_path: Path, platform) -> None:
    out = tmp_path / "s.pdf"
    result = run_cli(
        "export",
        "1",
        "--format",
        "pdf",
        "-o",
        str(out),
        "--data-dir",
        str(seeded),
        platform=platform,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert result.stdout.strip() == str(out)


def test_csv_and_fhir_exports(seeded: Path, tmp_path: Path) -> None:
    csv_out = tmp_path / "s.csv"
    result = run_cli(
        "export", "1", "--format", "csv", "-o", str(csv_out), "--data-dir", str(seeded)
    )
    assert result.returncode == 0, result.stderr
    assert csv_out.exists() and (tmp_path / "s-events.csv").exists()
    fhir_out = tmp_path / "s.json"
    result = run_cli(
        "export", "1", "--format", "fhir", "-o", str(fhir_out), "--data-dir", str(seeded)
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(fhir_out.read_text())["resourceType"] == "Bundle"


def test_errors_are_one_clear_line_and_a_non_zero_exit(seeded: Path, tmp_path: Path) -> None:
    unknown = run_cli(
        "export", "42", "--format", "csv", "-o", str(tmp_path / "x.csv"), "--data-dir", str(seeded)
    )
    assert unknown.returncode != 0
    assert unknown.stderr.strip() == (
        "session-app: no session with id 42 (list them with `session-app sessions`)."
    )
    unwritable = run_cli(
        "export",
        "1",
        "--format",
        "pdf",
        "-o",
        str(tmp_path / "no" / "such" / "x.pdf"),
        "--data-dir",
        str(seeded),
    )
    assert unwritable.returncode != 0
    assert len(unwritable.stderr.strip().splitlines()) == 1
    assert "Cannot write" in unwritable.stderr and "Traceback" not in unwritable.stderr
