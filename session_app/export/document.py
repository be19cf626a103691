"""The summary as an HTML document (the subset Qt's QTextDocument renders).

The same document is shown on screen (SummaryView) and printed to PDF, so the chart copy
and the screen never disagree. Pure string building, no Qt: the charts are referenced as
an image resource (`CHART_URL`) that the caller adds to its QTextDocument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape

from session_app.devices.samples import CLOCK_SKEW_WORDS
from session_app.domain.clock import format_local, to_local
from session_app.domain.corrections import RESOLVED_BY_CORRECTION, AlertResolution
from session_app.domain.discharge import ALDRETE_ITEMS
from session_app.domain.records import AlertRecord
from session_app.domain.rems import monitoring_minutes
from session_app.domain.summary import (
    CheckLine,
    CorrectionNote,
    DoseLine,
    EventLine,
    MonitorTrace,
    SessionSummary,
    check_changes,
    event_changes,
)
from session_app.domain.text import shown_plainly
from session_app.domain.vitals import FIELD_BY_NAME

CHART_URL = "summary://charts.png"
APP_NOTE = (
    "This summary lists what was recorded during the session. The app records and "
    "reminds; it does not make clinical decisions."
)


def _t(when: datetime | None, *, date: bool = False) -> str:
    return format_local(when, with_date=date) if when else "—"


def _e(value: object) -> str:
    """Outside text as literal HTML text: escaped, its bidirectional controls shown."""
    return escape(shown_plainly(str(value)), quote=False)


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    if digits == 0 and float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits or 1}f}"


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def utc_offset_text(when: datetime) -> str:
    offset = to_local(when).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths: Sequence[int] | None = None,
    css: str = "grid",
    raw: bool = False,
) -> str:
    """A table; cells are escaped unless `raw` (then the caller escaped them)."""
    head = "".join(
        f'<th{f" width={widths[i]}%" if widths else ""} align="left">{_e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{c if raw else _e(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        f'<table class="{css}" width="100%" cellspacing="0" cellpadding="3">'
        f"<thead><tr>{head}</tr></thead>{body}</table>"
    )


def _section(title: str, body: str, *, anchor: str = "") -> str:
    name = f' id="{anchor}"' if anchor else ""
    return f"<h2{name}>{_e(title)}</h2>{body}"


def _empty(text: str) -> str:
    return f'<p class="empty">{_e(text)}</p>'


# A corrected row carries "[n]"; footnote n under its table says what it replaced.
Marks = Mapping[tuple[str, int], int]


def correction_marks(summary: SessionSummary) -> dict[tuple[str, int], int]:
    """Footnote numbers for the corrected rows, in the order the document shows them."""
    marks: dict[tuple[str, int], int] = {}
    keyed: list[tuple[str, int | None, tuple[CorrectionNote, ...]]] = []
    dose_rows: list[DoseLine | EventLine] = [*summary.doses, *summary.infusion]
    dose_rows += summary.concomitant
    keyed += [("event", d.event_id, d.corrections) for d in sorted(dose_rows, key=lambda d: d.at)]
    keyed += [("check", c.check.id, c.corrections) for c in summary.checks]
    for lines in (
        summary.adverse_events,
        summary.interventions,
        summary.notes,
        summary.other_events,
    ):
        keyed += [("event", e.event_id, e.corrections) for e in lines]
    for kind, row_id, notes in keyed:
        if notes and row_id is not None and (kind, row_id) not in marks:
            marks[(kind, row_id)] = len(marks) + 1
    return marks


def _mark(marks: Marks, kind: str, row_id: int | None) -> str:
    number = marks.get((kind, row_id)) if row_id is not None else None
    return f" [{number}]" if number else ""


def _footnotes(
    marks: Marks, rows: Iterable[tuple[str, int | None, Sequence[CorrectionNote]]]
) -> str:
    """The footnotes of one table: "[1] Check of 10:15 corrected: HR was 170; by CD at …"."""
    notes = []
    for kind, row_id, corrections in rows:
        number = marks.get((kind, row_id)) if row_id is not None else None
        if not number or not corrections:
            continue
        text = "; then ".join(c.text for c in corrections)
        notes.append(f"[{number}] {corrections[0].record} {text}.")
    if not notes:
        return ""
    return "".join(f'<p class="small correction">{_e(n)}</p>' for n in notes)


def _monitoring_text(summary: SessionSummary) -> str:
    """Total monitoring as the REMS form defines it (administration to the end of
    monitoring), so the document gives one figure, not one from the start and one from
    the dose."""
    minutes = monitoring_minutes(summary.dose_at, summary.as_of)
    if minutes is None:
        return "— (no administration recorded)"
    return f"{minutes:.0f} min from administration" + ("" if summary.is_ended else " so far")


def header_html(summary: SessionSummary) -> str:
    s = summary.session
    state = (
        f"ended {_t(s.ended_at, date=True)} by {s.ended_by}"
        if s.ended_at
        else f"in progress — summary as of {_t(summary.as_of, date=True)}"
    )
    weight = f"{s.weight_kg:g} kg" if s.weight_kg else "—"
    rows = [
        ("Patient ID", f"<b>{_e(s.patient_id)}</b>", "Date", _e(_t(s.started_at, date=True)[:10])),
        ("Protocol", _e(s.protocol_name), "Staff", _e(s.staff_initials)),
        ("Started", _e(_t(s.started_at)), "Ended", _e(_t(s.ended_at))),
        (
            "Total monitoring",
            _monitoring_text(summary),
            "Weight",
            _e(weight),
        ),
        ("Session", _e(state), "Record no.", _e(s.id)),
    ]
    cells = "".join(
        f'<tr><td class="key" width="18%">{a}</td><td width="32%">{b}</td>'
        f'<td class="key" width="18%">{c}</td><td width="32%">{d}</td></tr>'
        for a, b, c, d in rows
    )
    return (
        f'<h1>Treatment session summary</h1><table class="facts" width="100%" cellspacing="0"'
        f' cellpadding="3">{cells}</table>'
        f'<p class="small">Times are local ({_e(utc_offset_text(s.started_at))}).</p>'
    )


def dose_html(summary: SessionSummary, marks: Marks | None = None) -> str:
    marks = correction_marks(summary) if marks is None else marks
    rows: list[tuple[datetime, str, str, str]] = [
        (
            d.at,
            "Dose",
            f"{d.drug} {d.amount.text if d.amount else d.dose}, {d.route}, lot {d.lot or '—'}"
            + _mark(marks, "event", d.event_id),
            d.recorded_by,
        )
        for d in summary.doses
    ]
    rows += [
        (e.at, "Infusion", e.text + _mark(marks, "event", e.event_id), e.recorded_by)
        for e in summary.infusion
    ]
    rows += [
        (e.at, "Before dosing", e.text + _mark(marks, "event", e.event_id), e.recorded_by)
        for e in summary.concomitant
    ]
    rows.sort(key=lambda r: r[0])
    if not rows:
        return _section("Dose and infusion", _empty("No dose recorded."))
    lines: list[DoseLine | EventLine] = [*summary.doses, *summary.infusion, *summary.concomitant]
    lines.sort(key=lambda line: line.at)
    return _section(
        "Dose and infusion",
        _table(
            ("Time", "Event", "Details", "By"),
            [(_t(at), kind, text, by) for at, kind, text, by in rows],
            widths=(10, 12, 70, 8),
        )
        + _footnotes(marks, [("event", line.event_id, line.corrections) for line in lines]),
    )


MONITOR_MARK = "M"  # after the initials of a check recorded from the monitor
MONITOR_CLOCK_FLAG = "monitor clock differed"  # its time is the monitor's, far from the room's

_CHECK_HEADERS = (
    "Time",
    "Min",
    "BP",
    "HR",
    "SpO2",
    "RR",
    "Temp",
    "MOAA/S",
    "Diss.",
    "Anx",
    "Nau",
    "Pain",
    "NEWS2",
    "By",
    "Flags",
)


def _check_row(line: CheckLine, marks: Marks | None = None) -> list[str]:
    s = line.check.signs
    bp = f"{s.systolic}/{s.diastolic}" if s.systolic is not None else "—"
    spo2 = _num(s.spo2) + (" O2" if s.on_oxygen else "")
    diss = _yes_no(s.dissociation)
    if s.cadss is not None:
        diss = f"{diss if s.dissociation is not None else ''} C{s.cadss}".strip()
    score = line.news2
    news = score.short
    flags = []
    if line.check.is_baseline:
        flags.append("baseline")
    if line.check.late:
        flags.append("late")
    if line.corrected:
        flags.append("corrected" + _mark(marks or {}, "check", line.check.id))
    if line.alert_count:
        flags.append(f"{line.alert_count} alert{'s' if line.alert_count > 1 else ''}")
    if line.corrected_alert_count:
        n = line.corrected_alert_count
        flags.append(f"{n} alert{'s' if n > 1 else ''} {RESOLVED_BY_CORRECTION}")
    if line.monitor_clock_differed:
        flags.append(MONITOR_CLOCK_FLAG)
    minutes = f"{line.minutes_from_dose:+.0f}" if line.minutes_from_dose is not None else "—"
    cells = [
        _t(line.check.taken_at),
        minutes,
        bp,
        _num(s.heart_rate),
        spo2,
        _num(s.resp_rate),
        _num(s.temperature_c, 1) if s.temperature_c is not None else "—",
        _num(s.moaas),
        diss,
        _num(s.anxiety),
        _num(s.nausea),
        _num(s.pain),
        news,
        s.recorded_by + (f" ({MONITOR_MARK})" if line.from_monitor else ""),
        ", ".join(flags),
    ]
    return [_e(c) for c in cells]


def vitals_html(summary: SessionSummary, marks: Marks | None = None) -> str:
    marks = correction_marks(summary) if marks is None else marks
    parts: list[str] = []
    counts = summary.counts
    if counts is not None:
        parts.append(
            f"<p>Scheduled checks: <b>{counts.due}</b> due, <b>{counts.done}</b> done, "
            f"<b>{counts.late}</b> late, <b>{counts.missed}</b> missed.</p>"
        )
    if not summary.checks:
        parts.append(_empty("No vital signs recorded."))
        return _section("Vital signs", "".join(parts))
    parts.append(
        _table(
            _CHECK_HEADERS,
            [_check_row(c, marks) for c in summary.checks],
            css="grid dense",
            raw=True,
        )
    )
    parts.append(_footnotes(marks, [("check", c.check.id, c.corrections) for c in summary.checks]))
    parts.append(
        '<p class="small">Min: minutes from the dose. BP in mmHg, HR and RR per min, SpO2 in % '
        "(O2: on supplemental oxygen), temperature in °C. Diss.: dissociation observed "
        "(C: CADSS total). Anx/Nau/Pain: patient-reported 0–10. NEWS2 marked * is partial "
        "(some parameters not measured).</p>"
    )
    if devices := _monitor_devices(summary):
        parts.append(
            f'<p class="small">{MONITOR_MARK}: recorded from the monitor ({_e(devices)}) and '
            "confirmed by the initials shown.</p>"
        )
    if any(line.monitor_clock_differed for line in summary.checks):
        parts.append(
            f'<p class="small">{_e(MONITOR_CLOCK_FLAG.capitalize())}: when the reading came in, '
            f"{_e(CLOCK_SKEW_WORDS)}. The check keeps the time the monitor sent.</p>"
        )
    stats = [
        (
            v.label + (f" ({v.unit})" if v.unit else ""),
            _num(v.baseline, 1 if v.measure == "temperature_c" else 0),
            _num(v.minimum, 1 if v.measure == "temperature_c" else 0),
            _num(v.maximum, 1 if v.measure == "temperature_c" else 0),
            (f"{v.peak_change:+.1f}" if v.measure == "temperature_c" else f"{v.peak_change:+.0f}")
            if v.peak_change is not None
            else "—",
            _t(v.peak_change_at),
            str(v.count),
        )
        for v in summary.vitals
        if v.count
    ]
    parts.append("<h3>Per vital sign</h3>")
    parts.append(
        _table(
            ("Vital sign", "Baseline", "Min", "Max", "Peak change", "When", "Checks"),
            stats,
            widths=(30, 12, 10, 10, 14, 14, 10),
        )
    )
    return _section("Vital signs", "".join(parts))


def _monitor_devices(summary: SessionSummary) -> str:
    """The devices the checks marked M came from, in table order ('' when none)."""
    names = dict.fromkeys(name for line in summary.checks for name in line.devices)
    return ", ".join(names)


def _measure_label(measure: str) -> tuple[str, str]:
    """(label, unit) as the document names a measure elsewhere ("HR", "/min")."""
    spec = FIELD_BY_NAME.get(measure)
    if spec is None:
        return measure.replace("_", " "), ""
    return {"heart_rate": "HR"}.get(measure, spec.label), spec.unit


def monitor_html(trace: MonitorTrace | None) -> str:
    """The monitor's values as one line per 15-min interval and measure (lowest-highest
    plausible value and how many), never a row per value, then the NIBP sets it sent that
    were set aside, one short list; '' when no monitor fed it."""
    if trace is None:
        return ""
    parts = [f"<p>From: {_e(', '.join(trace.devices))}.</p>"]
    rows = []
    for i in trace.intervals:
        label, unit = _measure_label(i.measure)
        if i.low is None:
            span = "—"
        else:
            span = _num(i.low) if i.low == i.high else f"{_num(i.low)}–{_num(i.high)}"
            span = f"{span} {unit}".strip()
        count = f"{i.count} value{'s' if i.count != 1 else ''}"
        if i.implausible:
            count += f" (+{i.implausible} implausible)"
        rows.append((f"{_t(i.start)}–{_t(i.end)}", label, span, count))
    if rows:
        parts.append(
            _table(
                ("Interval", "Measure", "Lowest–highest", "Values"),
                rows,
                widths=(24, 20, 30, 26),
            )
        )
        parts.append(
            '<p class="small">Each interval is 15 minutes from the session start; every value '
            "is kept in the record, only their range is listed here.</p>"
        )
    else:
        parts.append(_empty("No continuous HR or SpO2 value was received."))
    if trace.implausible_count:
        n = trace.implausible_count
        each = ", ".join(f"{_measure_label(m)[0]} {k}" for m, k in trace.implausible)
        parts.append(
            f"<p>{n} value{'s' if n != 1 else ''} flagged implausible ({_e(each)}): stored, "
            "not counted above, never charted or proposed as a check.</p>"
        )
    if trace.set_aside:
        each = "; ".join(
            f"{_t(a.observed_at)} — {a.values_text} ({a.reason}), {a.device}"
            for a in trace.set_aside
        )
        parts.append(
            f"<p>Monitor NIBP readings set aside: {_e(each)}. Stored, never proposed as a "
            "check.</p>"
        )
    return _section("Monitor values (continuous)", "".join(parts))


def charts_html(width_px: int | None = None, *, new_page: bool = False) -> str:
    """The charts image; in the PDF on a page of its own so the heading stays with it."""
    size = f' width="{width_px}"' if width_px else ""
    brk = ' style="page-break-before: always"' if new_page else ""
    return (
        f"<h2{brk}>Trend charts</h2>"
        f'<p align="center"><img src="{CHART_URL}"{size}></p>'
        '<p class="small">Dashed red lines: alert thresholds of the session\'s protocol; '
        "dotted lines: baseline and the rise that raises an alert; green band: inside the "
        "thresholds; large dots: values that raised an alert; vertical lines: dose and "
        "infusion events.</p>"
    )


def alert_status(alert: AlertRecord, resolution: AlertResolution | None = None) -> str:
    """Who acknowledged the alert and what they did about it, and whether a correction
    resolved it (both are kept)."""
    parts = [f"{alert.acked_by} at {_t(alert.acked_at)}"] if alert.acknowledged else []
    if alert.acknowledged and alert.ack_response:
        parts[0] += f", response: {alert.ack_response}"
    if resolution is not None:
        parts.append(
            f"{RESOLVED_BY_CORRECTION} (record {resolution.correction_id}, "
            f"by {resolution.resolved_by} at {_t(resolution.resolved_at)})"
        )
    return "; ".join(parts) or "not acknowledged"


def alerts_html(
    alerts: Sequence[AlertRecord], resolutions: Mapping[int, AlertResolution] | None = None
) -> str:
    if not alerts:
        return _section("Alerts", _empty("No alerts were raised."))
    resolutions = resolutions or {}
    rows = [
        (
            _e(_t(a.raised_at)),
            f'<span class="sev-{_e(a.severity)}">{_e(a.severity.title)}</span>',
            _e(a.message),
            _e(alert_status(a, resolutions.get(a.id))),
        )
        for a in alerts
    ]
    return _section(
        "Alerts",
        _table(
            ("Raised", "Severity", "Alert", "Acknowledged"), rows, widths=(10, 11, 56, 23), raw=True
        ),
    )


def _events_section(
    title: str, lines: Sequence[EventLine], empty: str, marks: Marks | None = None
) -> str:
    if not lines:
        return _section(title, _empty(empty))
    marks = marks or {}
    return _section(
        title,
        _table(
            ("Time", "Entry", "By"),
            [(_t(e.at), e.text + _mark(marks, "event", e.event_id), e.recorded_by) for e in lines],
            widths=(10, 82, 8),
        )
        + _footnotes(marks, [("event", e.event_id, e.corrections) for e in lines]),
    )


def news2_html(summary: SessionSummary) -> str:
    high = summary.highest_news2
    if high is None:
        body = _empty("No check to score.")
    else:
        score = high.score
        partial = (
            f" — partial: {_e(', '.join(score.missing_labels))} not measured"
            if score.partial
            else ""
        )
        body = (
            f"<p>Highest NEWS2: <b>{score.total}</b> ({_e(score.band)}) at "
            f"{_e(_t(high.at))}{partial}.</p>"
            '<p class="small">NEWS2 is shown as a secondary score: expected ketamine effects '
            "(dissociation, a blood-pressure rise below 220 mmHg) are not captured well by it.</p>"
        )
    return _section("NEWS2", body)


def discharge_html(summary: SessionSummary) -> str:
    d = summary.discharge
    if d is None:
        text = (
            "The session ended without a discharge checklist."
            if summary.is_ended
            else "The discharge checklist has not been completed (session in progress)."
        )
        return _section("Discharge checklist", _empty(text))
    rows = [
        (
            _e(c.label),
            {True: '<span class="met">met</span>', False: '<span class="unmet">not met</span>'}.get(
                c.met, "not known"
            ),
            _e(c.detail),
        )
        for c in d.criteria
    ]
    parts = [_table(("Criterion", "Result", "Detail"), rows, widths=(42, 12, 46), raw=True)]
    aldrete = [
        (
            item.label,
            str(d.aldrete[item.key]) if item.key in d.aldrete else "—",
            item.levels[d.aldrete[item.key]] if item.key in d.aldrete else "not scored",
        )
        for item in ALDRETE_ITEMS
    ]
    parts.append("<h3>Modified Aldrete</h3>")
    parts.append(_table(("Item", "Score", "Observation"), aldrete, widths=(30, 10, 60)))
    total = "—" if d.aldrete_total is None else f"{d.aldrete_total} / 10"
    parts.append(f"<p>Aldrete total: <b>{_e(total)}</b>.</p>")
    overall = "All criteria met." if d.all_met else "Not all criteria met."
    parts.append(f"<p><b>{overall}</b> Completed by {_e(d.ended_by or '—')}.</p>")
    if d.warnings:
        items = "".join(f"<li>{_e(w)}</li>" for w in d.warnings)
        parts.append(
            f'<p class="warn">Warnings shown when the session was ended:</p><ul>{items}</ul>'
        )
    if d.note:
        parts.append(f"<p>Note: {_e(d.note)}</p>")
    return _section("Discharge checklist", "".join(parts))


def rems_html(summary: SessionSummary) -> str:
    form = summary.rems
    if form is None:
        return ""
    rows = [
        (
            _e(f.label),
            _e(f.value) if f.value is not None else '<span class="missing">missing</span>',
            _e(f.source),
        )
        for f in form.fields
    ]
    parts = [_table(("Field", "Value", "From the record"), rows, widths=(36, 28, 36), raw=True)]
    if form.complete:
        parts.append('<p class="met">Every field of the form is filled from the record.</p>')
    else:
        items = "".join(f"<li>{_e(m)}</li>" for m in form.missing)
        parts.append(f'<p class="unmet">Still missing ({len(form.missing)}):</p><ul>{items}</ul>')
    parts.append(
        "<p>Patient name and date of birth: from the clinic's record (this app stores a "
        "pseudonymous patient ID only).</p>"
    )
    hcp = form.field("hcp_name").value or "the healthcare provider"
    parts.append(
        f'<p class="signature">Signature of {_e(hcp)}: {"_" * 36} &nbsp; Date: {"_" * 16}</p>'
    )
    return _section("REMS patient monitoring form", "".join(parts), anchor="rems")


def corrections_html(summary: SessionSummary) -> str:
    """Every correction stored, in the order entered: the audit trail of the record."""
    record = summary.record
    by_id = {c.id: c for c in record.checks}
    events_by_id = {e.id: e for e in record.events}
    rows = [
        (
            c.entered_at,
            f"Check of {_t(by_id[c.corrects_id].taken_at) if c.corrects_id in by_id else '?'}",
            "; ".join(check_changes(by_id[c.corrects_id], c)) if c.corrects_id in by_id else "",
            c.correction_reason or "—",
            c.signs.recorded_by,
        )
        for c in record.checks
        if c.corrects_id is not None
    ]
    rows += [
        (
            e.entered_at,
            f"Event {e.kind.replace('_', ' ')}",
            "; ".join(event_changes(events_by_id[e.corrects_id], e))
            if e.corrects_id in events_by_id
            else "",
            e.correction_reason or "—",
            e.recorded_by,
        )
        for e in record.events
        if e.corrects_id is not None
    ]
    if not rows:
        return ""
    rows.sort(key=lambda r: r[0])
    return _section(
        "Corrections",
        _table(
            ("Entered", "Corrected record", "Replaced", "Reason", "By"),
            [(_t(at), *rest) for at, *rest in rows],
            widths=(12, 20, 30, 30, 8),
        )
        + '<p class="small">A correction never changes or deletes the record it corrects: '
        "both are kept, and the tables above show the values in force.</p>",
    )


def summary_html(
    summary: SessionSummary,
    *,
    chart_width_px: int | None = None,
    with_charts: bool = True,
    page_break_charts: bool = False,
) -> str:
    """The whole summary document, in reading order."""
    marks = correction_marks(summary)
    body = [
        header_html(summary),
        dose_html(summary, marks),
        vitals_html(summary, marks),
        monitor_html(summary.monitor),
        alerts_html(summary.alerts, summary.resolutions),
        charts_html(chart_width_px, new_page=page_break_charts) if with_charts else "",
        _events_section(
            "Adverse events", summary.adverse_events, "No adverse event recorded.", marks
        ),
        _events_section("Interventions", summary.interventions, "No intervention recorded.", marks),
        _events_section("Notes", summary.notes, "No notes.", marks),
        (
            _events_section("Other timeline entries", summary.other_events, "", marks)
            if summary.other_events
            else ""
        ),
        news2_html(summary),
        discharge_html(summary),
        rems_html(summary),
        corrections_html(summary),
        f'<p class="small">{_e(APP_NOTE)}</p>',
    ]
    return f"<html><body>{''.join(body)}</body></html>"
