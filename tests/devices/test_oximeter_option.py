"""`--oximeter PORT:PROTOCOL` on the command line: parsed before any window, a bad value
is one line on stderr and exit 2 (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from session_app.app import build_parser
from session_app.devices.oximeter import OximeterPort


def test_the_option_gives_the_port_and_protocol() -> None:
    args = build_parser().parse_args(["--oximeter", "/dev/ttyUSB0:masimo"])
    assert args.oximeter == OximeterPort("/dev/ttyUSB0", "masimo")
    assert build_parser().parse_args([]).oximeter is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("/dev/ttyUSB0", "is not PORT:PROTOCOL"),
        ("/dev/ttyUSB0:philips", "'philips' is not a supported protocol (nonin or masimo)"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(value: str, words: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-m", "session_app", "--oximeter", value],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("session-app: error: argument --oximeter:")
    assert words in lines[0] and "Traceback" not in result.stderr
