"""Logs: private, rotating, and free of patient data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from session_app.domain.clock import ManualClock
from session_app.domain.protocols import ESKETAMINE_REMS
from session_app.domain.session import NewSession
from session_app.logs import BACKUPS, setup_logging, stop_logging
from session_app.monitoring import MonitoringService
from session_app.store import SessionStore


@pytest.fixture(autouse=True)
def _detach_log_file() -> Iterator[None]:
    yield
    stop_logging()


def test_a_whole_session_logs_no_patient_id_vital_or_note(data_dir: Path) -> None:
    log_path = setup_logging(data_dir)
    clock = ManualClock()
    store = SessionStore.open(data_dir, clock=clock)
    service = MonitoringService(store, clock)
    session = service.start_session(NewSession("ZQ-4711", ESKETAMINE_REMS, "AB", 63.5))
    service.record_check(
        session.id,
        {
            "systolic": "187",
            "diastolic": "113",
            "heart_rate": "143",
            "spo2": "89",
            "note": "felt dizzy",
            "recorded_by": "AB",
        },
    )
    service.log_event(session.id, "note", {"text": "asked for water"}, "AB")
    store.close()
    for handler in logging.getLogger("session_app").handlers:
        handler.flush()
    text = log_path.read_text()
    assert "saved check" in text and "saved alert" in text  # it does log the writes
    # every line but its timestamp ("2026-12-01 16:22:56,113 "): the milliseconds may be 113
    logged = "\n".join(line.split(" ", 2)[2] for line in text.splitlines() if line.strip())
    for secret in ("ZQ-4711", "187", "113", "143", "dizzy", "water", "63.5"):
        assert secret not in logged
    assert log_path.stat().st_mode & 0o777 == 0o600
    assert log_path.parent.stat().st_mode & 0o777 == 0o700


def test_logs_rotate_and_keep_a_bounded_number_of_files(data_dir: Path) -> None:
    log_path = setup_logging(data_dir, max_bytes=2000)
    logger = logging.getLogger("session_app.test")
    for number in range(1000):
        logger.info("line %d of a long day", number)
    files = sorted(p.name for p in log_path.parent.iterdir())
    assert len(files) == BACKUPS + 1
    assert all(p.stat().st_size <= 2100 for p in log_path.parent.iterdir())
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in log_path.parent.iterdir())
    oldest_first = [log_path.with_name(f"{log_path.name}.{n}") for n in range(BACKUPS, 0, -1)]
    text = "".join(p.read_text() for p in [*oldest_first, log_path])
    numbers = [int(line.split("line ")[1].split()[0]) for line in text.splitlines()]
    assert numbers[-1] == 999  # the newest line is in the current file
    assert numbers == list(range(numbers[0], 1000))  # nothing lost between the files kept


def test_a_full_disk_under_the_log_is_one_quiet_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.faults import small_disk

    with small_disk(tmp_path, size_kb=64) as disk:
        setup_logging(disk.path)
        log = logging.getLogger("session_app.test")
        log.info("before the disk filled")
        disk.fill()
        for number in range(200):  # more than any buffer holds
            log.info("line %d of a session that goes on", number)
        for handler in logging.getLogger("session_app").handlers:
            handler.flush()
        stop_logging()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("session-app: cannot write the log file") and "full" in lines[0]
