"""CSV export: one row per stored vitals check, a second file of timeline events, a
third of alerts (when raised, severity, rule, value, who acknowledged it, when and with
what response, and whether a correction resolved it), and, for a session a monitor fed, a
fourth of the monitor's continuous values per 15-min interval (lowest, highest, how many,
how many flagged implausible), never a row per 1 Hz value, and after them a row per NIBP
measurement the monitor sent that was set aside (never proposed as a check) and why.

A check recorded from the monitor says so (`source` "monitor", the `device` as it sent
its name, the ids of the stored device values it was recorded from); a correction of it
is its own row, typed by the nurse, pointing at it (`corrects_id`).

Every stored row is written, corrections included (`corrects_id`, `superseded`), so the
file is the full audit trail and parses back to exactly what the store holds. Each check
row names the alerts it raised (`alerts`), and an alert a correction resolved says so. Times are
ISO 8601 in the machine's local time with its UTC offset. Encoding is UTF-8 with a BOM so
spreadsheet programs read "°" and accented notes correctly.

Free text (notes, correction reasons, event descriptions, responses) that begins like a spreadsheet
formula (= + - @ tab CR), or with a ', is written with one more ' in front, so a
spreadsheet shows it as text. The escape is reversible: remove one leading ' from any
such cell and the text is exactly what was stored (`read_checks_csv` does).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from session_app.domain.clock import to_local
from session_app.domain.corrections import RESOLVED_BY_CORRECTION
from session_app.domain.dose import stored_amount
from session_app.domain.events import DOSE, describe
from session_app.domain.records import SessionEvent
from session_app.domain.summary import SessionRecord, monitor_trace
from session_app.domain.vitals import FIELD_BY_NAME, MEASURE_NAMES, YES_NO_NAMES, value_text
from session_app.export import write_files_atomically

ENCODING = "utf-8-sig"
CHECK_COLUMNS: tuple[str, ...] = (
    "session_id",
    "patient_id",
    "check_id",
    "taken_at",
    "entered_at",
    "is_baseline",
    "due_at",
    "late",
    *MEASURE_NAMES,
    "note",
    "recorded_by",
    "corrects_id",
    "correction_reason",
    "superseded",
    "alerts",
    "source",  # "monitor" (recorded from a proposed check) or "typed"
    "device",  # the monitor's device as it names itself (OBX-18, else MSH-3); '' typed
    "observation_ids",  # the stored device values it was recorded from, space-separated
    "monitor_clock_differed",  # that monitor's time was far from the room's (kept as sent)
)
EVENT_COLUMNS: tuple[str, ...] = (
    "session_id",
    "patient_id",
    "event_id",
    "kind",
    "occurred_at",
    "entered_at",
    "description",
    "details_json",
    "recorded_by",
    "corrects_id",
    "correction_reason",
    "superseded",
    # a dose as an amount (domain.dose): mg, the weight it used, the volume at the
    # concentration given; empty for other events and when mg could not be computed
    "dose_mg",
    "weight_kg",
    "volume_ml",
    "concentration_mg_ml",
)
ALERT_COLUMNS: tuple[str, ...] = (
    "session_id",
    "patient_id",
    "alert_id",
    "check_id",
    "raised_at",
    "severity",
    "rule",
    "measure",
    "value",
    "message",
    "acknowledged_by",
    "acknowledged_at",
    "acknowledged_response",  # what was done, typed with the acknowledgement (optional)
    "resolved_by_correction",  # the id of the correction that resolved the alert
    "resolved_by",
    "resolved_at",
    "resolution",
)
MONITOR_COLUMNS: tuple[str, ...] = (
    "session_id",
    "patient_id",
    "interval_start",
    "interval_end",
    "measure",
    "unit",
    "lowest",  # plausible values only; empty when every value of the interval was flagged
    "highest",
    "values",
    "implausible",  # values flagged implausible (stored, never charted or proposed)
    # After the intervals, a row per NIBP measurement the monitor sent that was set aside
    # (never proposed as a check): kind "nibp_set_aside", its unit and implausible (of its
    # two values) filled, the interval columns empty. Interval rows leave these empty.
    "kind",  # "interval" or "nibp_set_aside"
    "observed_at",  # the measurement's device time
    "systolic",  # as stored, in `unit`
    "diastolic",
    "device",  # as the monitor names itself (OBX-18, else MSH-3), as in the checks file
    "reason",  # why it was set aside, in plain words
    "observation_ids",  # its stored systolic and diastolic, space-separated
)
FREE_TEXT = (
    "device",  # sent by the monitor: outside text too
    "note",
    "correction_reason",
    "description",
    "alerts",
    "message",
    "acknowledged_response",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def iso_local(when: datetime | None) -> str:
    """ISO 8601 with offset, local time, to the second (e.g. 2026-01-05T10:00:00+01:00)."""
    return to_local(when).isoformat(timespec="seconds") if when else ""


def _safe_text(text: str) -> str:
    """Keep a spreadsheet from running a note as a formula (a leading ' is shown as text).

    A text that already begins with ' gets one too, so that removing one ' always gives
    the text back ("'=x" is written "''=x", never read back as "=x").
    """
    return "'" + text if text.startswith((*_FORMULA_START, "'")) else text


def _unsafe_text(text: str) -> str:
    """Undo `_safe_text`: one leading ' is removed."""
    return text[1:] if text.startswith("'") else text


def _rows_to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        cells = {k: value_text(v) for k, v in row.items()}
        for key in FREE_TEXT:
            if key in cells:
                cells[key] = _safe_text(cells[key])
        writer.writerow(cells)
    return buffer.getvalue()


def alert_cells(record: SessionRecord) -> dict[int, str]:
    """Check id -> the alerts raised on that row ("; " between them); an alert a correction
    resolved says so and names the correction's record."""
    resolutions = {r.alert_id: r for r in record.resolutions}
    texts: dict[int, list[str]] = {}
    for alert in record.alerts:
        if alert.check_id is None:
            continue
        text = alert.message
        if (resolution := resolutions.get(alert.id)) is not None:
            text += f" ({RESOLVED_BY_CORRECTION}: record {resolution.correction_id})"
        texts.setdefault(alert.check_id, []).append(text)
    return {check_id: "; ".join(parts) for check_id, parts in texts.items()}


def checks_csv(record: SessionRecord) -> str:
    """Every stored check row of the session, in time order, with the alerts it raised."""
    superseded = {c.corrects_id for c in record.checks if c.corrects_id is not None}
    alerts = alert_cells(record)
    session = record.session
    by_id = {v.id: v for v in record.device_values} if record.monitor_checks else {}
    rows = []
    for check in record.checks:
        linked = record.monitor_checks.get(check.id, ())
        devices = dict.fromkeys(by_id[i].device for i in linked if i in by_id)
        row: dict[str, Any] = {
            "session_id": session.id,
            "patient_id": session.patient_id,
            "check_id": check.id,
            "taken_at": iso_local(check.taken_at),
            "entered_at": iso_local(check.entered_at),
            "is_baseline": check.is_baseline,
            "due_at": iso_local(check.due_at),
            "late": check.late,
            "note": check.signs.note,
            "recorded_by": check.signs.recorded_by,
            "corrects_id": check.corrects_id,
            "correction_reason": check.correction_reason,
            "superseded": check.id in superseded,
            "alerts": alerts.get(check.id, ""),
            "source": "monitor" if linked else "typed",
            "device": "; ".join(devices),
            "observation_ids": " ".join(str(i) for i in linked),
            "monitor_clock_differed": any(by_id[i].clock_skew for i in linked if i in by_id),
        }
        row.update({name: getattr(check.signs, name) for name in MEASURE_NAMES})
        rows.append(row)
    return _rows_to_csv(CHECK_COLUMNS, rows)


def events_csv(record: SessionRecord) -> str:
    """Every stored timeline event (dose, infusion, adverse events, notes...), in time order."""
    superseded = {e.corrects_id for e in record.events if e.corrects_id is not None}
    session = record.session
    rows = [
        {
            **_amount_cells(event),
            "session_id": session.id,
            "patient_id": session.patient_id,
            "event_id": event.id,
            "kind": event.kind,
            "occurred_at": iso_local(event.occurred_at),
            "entered_at": iso_local(event.entered_at),
            "description": describe(event),
            "details_json": json.dumps(event.details, ensure_ascii=False, sort_keys=True),
            "recorded_by": event.recorded_by,
            "corrects_id": event.corrects_id,
            "correction_reason": event.correction_reason,
            "superseded": event.id in superseded,
        }
        for event in record.events
    ]
    return _rows_to_csv(EVENT_COLUMNS, rows)


def _amount_cells(event: SessionEvent) -> dict[str, Any]:
    """The dose columns of an events row: a dose's mg, weight, volume, concentration."""
    amount = stored_amount(event.details) if event.kind == DOSE else None
    if amount is None:
        return {}
    return {
        "dose_mg": amount.mg,
        "weight_kg": amount.weight_kg,
        "volume_ml": amount.volume_ml,
        "concentration_mg_ml": amount.concentration_mg_ml,
    }


def alerts_csv(record: SessionRecord) -> str:
    """Every alert of the session, oldest first, with its acknowledgement and, when a
    correction resolved it, which correction, who and when (both can be present)."""
    resolutions = {r.alert_id: r for r in record.resolutions}
    session = record.session
    rows = []
    for alert in sorted(record.alerts, key=lambda a: (a.raised_at, a.id)):
        resolution = resolutions.get(alert.id)
        rows.append(
            {
                "session_id": session.id,
                "patient_id": session.patient_id,
                "alert_id": alert.id,
                "check_id": alert.check_id,
                "raised_at": iso_local(alert.raised_at),
                "severity": str(alert.severity),
                "rule": alert.rule,
                "measure": alert.measure,
                "value": alert.value,
                "message": alert.message,
                "acknowledged_by": alert.acked_by,
                "acknowledged_at": iso_local(alert.acked_at),
                "acknowledged_response": alert.ack_response,
                "resolved_by_correction": resolution.correction_id if resolution else None,
                "resolved_by": resolution.resolved_by if resolution else "",
                "resolved_at": iso_local(resolution.resolved_at if resolution else None),
                "resolution": RESOLVED_BY_CORRECTION if resolution else "",
            }
        )
    return _rows_to_csv(ALERT_COLUMNS, rows)


def monitor_csv(record: SessionRecord) -> str | None:
    """The monitor's continuous values, one row per 15-min interval and measure (the
    summary's section, domain.summary.monitor_trace), then one row per NIBP measurement set
    aside (MonitorTrace.set_aside); None when no monitor fed the session."""
    trace = monitor_trace(record, record.session.ended_at)
    if trace is None:
        return None
    session = record.session
    rows = [
        {
            "session_id": session.id,
            "patient_id": session.patient_id,
            "interval_start": iso_local(i.start),
            "interval_end": iso_local(i.end),
            "measure": i.measure,
            "unit": FIELD_BY_NAME[i.measure].unit if i.measure in FIELD_BY_NAME else "",
            "lowest": i.low,
            "highest": i.high,
            "values": i.count,
            "implausible": i.implausible,
            "kind": "interval",
        }
        for i in trace.intervals
    ]
    rows += [
        {
            "session_id": session.id,
            "patient_id": session.patient_id,
            "unit": a.unit,
            "implausible": a.implausible,
            "kind": "nibp_set_aside",
            "observed_at": iso_local(a.observed_at),
            "systolic": a.systolic,
            "diastolic": a.diastolic,
            "device": a.sent_as,
            "reason": a.reason,
            "observation_ids": " ".join(str(i) for i in a.observation_ids),
        }
        for a in trace.set_aside
    ]
    return _rows_to_csv(MONITOR_COLUMNS, rows)


def _beside(path: Path, part: str) -> Path:
    path = Path(path)
    suffix = path.suffix or ".csv"
    return path.with_name(f"{path.stem}-{part}{suffix}")


def events_path_for(path: Path) -> Path:
    """The events file sits next to the checks file: visit.csv -> visit-events.csv."""
    return _beside(path, "events")


def alerts_path_for(path: Path) -> Path:
    """The alerts file too: visit.csv -> visit-alerts.csv."""
    return _beside(path, "alerts")


def monitor_path_for(path: Path) -> Path:
    """And the monitor's intervals: visit.csv -> visit-monitor.csv."""
    return _beside(path, "monitor")


def csv_paths(path: Path | str, record: SessionRecord | None = None) -> tuple[Path, ...]:
    """The files a CSV export writes: the checks at `path`, events and alerts beside it,
    and the monitor's intervals when a monitor fed `record` (all are checked before any
    is written)."""
    path = Path(path)
    paths = (path, events_path_for(path), alerts_path_for(path))
    if record is not None and record.device_values:
        paths += (monitor_path_for(path),)
    return paths


def write_csv(
    record: SessionRecord,
    path: Path | str,
    *,
    replace: bool = False,
    protected: Iterable[Path] = (),
) -> tuple[Path, ...]:
    """Write the checks CSV at `path`, the events and alerts CSVs beside it, and the
    monitor's when a monitor fed the session, all or none (each a new file, see
    export.write_files_atomically); return their paths in that order."""
    texts = [checks_csv(record), events_csv(record), alerts_csv(record)]
    if (monitor := monitor_csv(record)) is not None:
        texts.append(monitor)
    paths = csv_paths(path, record)
    assert len(paths) == len(texts)  # csv_paths and the files written agree
    return write_files_atomically(
        [(p, text.encode(ENCODING)) for p, text in zip(paths, texts, strict=True)],
        replace=replace,
        protected=protected,
    )


def read_checks_csv(path: Path) -> list[dict[str, Any]]:
    """Parse a checks CSV back to typed values (for clinic IT scripts and the tests)."""
    with Path(path).open(encoding=ENCODING, newline="") as handle:
        rows = list(csv.DictReader(handle))
    typed: list[dict[str, Any]] = []
    for row in rows:
        out: dict[str, Any] = {}
        for key, text in row.items():
            out[key] = _parse(key, text)
        typed.append(out)
    return typed


def _parse(key: str, text: str) -> Any:
    if key in FREE_TEXT:
        return _unsafe_text(text)
    if key in (
        "note", "recorded_by", "patient_id", "kind", "details_json",
        "source", "device", "observation_ids",
    ):  # fmt: skip
        return text
    if text == "":
        return None
    if key in (*YES_NO_NAMES, "is_baseline", "late", "superseded", "monitor_clock_differed"):
        return text == "yes"
    if key in ("taken_at", "entered_at", "due_at", "occurred_at"):
        return datetime.fromisoformat(text)
    if key == "temperature_c":
        return float(text)
    if key in (*MEASURE_NAMES, "session_id", "check_id", "event_id", "corrects_id"):
        return int(text)
    return text
