"""Time sources and formatting.

Every timestamp in the domain is timezone-aware UTC; local time is only for display.
A clock is injected everywhere "now" matters, so tests and simulations never wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
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


def local_zone() -> tzinfo:
    """The machine's time zone with its rules (a zoneinfo zone), not just today's offset:
    a back-dated wall time must be read with the offset of *its* moment, which differs
    from now's around a daylight-saving change."""
    import tzlocal  # the well-kept reader of TZ, /etc/timezone and /etc/localtime

    try:
        return tzlocal.get_localzone()
    except Exception:  # an unreadable zone setting: today's offset, as libc sees it
        zone = datetime.now().astimezone().tzinfo
        assert zone is not None
        return zone


def to_local(when: datetime) -> datetime:
    """The machine's local time zone, for display."""
    return ensure_utc(when).astimezone(local_zone())


class LocalTimeError(ValueError):
    """A typed wall-clock time that does not name one moment."""


class NonexistentLocalTime(LocalTimeError):
    """The clocks jumped over it (spring forward)."""

    def __init__(self, day: date) -> None:
        super().__init__(f"did not happen on {day.isoformat()} (the clocks went forward)")


class AmbiguousLocalTime(LocalTimeError):
    """It happened twice (the clocks went back), and both moments are past."""

    def __init__(self, day: date, moments: list[datetime]) -> None:
        self.moments = moments
        super().__init__(f"happened twice on {day.isoformat()} (the clocks went back)")


def _exists(moment: datetime) -> bool:
    naive = moment.replace(tzinfo=None)
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == naive


def resolve_local_time(
    wall: time, now: datetime, *, zone: tzinfo | None = None, zone_name: str = ""
) -> datetime:
    """The latest moment not after `now` whose local wall-clock time is `wall`, in UTC.

    Read with the zone rules of that date (23:50 typed at 00:10 is yesterday). A time the
    clocks skipped is refused; a time of the repeated hour is refused as ambiguous when
    both of its moments are past, unless `zone_name` (e.g. "CEST") says which is meant.
    """
    zone = zone or local_zone()
    local_now = ensure_utc(now).astimezone(zone)
    for day in (local_now.date(), local_now.date() - timedelta(days=1)):
        naive = datetime.combine(day, wall)
        folds = [naive.replace(tzinfo=zone, fold=fold) for fold in (0, 1)]
        if not _exists(folds[0]):
            if naive <= local_now.replace(tzinfo=None):
                raise NonexistentLocalTime(day)
            continue
        past = sorted(
            {m.astimezone(UTC): m for m in folds if m.astimezone(UTC) <= ensure_utc(now)}.items()
        )
        if zone_name:
            past = [(u, m) for u, m in past if (m.tzname() or "").lower() == zone_name.lower()]
        if len(past) > 1:
            raise AmbiguousLocalTime(day, [m for _, m in past])
        if past:
            return past[0][0]
    raise LocalTimeError(f"is not a time in this time zone ({zone_name})")


def format_local(when: datetime, *, with_date: bool = True) -> str:
    local = to_local(when)
    return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(minutes=1)
