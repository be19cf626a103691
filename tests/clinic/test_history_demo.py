"""`make clinic-demo`'s parts that stand on their own today (issue 16): the feeder writes a
demo session's checks to a real room store through the MonitoringService; the script's
throwaway cluster starts, takes `clinic init` and two `add-room`s, and is stopped and
removed; a missing sub-command is refused in one line before anything starts."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from session_app.domain.events import DOSE
from session_app.store import SessionStore

ROOT = Path(__file__).resolve().parents[2]
FEED = ROOT / "scripts" / "clinic_demo_feed.py"
DEMO = ROOT / "scripts" / "clinic-demo.sh"


def _feed(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FEED), *args], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_the_feeder_runs_a_demo_session_through_the_service_and_resumes_it(
    tmp_path: Path,
) -> None:
    data = tmp_path / "room1"
    first = _feed("--data-dir", str(data), "--patient", "demo-1", "--checks", "3",
                  "--interval", "0")  # fmt: skip
    assert first.returncode == 0, first.stderr
    again = _feed("--data-dir", str(data), "--patient", "demo-1", "--checks", "2",
                  "--interval", "0")  # fmt: skip
    assert again.returncode == 0, again.stderr

    store = SessionStore.open(data)
    try:
        [session] = store.sessions()
        assert (session.patient_id, session.is_open) == ("DEMO-1", True)
        checks = store.checks(session.id)
        assert len(checks) == 5
        assert checks[0].is_baseline and not checks[-1].is_baseline
        assert [e.kind for e in store.events(session.id)] == [DOSE]
    finally:
        store.close()


def test_the_feeder_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("not mine\n")
    bad_folder = _feed("--data-dir", str(not_a_folder), "--checks", "1", "--interval", "0")
    bad_id = _feed("--data-dir", str(tmp_path / "d"), "--patient", "Jane Doe", "--checks", "1")
    for result in (bad_folder, bad_id):
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert "is not a folder" in bad_folder.stderr
    assert "Patient ID" in bad_id.stderr
    assert not_a_folder.read_text() == "not mine\n"


def _demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(DEMO), *args], capture_output=True, text=True, timeout=300, check=False,
        cwd=ROOT, env={**os.environ, "TMPDIR": env.pop("TMPDIR"), **env},
    )  # fmt: skip


@pytest.fixture
def reachable_tmp() -> Iterator[Path]:
    """A temp folder the `postgres` user can enter (pytest's is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="clinic-demo-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# SIGINT back to its default in the script, as a terminal gives it (coreutils' env): a test
# run started in the background of a shell inherits SIGINT ignored, and bash cannot trap a
# signal ignored on entry, so the Ctrl+C below did nothing and the cluster stayed up.
CTRL_C_AS_IN_A_TERMINAL = ("env", "--default-signal=INT")


def test_the_demo_cluster_takes_two_rooms_and_ctrl_c_stops_it_and_removes_it(
    reachable_tmp: Path,
) -> None:
    demo = subprocess.Popen(
        [*CTRL_C_AS_IN_A_TERMINAL, "bash", str(DEMO), "--cluster-only"], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(reachable_tmp)},
    )  # fmt: skip
    assert demo.stdout is not None
    said = []
    for line in demo.stdout:  # blocks on the script's own output, no timed wait
        said.append(line)
        if "Ctrl+C" in line:
            break
    out = "".join(said)
    assert "rooms on the server: Room 1, Room 2" in out, out + demo.stderr.read()
    port = int(re.search(r"127\.0\.0\.1:(\d+)", out).group(1))  # type: ignore[union-attr]
    [folder] = reachable_tmp.glob("clinic-demo-*")
    assert (folder / "room1.pgpass").stat().st_mode & 0o077 == 0

    demo.send_signal(signal.SIGINT)
    rest, _ = demo.communicate(timeout=120)
    assert "cluster stopped" in rest
    assert not folder.exists()  # the cluster's data and the passfiles with it
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more


def test_a_temp_folder_the_cluster_cannot_use_is_refused_in_one_line(tmp_path: Path) -> None:
    private = tmp_path / "private"  # root hands the cluster to `postgres`, who cannot enter
    private.mkdir(mode=0o700)
    missing = tmp_path / "missing"
    # As another user the private folder is that user's own: nothing to refuse there.
    for folder in [missing, *([private] if os.geteuid() == 0 else [])]:
        result = _demo("--cluster-only", TMPDIR=str(folder))
        assert result.returncode == 2, result.stdout
        assert result.stderr.count("\n") == 1 and "TMPDIR" in result.stderr, result.stderr
    assert list(private.iterdir()) == []


def test_a_missing_sub_command_is_refused_in_one_line_before_anything_starts(
    tmp_path: Path,
) -> None:
    result = _demo(TMPDIR=str(tmp_path), CLINIC_DEMO_NEEDS="clinic no-such-action")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "session-app clinic no-such-action" in result.stderr
    assert list(tmp_path.glob("clinic-demo-*")) == []
