"""`--hl7-listen HOST:PORT`: a bad value is one clear line and exit 2, before any window."""

from __future__ import annotations

import pytest

from session_app.app import build_parser, main
from session_app.devices.listen import ListenAddress, parse_listen_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:2575", ListenAddress("127.0.0.1", 2575)),
        ("0.0.0.0:6661", ListenAddress("0.0.0.0", 6661)),
        ("[::1]:2575", ListenAddress("::1", 2575)),
    ],
)
def test_a_good_address_is_read(text: str, expected: ListenAddress) -> None:
    assert parse_listen_address(text) == expected
    assert build_parser().parse_args(["--hl7-listen", text]).hl7_listen == expected


def test_listening_is_off_by_default() -> None:
    assert build_parser().parse_args([]).hl7_listen is None


@pytest.mark.parametrize(
    "text",
    [
        "2575",
        "monitor:2575",
        "127.0.0.1:",
        "127.0.0.1:0",
        "127.0.0.1:70000",
        "127.0.0.1:x",
        "::1:2575",
        "[::1]",
        ":2575",
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--hl7-listen", text])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--hl7-listen" in err and "HOST:PORT" in err
