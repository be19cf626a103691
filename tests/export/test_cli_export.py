"""`session-app export` runs with no display: a subprocess with DISPLAY removed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from session_app.app import main


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


def cli_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `session-app export ...` in this process; it must fail with one line and exit 2."""
    code = main(["export", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_an_id_too_large_for_sqlite_is_an_unknown_session(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.json"
    err = cli_error(
        capsys, str(10**23), "--format", "fhir", "-o", str(out), "--data-dir", str(seeded)
    )
    assert err.startswith(f"session-app: no session with id {10**23} ")
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["pdf", "csv", "fhir"])
def test_a_file_name_too_long_is_one_line(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / ("a" * 300 + ".out")
    err = cli_error(capsys, "1", "--format", fmt, "-o", str(out), "--data-dir", str(seeded))
    assert "Cannot write" in err and "File name too long" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
