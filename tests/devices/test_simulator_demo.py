"""`make monitor-demo` (scripts/monitor-demo.sh) refuses in one line, before starting or
creating anything, when the app has no HL7 listener or the demo's port is taken."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "monitor-demo.sh"


def _app_whose_help_says(tmp_path: Path, help_text: str) -> Path:
    """A stand-in for `.venv/bin/python` that answers `-m session_app --help` only: the
    script's refusals must come before it runs anything else."""
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{help_text}\nEOF\n")
    fake.chmod(0o755)
    return fake


def _run(python: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PY": str(python), "MONITOR_DEMO_PORT": str(port)}
    return subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def _demo_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("session_app-monitor-demo.*")}


def test_an_app_without_the_listener_option_is_one_line_and_exit_2(tmp_path: Path) -> None:
    before = _demo_folders()
    result = _run(_app_whose_help_says(tmp_path, "usage: session-app [--data-dir DIR]"), 2575)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "--hl7-listen" in result.stderr
    assert _demo_folders() == before


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    app = _app_whose_help_says(tmp_path, "  --hl7-listen HOST:PORT  listen for HL7")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        before = _demo_folders()
        result = _run(app, port)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"monitor-demo: 127.0.0.1:{port} is in use (set MONITOR_DEMO_PORT to another port); "
        "nothing was started"
    ]
    assert _demo_folders() == before


def test_when_the_app_closes_the_demo_stops_the_simulator_and_removes_its_folder(
    tmp_path: Path,
) -> None:
    """The real set-pin and session set-up run; "the app" closes at once (a stand-in that
    knows --hl7-listen), so the simulator is still retrying when the demo cleans up."""
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/bash\n"
        'if [[ "$*" == "-m session_app --help" ]]; then echo "  --hl7-listen H:P"; exit 0; fi\n'
        'if [[ "$*" == *--hl7-listen* ]]; then exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    fake.chmod(0o755)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = _demo_folders()
    result = _run(fake, port)
    assert result.returncode == 0, result.stderr
    assert "staff PIN" in result.stdout
    assert _demo_folders() == before
