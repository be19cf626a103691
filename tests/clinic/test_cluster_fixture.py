"""The cluster fixture fails (never skips) where PostgreSQL is missing, naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clinic.conftest import _pg_bindir


def test_missing_server_binaries_fail_and_name_the_setup_script(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"scripts/system-deps\.sh"):
        _pg_bindir(pg_config=None, pattern=str(tmp_path / "*" / "bin" / "initdb"))


def test_the_binaries_are_found_on_this_machine() -> None:
    assert (_pg_bindir() / "pg_ctl").exists()
