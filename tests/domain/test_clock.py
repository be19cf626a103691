from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from session_app.domain.clock import ManualClock, ensure_utc, from_iso, to_iso, to_local


def test_timestamps_round_trip_as_utc_with_offset() -> None:
    paris = timezone(timedelta(hours=1))
    when = datetime(2026, 3, 1, 10, 30, tzinfo=paris)
    text = to_iso(when)
    assert text == "2026-03-01T09:30:00+00:00"
    assert from_iso(text) == when


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        ensure_utc(datetime(2026, 3, 1, 10, 30))


def test_local_display_keeps_the_instant() -> None:
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert to_local(when) == when
    assert to_local(when).tzinfo is not None


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock()
    start = clock.now()
    clock.advance(minutes=15)
    assert clock.now() - start == timedelta(minutes=15)
