"""The header's feed line: connected, silent (amber), a problem, off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from session_app.devices.feed_text import feed_line
from session_app.devices.samples import FeedState

NOW = datetime(2026, 12, 1, 9, 15, tzinfo=UTC)


def state(**given: object) -> FeedState:
    return FeedState(**{"source": "HL7 127.0.0.1:2575", "connected": True, **given})  # type: ignore[arg-type]


def test_a_live_feed_says_how_long_ago_its_last_value_came() -> None:
    line = feed_line(state(last_value_at=NOW - timedelta(seconds=4)), NOW)
    assert line.text == "Monitor: connected · last value 4 s ago"
    assert not line.amber


def test_a_feed_quiet_for_a_minute_is_silent_and_amber() -> None:
    line = feed_line(state(last_value_at=NOW - timedelta(minutes=2, seconds=5)), NOW)
    assert line.text == "Monitor: silent for 2 min"
    assert line.amber


def test_no_feed_configured_is_off_and_quiet() -> None:
    line = feed_line(None, NOW)
    assert line.text == "Monitor: off" and not line.amber


def test_a_problem_is_said_in_its_own_words_in_amber() -> None:
    line = feed_line(state(connected=False, problem="oximeter unplugged — retrying"), NOW)
    assert line.text == "Monitor: oximeter unplugged — retrying" and line.amber


def test_before_the_first_value_the_feed_says_it_is_waiting() -> None:
    assert feed_line(state(), NOW).text == "Monitor: waiting for the first value"
    assert feed_line(state(connected=False), NOW).amber
