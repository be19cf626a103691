"""Time sources and formatting.

Every timestamp in the domain is timezone-aware UTC; local time is only for display.
A clock is injected everywhere "now" matters, so tests and simulations never wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock that only moves when told to: for tests and simulated sessions."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(
        self, delta: timedelta | None = None, *, minutes: float = 0, seconds: float = 0
    ) -> None:
        self.current += delta or timedelta(minutes=minutes, seconds=seconds)

    def set(self, when: datetime) -> None:
        self.current = ensure_utc(when)


def ensure_utc(when: datetime) -> datetime:
    """Refuse naive datetimes (they are ambiguous in a clinical record); convert to UTC."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"timestamp {when!r} has no time zone")
    return when.astimezone(UTC)


def to_iso(when: datetime) -> str:
    """Storage form: ISO 8601 in UTC with offset, e.g. 2026-01-05T09:00:00+00:00."""
    return ensure_utc(when).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return ensure_utc(datetime.fromisoformat(text))


def to_local(when: datetime) -> datetime:
    """The machine's local time zone, for display."""
    return ensure_utc(when).astimezone()


def format_local(when: datetime, *, with_date: bool = True) -> str:
    local = to_local(when)
    return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(minutes=1)
