"""A stored row as a domain record: the one mapping from the room's columns to records.

The repository reads its rows through these (its SELECTs name the columns below), and
the clinic station reads the same rows from the server, where the sender keeps each local
row whole as a JSON object (column name -> value as stored). One mapping for both, so a
record on the charge nurse's board is read exactly as the room reads it. No sqlite3 here:
a row is any mapping of column name to stored value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from session_app.domain.alerts import Severity
from session_app.domain.clock import from_iso
from session_app.domain.corrections import AlertResolution
from session_app.domain.records import AlertRecord, SessionEvent
from session_app.domain.session import TreatmentSession
from session_app.domain.vitals import MEASURE_NAMES, YES_NO_NAMES, VitalsCheck, VitalSigns

Row = Mapping[str, Any]

SESSION_COLUMNS = (
    "id", "patient_id", "protocol_name", "staff_initials", "started_at", "weight_kg",
    "protocol_json",
)  # fmt: skip
SESSION_END_COLUMNS = ("ended_at", "ended_by")
SIGNS_COLUMNS = (*MEASURE_NAMES, "note", "recorded_by")
CHECK_COLUMNS = (
    "id", "session_id", "taken_at", "entered_at", "is_baseline", "due_at", "late",
    "corrects_id", "correction_reason", *SIGNS_COLUMNS,
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "session_id", "kind", "occurred_at", "entered_at", "recorded_by", "details_json",
    "corrects_id", "correction_reason",
)  # fmt: skip
ALERT_COLUMNS = (
    "id", "session_id", "check_id", "severity", "rule", "measure", "value", "message",
    "raised_at",
)  # fmt: skip
ACK_COLUMNS = ("acked_by", "acked_at", "response")
RESOLUTION_COLUMNS = ("alert_id", "correction_id", "resolved_by", "resolved_at")


def severity(stored: str) -> Severity:
    """The typed severity of a stored alert; a value this version does not know ranks as
    an alert (what every view assumed before the severity was typed)."""
    try:
        return Severity(stored)
    except ValueError:
        return Severity.ALERT


def session_record(row: Row, end: Row | None = None) -> TreatmentSession:
    """A sessions row, with its session_ends row if the session has ended."""
    return TreatmentSession(
        id=row["id"],
        patient_id=row["patient_id"],
        protocol_name=row["protocol_name"],
        staff_initials=row["staff_initials"],
        started_at=from_iso(row["started_at"]),
        weight_kg=row["weight_kg"],
        protocol=json.loads(row["protocol_json"]),
        ended_at=from_iso(end["ended_at"]) if end and end.get("ended_at") else None,
        ended_by=(end.get("ended_by") or "") if end else "",
    )


def check_record(row: Row) -> VitalsCheck:
    """A vitals_checks row (yes/no measures are stored as 0/1)."""
    values = {name: row[name] for name in SIGNS_COLUMNS}
    for name in YES_NO_NAMES:
        if values[name] is not None:
            values[name] = bool(values[name])
    return VitalsCheck(
        id=row["id"],
        session_id=row["session_id"],
        taken_at=from_iso(row["taken_at"]),
        entered_at=from_iso(row["entered_at"]),
        is_baseline=bool(row["is_baseline"]),
        due_at=from_iso(row["due_at"]) if row["due_at"] else None,
        late=bool(row["late"]),
        corrects_id=row["corrects_id"],
        correction_reason=row["correction_reason"],
        signs=VitalSigns(**values),
    )


def event_record(row: Row) -> SessionEvent:
    """An events row, its details parsed."""
    return SessionEvent(
        id=row["id"],
        session_id=row["session_id"],
        kind=row["kind"],
        occurred_at=from_iso(row["occurred_at"]),
        entered_at=from_iso(row["entered_at"]),
        recorded_by=row["recorded_by"],
        details=json.loads(row["details_json"]),
        corrects_id=row["corrects_id"],
        correction_reason=row["correction_reason"],
    )


def alert_record(row: Row, ack: Row | None = None) -> AlertRecord:
    """An alerts row, with its alert_acks row if it was acknowledged."""
    acked_at = ack.get("acked_at") if ack else None
    return AlertRecord(
        id=row["id"],
        session_id=row["session_id"],
        check_id=row["check_id"],
        severity=severity(row["severity"]),
        rule=row["rule"],
        measure=row["measure"],
        value=row["value"],
        message=row["message"],
        raised_at=from_iso(row["raised_at"]),
        acked_by=(ack.get("acked_by") or "") if ack else "",
        acked_at=from_iso(acked_at) if acked_at else None,
        ack_response=(ack.get("response") or "") if ack else "",
    )


def resolution_record(row: Row) -> AlertResolution:
    """An alert_resolutions row."""
    return AlertResolution(
        row["alert_id"], row["correction_id"], row["resolved_by"], from_iso(row["resolved_at"])
    )


def named(columns: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    """A SELECT's tuple as a row mapping, by the columns it selected in that order."""
    return dict(zip(columns, values, strict=True))
