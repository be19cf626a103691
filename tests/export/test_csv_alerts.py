"""The CSV export's third file lists every alert with its acknowledgement and resolution
(issue 15), and obeys the same no-overwrite rule as the other two files."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from session_app.app import main
from session_app.domain.clock import ManualClock
from session_app.domain.corrections import RESOLVED_BY_CORRECTION
from session_app.domain.summary import SessionRecord
from session_app.export import ExportError
from session_app.export.csv import ENCODING, csv_paths, write_csv
from session_app.store import SessionStore
from tests.export.service_seed import seed_session


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding=ENCODING, newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_alerts_file_lists_every_alert_with_ack_and_resolution(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_session(store, clock)
    written = write_csv(SessionRecord.load(store, seeded.session_id), tmp_path / "visit.csv")
    assert written == csv_paths(tmp_path / "visit.csv")
    alerts_path = tmp_path / "visit-alerts.csv"
    assert alerts_path in written
    rows = _rows(alerts_path)
    stored = store.alerts(seeded.session_id)
    assert [int(r["alert_id"]) for r in rows] == [a.id for a in stored]
    by_id = {int(r["alert_id"]): r for r in rows}
    rise = by_id[seeded.rise_alert_id]
    alert = next(a for a in stored if a.id == seeded.rise_alert_id)
    assert rise["severity"] == str(alert.severity)
    assert rise["rule"] == alert.rule and rise["measure"] == "systolic"
    assert rise["value"] == "176" and rise["message"] == alert.message
    assert datetime.fromisoformat(rise["raised_at"]) == alert.raised_at
    assert rise["acknowledged_by"] == "CD"
    assert datetime.fromisoformat(rise["acknowledged_at"]) == alert.acked_at
    assert rise["resolved_by_correction"] == ""
    spo2 = by_id[seeded.spo2_alert_id]
    assert spo2["acknowledged_by"] == "" and spo2["acknowledged_at"] == ""
    assert spo2["resolved_by_correction"] == str(seeded.correction_id)
    assert spo2["resolved_by"] == "CD" and spo2["resolved_at"] != ""
    assert spo2["resolution"] == RESOLVED_BY_CORRECTION


def test_an_existing_alerts_file_is_refused_and_nothing_is_written(
    store: SessionStore, clock: ManualClock, tmp_path: Path
) -> None:
    seeded = seed_session(store, clock)
    mine = tmp_path / "visit-alerts.csv"
    mine.write_bytes(b"mine")
    with pytest.raises(ExportError, match=r"visit-alerts\.csv: it already exists"):
        write_csv(SessionRecord.load(store, seeded.session_id), tmp_path / "visit.csv")
    assert mine.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "visit-alerts.csv"]


def test_the_command_line_refuses_an_existing_alerts_file(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = ManualClock()
    store = SessionStore.open(data_dir, clock=clock)
    sid = seed_session(store, clock).session_id
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    (out / "v-alerts.csv").write_bytes(b"mine")
    code = main(
        [
            "export",
            str(sid),
            "--format",
            "csv",
            "-o",
            str(out / "v.csv"),
            "--data-dir",
            str(data_dir),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"session-app: Cannot write {out / 'v-alerts.csv'}: it already exists (an export never "
        "replaces a file); choose a new name."
    ]
    assert sorted(p.name for p in out.iterdir()) == ["v-alerts.csv"]
    assert (out / "v-alerts.csv").read_bytes() == b"mine"
    (out / "v-alerts.csv").unlink()
    assert (
        main(
            [
                "export",
                str(sid),
                "--format",
                "csv",
                "-o",
                str(out / "v.csv"),
                "--data-dir",
                str(data_dir),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.split() == [str(p) for p in csv_paths(out / "v.csv")]
