"""The monitor alias table (codes.toml) as lookups: a code to a measure, a unit to its own.

The table is data so that a clinic's gateway with another code needs a line of TOML, not
a release. It is checked once when read: every measure must be one of
`samples.MEASURES`, every unit kind one a measure has, so a typo fails at start-up (and
in the tests), never as a value silently dropped in a session.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

from session_app.devices.samples import MEASURES

TABLE_PATH = Path(__file__).with_name("codes.toml")

# How OBX-3.3 names each coding system of the table (HL7 table 0396, and what vendors send).
SYSTEMS = {"MDC": "MDC", "LN": "LOINC", "LOINC": "LOINC", "MDIL": "MDIL"}
# Philips' numeric MDIL form: the 11073 partition and code in hex ("0002-4a05").
_MDIL_NUMERIC = re.compile(r"([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})")


class CodeTableError(ValueError):
    """The alias table cannot be used as written; the message names the entry."""


@dataclass(frozen=True)
class Unit:
    """One unit a device may send: its measure kind and how it becomes canonical."""

    name: str
    kind: str
    factor: float = 1.0
    zero: float = 0.0

    def to_canonical(self, value: float) -> float:
        return (value - self.zero) * self.factor


class CodeTable:
    """Lookups over the parsed table; built by `load_codes`."""

    def __init__(self, table: dict[str, Any], source: Path) -> None:
        try:
            self._build(table)
        except CodeTableError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CodeTableError(f"{source}: entry missing or malformed ({exc!r})") from exc

    def _build(self, table: dict[str, Any]) -> None:
        self.kinds: dict[str, str] = {}
        self.canonical_units: dict[str, str] = {}
        for measure, spec in table["measures"].items():
            _known_measure(measure, "measures")
            self.kinds[measure] = str(spec["kind"])
            self.canonical_units[measure] = str(spec["unit"])
        codes = table["codes"]
        self._mdc: dict[str, str] = {}
        self._refids: dict[str, str] = {}  # REFID -> MDC number
        for number, entry in codes["MDC"].items():
            self._mdc[str(number)] = _known_measure(entry["measure"], f"MDC {number}")
            self._refids[str(entry["refid"]).upper()] = str(number)
        self._loinc = {
            str(code): _known_measure(measure, f"LOINC {code}")
            for code, measure in codes["LOINC"].items()
        }
        self._mdil = {
            str(label).lower(): (str(label), _known_measure(measure, f"MDIL {label}"))
            for label, measure in codes["MDIL"].items()
        }
        self.preferred: dict[str, tuple[str, ...]] = {
            _known_measure(measure, "preferred"): tuple(str(code) for code in order)
            for measure, order in table.get("preferred", {}).items()
        }
        self.spot_codes = frozenset(str(code) for code in table.get("spot", {}).get("codes", ()))
        self._units: dict[str, Unit] = {}
        for spec in table["units"]:
            unit = Unit(
                str(spec["name"]),
                str(spec["kind"]),
                float(spec.get("factor", 1.0)),
                float(spec.get("zero", 0.0)),
            )
            if unit.kind not in self.kinds.values():
                raise CodeTableError(f"unit {unit.name}: no measure is of kind '{unit.kind}'")
            for alias in spec["aliases"]:
                self._units[str(alias).lower()] = unit

    def measure_for(self, identifier: str, text: str, system: str) -> tuple[str, str] | None:
        """The measure of an OBX-3 (identifier ^ text ^ coding system) and the code it is
        stored under ("MDC 150456", "LOINC 8867-4", "MDIL NBPs"); None when unknown.

        The coding system decides where to look; a code claimed as MDC is never read as
        LOINC. Without a system, a known MDC number counts, then an MDIL label.
        """
        named = SYSTEMS.get(system.strip().upper(), "")
        identifier, text = identifier.strip(), text.strip()
        if named == "LOINC":
            measure = self._loinc.get(identifier)
            return (measure, f"LOINC {identifier}") if measure else None
        if named in ("MDC", ""):
            found = self._mdc_code(identifier, text)
            if found or named == "MDC":
                return found
        return self._mdil_code(identifier, text)

    def _mdc_code(self, identifier: str, text: str) -> tuple[str, str] | None:
        for candidate in (identifier, self._refids.get(identifier.upper(), "")):
            if candidate in self._mdc:
                return self._mdc[candidate], f"MDC {candidate}"
        number = self._refids.get(text.upper())
        return (self._mdc[number], f"MDC {number}") if number else None

    def _mdil_code(self, identifier: str, text: str) -> tuple[str, str] | None:
        numeric = _MDIL_NUMERIC.fullmatch(identifier)
        if numeric:
            number = str(int(numeric[1], 16) * 65536 + int(numeric[2], 16))
            if number in self._mdc:
                return self._mdc[number], f"MDC {number}"
        for label in (text, identifier):
            if label.lower() in self._mdil:
                spelled, measure = self._mdil[label.lower()]
                return measure, f"MDIL {spelled}"
        return None

    def convert(
        self, measure: str, value: float, unit_id: str, unit_text: str = ""
    ) -> tuple[float, str] | None:
        """`value` in the measure's canonical unit, with that unit's name; None when the
        unit is unknown or measures something else (SpO2 in mmHg). No unit at all
        (an empty OBX-6) is taken as the canonical unit."""
        canonical = self.canonical_units[measure]
        if not unit_id.strip() and not unit_text.strip():
            return value, canonical
        for alias in (unit_id, unit_text):
            unit = self._units.get(alias.strip().lower())
            if unit is not None:
                if unit.kind != self.kinds[measure]:
                    return None
                return unit.to_canonical(value), canonical
        return None


class Reading(Protocol):
    """A device value as far as "one reading" needs it (a stored observation, a row)."""

    @property
    def measure(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def implausible(self) -> bool: ...


R = TypeVar("R", bound=Reading)


def continuous_values(values: Iterable[R], table: CodeTable | None = None) -> list[R]:
    """What the trace, its summary and the sustained-breach rule follow of `values`, in
    their order: no spot value (`[spot]`: a cuff's pulse), and of each measure the table
    ranks (`[preferred]`) one value per reading (same device, same time): the best-ranked
    plausible one, else the best-ranked. Two heart rates a second drew the trace as a
    zigzag between the ECG's and the pulse rate's, and a breach on one was reset by the
    other."""
    codes = table or load_codes()
    preferred = codes.preferred
    kept = [v for v in values if v.code not in codes.spot_codes]

    def rank(value: R) -> tuple[bool, int]:
        order = preferred[value.measure]
        position = order.index(value.code) if value.code in order else len(order)
        return (value.implausible, position)

    best: dict[tuple[str, str, datetime], R] = {}
    for value in kept:
        if value.measure in preferred:
            key = (value.measure, value.device, value.observed_at)
            if key not in best or rank(value) < rank(best[key]):
                best[key] = value
    chosen = {id(v) for v in best.values()}
    return [v for v in kept if v.measure not in preferred or id(v) in chosen]


def _known_measure(measure: object, where: str) -> str:
    if measure not in MEASURES:
        raise CodeTableError(
            f"alias table, {where}: '{measure}' is not a measure (accepted: {', '.join(MEASURES)})"
        )
    return str(measure)


def load_codes(path: Path | None = None) -> CodeTable:
    """The alias table at `path` (default: the one shipped beside this module, read once)."""
    if path is None:
        return _shipped()
    return _read(path)


@cache
def _shipped() -> CodeTable:
    return _read(TABLE_PATH)


def _read(path: Path) -> CodeTable:
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CodeTableError(f"the alias table {path} cannot be read: {exc}") from exc
    return CodeTable(table, path)
