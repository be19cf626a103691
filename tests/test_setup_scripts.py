"""The set-up script: quiet when nothing is missing, and without root it names the exact
apt-get command instead of failing obscurely."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "system-deps.sh"


@pytest.fixture
def readable_script() -> Iterator[Path]:
    """A copy of the script in a folder anyone can read: the checkout itself may sit in a
    folder that user nobody cannot enter (a root user's 0700 home, or `mktemp -d`)."""
    folder = Path(tempfile.mkdtemp(prefix="system-deps-"))
    try:
        folder.chmod(0o755)
        copy = folder / SCRIPT.name
        shutil.copy(SCRIPT, copy)
        copy.chmod(0o755)
        yield copy
    finally:
        shutil.rmtree(folder)


def as_unprivileged_user(script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv is needed to drop root for this test")
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    else:
        if subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
            pytest.skip("this user has passwordless sudo: the script would really install")
        command = []
    return subprocess.run(
        [*command, "bash", str(script)], capture_output=True, text=True, env=env, check=False
    )


def test_nothing_missing_is_quiet_and_succeeds() -> None:
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_without_root_a_missing_package_stops_with_the_exact_command(
    readable_script: Path,
) -> None:
    env = {**os.environ, "SYSTEM_DEPS_EXTRA": "session-app-no-such-package"}
    result = as_unprivileged_user(readable_script, env)
    assert result.returncode == 1
    assert "session-app-no-such-package" in result.stderr
    assert "apt-get install -y --no-install-recommends session-app-no-such-package" in (
        result.stderr
    )
