"""Issue 15 point 11: an HH:MM is read as the moment nearest to now.

A time a few minutes (up to 12 hours) ahead of the clock is today's, so the caller can
say it is in the future; before, it was read as yesterday's and refused as "before this
session". Midnight still works the other way: 23:50 typed at 00:10 is 20 minutes ago.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from session_app.domain.clock import to_local
from session_app.domain.events import parse_time_of_day

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("ahead_min", [1, 5, 20, 11 * 60 + 59])
def test_a_time_ahead_of_now_is_todays_not_yesterdays(ahead_min: int) -> None:
    later = to_local(NOW) + timedelta(minutes=ahead_min)
    when = parse_time_of_day(later.strftime("%H:%M"), NOW)
    assert when == later.replace(second=0, microsecond=0)
    assert when > NOW


@pytest.mark.parametrize("ago_min", [0, 20, 6 * 60, 12 * 60 - 1])
def test_a_time_up_to_12_hours_ago_is_the_earlier_one(ago_min: int) -> None:
    """11 h 59 min ago is also 12 h 1 min ahead: the nearer reading, the past one, wins."""
    earlier = to_local(NOW) - timedelta(minutes=ago_min)
    when = parse_time_of_day(earlier.strftime("%H:%M"), NOW)
    assert when == earlier.replace(second=0, microsecond=0)


def test_just_after_midnight_a_late_evening_time_is_yesterdays() -> None:
    local_now = to_local(NOW)
    midnight = local_now.replace(hour=0, minute=10)
    when = parse_time_of_day("23:50", midnight)
    assert when == midnight.replace(hour=23, minute=50) - timedelta(days=1)
    assert parse_time_of_day("00:15", midnight) == midnight.replace(minute=15)
