"""NEWS2 (Royal College of Physicians, 2017), SpO2 scale 1: a secondary display.

Ketamine caveats (DESIGN.md): expected dissociation can score consciousness 3, and a
ketamine BP rise scores nothing below 220, so NEWS2 never replaces the BP alerts.
A score with missing parameters is partial and must never be shown as complete: its
total is only a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from session_app.domain.vitals import VitalSigns

PARAMETERS: dict[str, str] = {
    "resp_rate": "respiratory rate",
    "spo2": "SpO2",
    "on_oxygen": "air or oxygen",
    "systolic": "systolic BP",
    "heart_rate": "pulse",
    "consciousness": "consciousness",
    "temperature": "temperature",
}


@dataclass(frozen=True)
class News2Score:
    total: int  # sum of the parameters present
    parts: dict[str, int]  # points per parameter present (keys of PARAMETERS)
    missing: tuple[str, ...]  # parameters not measured (keys of PARAMETERS)
    band: str  # "low", "low-medium", "medium", "high" — of the parameters present

    @property
    def partial(self) -> bool:
        return bool(self.missing)

    @property
    def missing_labels(self) -> tuple[str, ...]:
        return tuple(PARAMETERS[m] for m in self.missing)

    @property
    def short(self) -> str:
        """The table form, one for the flowsheet, the summary and the PDF: the total, with
        "*" when partial (then it is only a lower bound), e.g. "3" or "2*"."""
        return f"{self.total}*" if self.partial else str(self.total)

    @property
    def text(self) -> str:
        """Short display, e.g. "NEWS2 3 (low)" or "NEWS2 ≥3 partial (low; temperature missing)"."""
        if not self.partial:
            return f"NEWS2 {self.total} ({self.band})"
        return (
            f"NEWS2 ≥{self.total} partial ({self.band}; {', '.join(self.missing_labels)} missing)"
        )


def _resp(rr: int) -> int:
    if rr <= 8:
        return 3
    if rr <= 11:
        return 1
    if rr <= 20:
        return 0
    return 2 if rr <= 24 else 3


def _spo2(spo2: int) -> int:
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    return 1 if spo2 <= 95 else 0


def _systolic(sys_: int) -> int:
    if sys_ <= 90:
        return 3
    if sys_ <= 100:
        return 2
    if sys_ <= 110:
        return 1
    return 0 if sys_ <= 219 else 3


def _pulse(hr: int) -> int:
    if hr <= 40:
        return 3
    if hr <= 50:
        return 1
    if hr <= 90:
        return 0
    if hr <= 110:
        return 1
    return 2 if hr <= 130 else 3


def _temperature(temp_c: float) -> int:
    t = round(temp_c, 1)
    if t <= 35.0:
        return 3
    if t <= 36.0:
        return 1
    if t <= 38.0:
        return 0
    return 1 if t <= 39.0 else 2


def band(total: int, parts: dict[str, int]) -> str:
    """RCP bands: 5–6 medium, ≥7 high; below 5 any single 3 is low-medium, else low."""
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    return "low-medium" if 3 in parts.values() else "low"


def news2(signs: VitalSigns) -> News2Score:
    """Score one check. Consciousness: MOAA/S 5 is Alert (0); below 5 counts as new C/V/P/U (3)."""
    values = {
        "resp_rate": signs.resp_rate,
        "spo2": signs.spo2,
        "on_oxygen": signs.on_oxygen,
        "systolic": signs.systolic,
        "heart_rate": signs.heart_rate,
        "consciousness": signs.moaas,
        "temperature": signs.temperature_c,
    }
    scorers = {
        "resp_rate": _resp,
        "spo2": _spo2,
        "on_oxygen": lambda on: 2 if on else 0,
        "systolic": _systolic,
        "heart_rate": _pulse,
        "consciousness": lambda moaas: 0 if moaas >= 5 else 3,
        "temperature": _temperature,
    }
    parts = {k: scorers[k](v) for k, v in values.items() if v is not None}
    missing = tuple(k for k, v in values.items() if v is None)
    total = sum(parts.values())
    return News2Score(total, parts, missing, band(total, parts))
