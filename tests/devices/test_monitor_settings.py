"""The monitor feed's clinic settings: the bed label, where to listen, who may send."""

from __future__ import annotations

import pytest

from session_app.domain.settings import registry, resolve_settings, validate_settings


def test_the_feed_is_off_and_matches_by_patient_id_only_by_default() -> None:
    values = resolve_settings({})
    assert values["bed_label"] == ""
    assert values["monitor_listen"] == ""
    assert values["monitor_allowed_senders"] == ""
    assert {registry()[k].group for k in ("bed_label", "monitor_listen")} == {"Monitor feed"}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("127.0.0.1:2575", "127.0.0.1:2575"),
        ("  0.0.0.0:2575 ", "0.0.0.0:2575"),
        ("2575", "127.0.0.1:2575"),
        ("[::1]:2575", "[::1]:2575"),
        ("", ""),
    ],
)
def test_where_to_listen_is_host_and_port(typed: str, kept: str) -> None:
    assert validate_settings({"monitor_listen": typed}) == {}
    assert registry()["monitor_listen"].coerce(typed) == kept


@pytest.mark.parametrize("typed", ["localhost", "127.0.0.1:0", "127.0.0.1:70000", "a b:1", ":x"])
def test_a_listen_address_that_is_not_host_and_port_is_refused(typed: str) -> None:
    problems = validate_settings({"monitor_listen": typed})
    assert "HOST:PORT" in problems["monitor_listen"]


def test_allowed_senders_are_ip_addresses() -> None:
    setting = registry()["monitor_allowed_senders"]
    assert setting.coerce(" 10.0.0.5,127.0.0.1  ::1 ") == "10.0.0.5, 127.0.0.1, ::1"
    problems = validate_settings({"monitor_allowed_senders": "10.0.0.5, monitor-3"})
    assert "monitor-3" in problems["monitor_allowed_senders"]


def test_the_bed_label_is_kept_as_typed_on_one_line() -> None:
    assert registry()["bed_label"].coerce(" KET^^CHAIR3 ") == "KET^^CHAIR3"
    assert "bed_label" in validate_settings({"bed_label": "KET\nCHAIR3"})


def test_the_listener_settings_say_they_apply_at_the_next_start() -> None:
    """The listener is started with the app; the bed label is read for each message."""
    for key in ("monitor_listen", "monitor_allowed_senders"):
        assert "next starts" in registry()[key].help
    assert "next starts" not in registry()["bed_label"].help
