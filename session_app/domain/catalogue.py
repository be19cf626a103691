"""Every clinic setting, declared once (the Picard habit): key, type, default, title, range.

This is the one list. `session_app.domain.settings` (the registry) imports it, so the
full set is known whatever was imported first: nothing is added to it at import time
elsewhere. It imports nothing clinical at load, because the app reads the settings
(the media folders) before the patient window's first paint; the schedule texts are
checked by the protocol grammar, which is loaded only when one is checked.

The threshold defaults are the design values (DESIGN.md section 3); the `Thresholds`
defaults in `protocols` (used for older snapshots) must equal them, and
tests/domain/test_protocols.py holds the two together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One clinic-changeable value.

    `normalize`, for text settings with a grammar (e.g. a check schedule), parses the
    text and returns its canonical spelling, or raises ValueError with the sentence to
    show. `group` and `help` exist so a dialog can be generated from the registry.
    """

    key: str
    type: type
    default: Any
    title: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    group: str = ""
    help: str = ""
    normalize: Callable[[str], str] | None = None

    def coerce(self, value: object) -> Any:
        """Check a value against the declaration (it comes from a file or a form, so any
        type); raise ValueError naming the setting."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.title}: '{value}' is not yes/no")
            return value
        if self.type in (int, float):
            return self._number(value)
        if self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{self.title}: expected a list of folder paths")
            return list(value)
        if self.type is str:
            return self._text(value)
        return self.type(value)

    def _number(self, value: object) -> int | float:
        if isinstance(value, bool):
            raise ValueError(f"{self.title}: '{value}' is not a number")
        try:
            number = self.type(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.title}: '{value}' is not a number") from None
        if self.type is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{self.title}: '{value}' is not a whole number")
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            bounds = f"{self.low:g}–{self.high:g} {self.unit}".rstrip()
            raise ValueError(f"{self.title}: '{value}' is outside {bounds}")
        return number

    def _text(self, value: object) -> str:
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.title}: '{value}' is not one of {', '.join(self.choices)}")
        if not isinstance(value, str):
            raise ValueError(f"{self.title}: '{value}' is not text")
        if self.normalize is None:
            return value
        try:
            return self.normalize(value)
        except ValueError as exc:
            raise ValueError(f"{self.title}: {exc}") from None


PHASE_TEXT_HELP = (
    "e.g. 'every 15 min for 60 min, then every 30 min for 120 min, then every 60 min'; "
    "the last part may go on without 'for'; leave empty for none"
)


def _phase_text(text: str) -> str:
    """The canonical spelling of a check schedule, read by the protocol grammar.

    Imported here, on first use, because the grammar's module reads the settings
    (a preset resolves them) and costs start-up time the patient window must not pay.
    """
    from session_app.domain.protocols import normalize_phase_text

    return normalize_phase_text(text)


def _name_text(text: str) -> str:
    """A name or an ID printed on a form: trimmed, one line, at most 120 characters."""
    from session_app.domain.text import snippet, text_problem

    trimmed = text.strip()
    if problem := text_problem(trimmed, 120):
        raise ValueError(f"'{snippet(text)}' {problem} (accepted: at most 120 characters)")
    return trimmed


def _concentration_text(text: str) -> str:
    """A concentration in mg/mL ("" when the clinic gives none), in its canonical spelling."""
    from session_app.domain.dose import parse_concentration

    value = parse_concentration(text)
    return "" if value is None else f"{value:g}"


def _listen_text(text: str) -> str:
    """Where the room listens for its monitor: "" (off), HOST:PORT, or a PORT alone
    (then on this computer only, 127.0.0.1)."""
    import ipaddress

    trimmed = text.strip()
    if not trimmed:
        return ""
    host, _, port = trimmed.rpartition(":")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        if bare:
            ipaddress.ip_address(bare)
        number = int(port)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise ValueError(f"'{trimmed}' is not HOST:PORT (e.g. 127.0.0.1:2575; port 1–65535)")
    return f"{host or '127.0.0.1'}:{number}"


def _addresses_text(text: str) -> str:
    """IP addresses separated by commas or spaces, in one canonical spelling."""
    import ipaddress

    addresses = text.replace(",", " ").split()
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"'{address[:40]}' is not an IP address (e.g. 10.0.0.5)") from None
    return ", ".join(addresses)
def _conninfo_text(text: str) -> str:
    """A clinic server's connection string as kept in the settings: never with a password
    (that is in the room's 0600 passfile). Only the password is looked for here; libpq
    checks the rest when the sender connects."""
    trimmed = text.strip()
    if re.search(r"(^|\s)password\s*=", trimmed) or re.match(r"^\w+://[^/@\s]*:[^/@\s]*@", trimmed):
        raise ValueError("holds a password: keep it in the room's passfile (0600), not here")
    if "\n" in trimmed:
        raise ValueError("must be one line")
    return trimmed


_T = "Alert thresholds"
_S = "Check schedule"
_IV = "IV ketamine"
_REMS = "Esketamine (REMS)"
_MONITOR = "Monitor feed"
_CLINIC = "Clinic"


def _threshold(
    name: str, default: int, title: str, low: int, high: int, unit: str = "mmHg"
) -> Setting:
    return Setting(f"thresholds.{name}", int, default, title, low, high, unit=unit, group=_T)


CATALOGUE: tuple[Setting, ...] = (
    # app-wide (the dialog's "General" tab)
    Setting("media_folders", list, [], "Clinic media folders"),
    Setting("temperature_unit", str, "°C", "Temperature unit", choices=("°C", "°F")),
    Setting(
        "staff.lock_after_min",
        int,
        5,
        "Lock the staff panel after this long without input",
        1,
        120,
        unit="min",
        help="The staff PIN unlocks it again.",
    ),
    # clinical: what each protocol preset reads
    _threshold(
        "predose_sys_delay", 140, "Before dosing: consider delaying if systolic above", 100, 220
    ),
    _threshold(
        "predose_dia_delay", 90, "Before dosing: consider delaying if diastolic above", 50, 140
    ),
    _threshold("sys_high", 180, "High alert at systolic at or above", 120, 260),
    _threshold("dia_high", 110, "High alert at diastolic at or above", 60, 160),
    _threshold("sys_rise", 40, "Alert on a systolic rise over baseline of at least", 10, 100),
    _threshold("dia_rise", 25, "Alert on a diastolic rise over baseline of at least", 5, 80),
    _threshold("hr_low", 50, "Alert on heart rate below", 20, 100, "/min"),
    _threshold("hr_high", 130, "Alert on heart rate above", 60, 220, "/min"),
    _threshold("spo2_low", 92, "Alert on SpO2 below", 70, 100, "%"),
    _threshold("rr_low", 10, "Alert on respiratory rate below", 2, 20, "/min"),
    _threshold("rr_high", 30, "Alert on respiratory rate above", 10, 70, "/min"),
    _threshold("moaas_alert", 2, "Alert on sedation (MOAA/S) at or below", 0, 4, ""),
    _threshold("moaas_urgent", 0, "Urgent alert on sedation (MOAA/S) at or below", 0, 3, ""),
    # The monitor's continuous numerics (issue 17): an alert only when a breach has held
    # this long (domain.sustained); the HR limits are the thresholds above.
    Setting(
        "monitor_spo2_below",
        int,
        92,
        "Monitor: alert when SpO2 stays below",
        70,
        100,
        unit="%",
        group=_MONITOR,
        help="A single low reading from the monitor or oximeter never alerts.",
    ),
    Setting(
        "monitor_sustained_s",
        int,
        15,
        "Monitor: alert once a value has stayed out of range for",
        5,
        120,
        unit="s",
        group=_MONITOR,
        help="Heart rate uses the alert thresholds' limits; a gap in the data starts over.",
    ),
    Setting(
        "flowsheet.bp_advisory_tint",  # domain.advisory.TINT_SETTING
        bool,
        False,
        "Flowsheet: tint a blood pressure between 'consider delaying' and the alert threshold",
        group=_T,
        help=(
            "A quiet cue on the flowsheet cell only: not an alert, nothing sounds or is "
            "stored. Off by default: the two levels have sources, but no public source "
            "sets this band as a cue after the dose."
        ),
    ),
    Setting(
        "schedule.overdue_amber_min",
        int,
        2,
        "Overdue check turns amber after",
        1,
        30,
        unit="min",
        group=_S,
        help="A check taken later than this after its due time is late.",
    ),
    Setting(
        "schedule.overdue_red_min",
        int,
        5,
        "Overdue check turns red after",
        2,
        60,
        unit="min",
        group=_S,
    ),
    Setting(
        "schedule.early_min",
        int,
        5,
        "An early check counts for its due time up to",
        0,
        15,
        unit="min",
        group=_S,
    ),
    Setting(
        "iv.during_infusion",
        str,
        "every 15 min",
        "Checks from the infusion start",
        group=_IV,
        help=PHASE_TEXT_HELP,
        normalize=_phase_text,
    ),
    Setting(
        "iv.planned_infusion_min",
        int,
        40,
        "Planned infusion length (pre-filled with the infusion start)",
        5,
        240,
        unit="min",
        group=_IV,
        help="Typical infusions run 40–60 min; the nurse can change it at each start.",
    ),
    Setting(
        "iv.check_at_infusion_end",
        bool,
        True,
        "A check when the infusion ends",
        group=_IV,
    ),
    Setting(
        "iv.after_infusion",
        str,
        "every 15 min",
        "Checks after the infusion ends",
        group=_IV,
        help=PHASE_TEXT_HELP,
        normalize=_phase_text,
    ),
    Setting(
        "iv.min_monitoring_min",
        int,
        60,
        "Minimum monitoring after the infusion ends",
        15,
        480,
        unit="min",
        group=_IV,
    ),
    Setting(
        "iv.typical_dose",
        float,
        0.5,
        "Usual dose (pre-filled in the dose form)",
        0.05,
        2.0,
        unit="mg/kg",
        group=_IV,
    ),
    # Weight-based dosing (0.5 mg/kg over 40 min, DESIGN.md section 3): without a weight a
    # mg/kg dose is no amount, so IV ketamine requires one (issue 15).
    Setting(
        "iv.weight_required",
        bool,
        True,
        "Weight required to start a session",
        group=_IV,
        help="A mg/kg dose is turned into mg with the session's weight.",
    ),
    Setting(
        "iv.concentration_mg_ml",
        str,
        "",
        "Concentration of the prepared infusion",
        unit="mg/mL",
        group=_IV,
        normalize=_concentration_text,
        help="0.1–100 mg/mL; with it, each dose is also shown in mL. Empty: not given.",
    ),
    Setting(
        "rems.post_dose_check_min",
        int,
        40,
        "Blood pressure check after dosing at",
        20,
        90,
        unit="min",
        group=_REMS,
    ),
    Setting(
        "rems.min_monitoring_min",
        int,
        120,
        "Minimum monitoring after dosing",
        120,
        480,
        unit="min",
        group=_REMS,
        help="The REMS programme requires at least 120 minutes.",
    ),
    Setting(
        "rems.extra_checks",
        str,
        "",
        "Additional regular checks after dosing",
        group=_REMS,
        help=PHASE_TEXT_HELP,
        normalize=_phase_text,
    ),
    Setting(
        "rems.weight_required",
        bool,
        False,
        "Weight required to start a session",
        group=_REMS,
        help="Esketamine is a fixed dose (56 or 84 mg): no weight is needed.",
    ),
    Setting(
        "rems.typical_dose",
        int,
        56,
        "Usual dose (pre-filled in the dose form)",
        28,
        84,
        unit="mg",
        group=_REMS,
    ),
    # Who and where, for the REMS patient monitoring form: empty until the clinic sets
    # them, and the form lists them as missing while they are.
    Setting(
        "rems.setting_name",
        str,
        "",
        "Healthcare setting name",
        group=_REMS,
        normalize=_name_text,
        help="As enrolled in the esketamine REMS; printed on the REMS form.",
    ),
    Setting(
        "rems.setting_id",
        str,
        "",
        "Healthcare setting REMS ID",
        group=_REMS,
        normalize=_name_text,
    ),
    Setting(
        "rems.prescriber",
        str,
        "",
        "Default prescriber",
        group=_REMS,
        normalize=_name_text,
        help="Pre-filled on the REMS form; the discharge checklist may name another.",
    ),
    # Monitor feed (issue 17): off until a clinic sets where to listen.
    Setting(
        "monitor_listen",
        str,
        "",
        "Listen for the patient monitor (HL7 over MLLP) at",
        group=_MONITOR,
        normalize=_listen_text,
        help="HOST:PORT, e.g. 127.0.0.1:2575; a port alone listens on this computer only. "
        "Empty: off. Takes effect when session_app next starts.",
    ),
    Setting(
        "monitor_allowed_senders",
        str,
        "",
        "Monitors and gateways allowed to send (IP addresses)",
        group=_MONITOR,
        normalize=_addresses_text,
        help="Separated by commas. Empty: this computer only. Takes effect when "
        "session_app next starts.",
    ),
    Setting(
        "bed_label",
        str,
        "",
        "This room's bed, as the monitor sends it (PV1-3)",
        group=_MONITOR,
        normalize=_name_text,
        help="The whole point of care as sent, e.g. KET^^CHAIR3: a message for this bed "
        "belongs to the open session. Empty: matched by patient ID only.",
    ),
    # Clinic mode (issue 16): saved by `session-app clinic join`, which checks them with
    # the server first. Empty: the room has not joined a clinic and sends nothing.
    Setting(
        "clinic.room",
        str,
        "",
        "This room's name in the clinic",
        group=_CLINIC,
        normalize=_name_text,
        help="Set by `session-app clinic join`; empty when the room is on its own.",
    ),
    Setting(
        "clinic.server",
        str,
        "",
        "Clinic server (libpq connection string)",
        group=_CLINIC,
        normalize=_conninfo_text,
        help="e.g. host=clinic-db dbname=clinic user=clinic_room_2; no password here.",
    ),
    Setting(
        "clinic.passfile",
        str,
        "",
        "Room's passfile (0600)",
        group=_CLINIC,
        help="Written by `session-app clinic add-room`; empty: libpq's default (~/.pgpass).",
    ),
)


def _ordered_pairs(values: Mapping[str, Any]) -> dict[str, str]:
    """Limits that must come in order, e.g. the red overdue time after the amber one."""
    problems: dict[str, str] = {}
    pairs = (
        ("schedule.overdue_amber_min", "schedule.overdue_red_min", "the amber time"),
        ("thresholds.hr_low", "thresholds.hr_high", "the low heart-rate limit"),
        ("thresholds.rr_low", "thresholds.rr_high", "the low respiratory-rate limit"),
        ("thresholds.moaas_urgent", "thresholds.moaas_alert", "the urgent MOAA/S level"),
        ("thresholds.predose_sys_delay", "thresholds.sys_high", "the pre-dose systolic limit"),
        ("thresholds.predose_dia_delay", "thresholds.dia_high", "the pre-dose diastolic limit"),
    )
    for low_key, high_key, words in pairs:
        low, high = values.get(low_key), values.get(high_key)
        strict = low_key != "thresholds.moaas_urgent"
        if low is not None and high is not None and (low >= high if strict else low > high):
            title = _TITLES[high_key]
            relation = "more than" if strict else "at least"
            problems[high_key] = f"{title}: '{high}' must be {relation} {words} ({low})"
    return problems


_TITLES = {setting.key: setting.title for setting in CATALOGUE}

CrossCheck = Callable[[Mapping[str, Any]], dict[str, str]]
CROSS_CHECKS: tuple[CrossCheck, ...] = (_ordered_pairs,)
"""Rules between settings: each takes every value and returns {key: message}."""
