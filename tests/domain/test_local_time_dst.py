"""Back-dated "HH:MM" times resolved with the zone rules of that date (Europe/Berlin),
on the two days a year when the clocks jump: nothing stored an hour off, a time that
never happened refused, a time that happened twice asked about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from session_app.domain.clock import format_local
from session_app.domain.errors import ValidationError
from session_app.domain.events import parse_time_of_day


@pytest.fixture
def berlin(machine_zone: Callable[[str], None]) -> None:
    """The machine's zone is Europe/Berlin for the test (TZ, libc and tzlocal alike)."""
    machine_zone("Europe/Berlin")


# 2026-03-29: at 02:00 CET the clocks go forward to 03:00 CEST (01:00Z).
SPRING_NOW = datetime(2026, 3, 29, 1, 10, tzinfo=UTC)  # 03:10 CEST
# 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET (01:00Z).
AUTUMN_NOW = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 02:10 CET, the second 02:10


def test_spring_forward_an_earlier_time_is_20_minutes_ago_not_80(berlin: None) -> None:
    assert format_local(SPRING_NOW, with_date=False) == "03:10"
    when = parse_time_of_day("01:50", SPRING_NOW)
    assert when == datetime(2026, 3, 29, 0, 50, tzinfo=UTC)  # 01:50 CET
    assert format_local(when, with_date=False) == "01:50"


def test_spring_forward_a_time_that_never_happened_is_refused(berlin: None) -> None:
    with pytest.raises(ValidationError, match="02:30 did not happen on 2026-03-29") as info:
        parse_time_of_day("02:30", SPRING_NOW, label="Time taken")
    assert "clocks went forward" in str(info.value)
    assert str(info.value).startswith("Time taken:")


def test_autumn_back_a_time_before_the_change_keeps_its_summer_offset(berlin: None) -> None:
    when = parse_time_of_day("01:55", AUTUMN_NOW)
    assert when == datetime(2026, 10, 24, 23, 55, tzinfo=UTC)  # 01:55 CEST
    assert format_local(when, with_date=False) == "01:55"


def test_autumn_back_a_time_of_the_repeated_hour_that_happened_once_so_far(
    berlin: None,
) -> None:
    # At the second 02:10, "02:40" can only be the first 02:40 (CEST): the second is ahead.
    when = parse_time_of_day("02:40", AUTUMN_NOW)
    assert when == datetime(2026, 10, 25, 0, 40, tzinfo=UTC)
    assert format_local(when, with_date=False) == "02:40"


def test_autumn_back_a_time_that_happened_twice_is_asked_about(berlin: None) -> None:
    now = datetime(2026, 10, 25, 2, 10, tzinfo=UTC)  # 03:10 CET: both 02:30s are past
    with pytest.raises(ValidationError, match="02:30 happened twice") as info:
        parse_time_of_day("02:30", now, label="Time taken")
    message = str(info.value)
    assert "02:30 CEST" in message and "02:30 CET" in message
    first = parse_time_of_day("02:30 CEST", now)
    second = parse_time_of_day("2:30 cet", now)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_a_zone_name_that_fits_neither_is_refused(berlin: None) -> None:
    with pytest.raises(ValidationError, match="'02:30 PST' is not a time of day"):
        parse_time_of_day("02:30 PST", AUTUMN_NOW)
