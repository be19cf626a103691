"""`session-app monitor-sim` end to end: over a real socket to a small MLLP server in the
test (which ACKs like a listener would), and to a real pseudo-terminal."""

from __future__ import annotations

import os
import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import hl7
import pytest

from session_app.app import main
from session_app.devices import sim_player

START, END = b"\x0b", b"\x1c\x0d"
FAST = ["--speed", "100000"]  # no waiting between messages: only the round trips


class AckServer(socketserver.ThreadingTCPServer):
    """Reads MLLP frames byte for byte, keeps them, answers each with MSA-1 `code` and
    MSA-2 = its MSH-10; once, it may hang up on frame `drop_at` instead of answering."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, port: int = 0, code: str = "AA", drop_at: int | None = None, text: str = ""
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.code, self.drop_at, self.text = code, drop_at, text
        self.frames: list[bytes] = []

    @property
    def port(self) -> int:
        return self.server_address[1]

    def texts(self) -> list[str]:
        return [frame[1:-2].decode("utf-8") for frame in self.frames]


class _Handler(socketserver.BaseRequestHandler):
    server: AckServer

    def handle(self) -> None:
        buffer = b""
        while chunk := self.request.recv(65536):
            buffer += chunk
            while END in buffer:
                frame, buffer = buffer.split(END, 1)
                self.server.frames.append(frame + END)
                if self.server.drop_at == len(self.server.frames):
                    self.server.drop_at = None
                    return  # hang up without an ACK
                control_id = frame[1:].split(b"\r")[0].split(b"|")[9].decode()
                ack = (
                    f"MSH|^~\\&|ROOM|CLINIC|||20261201091500+0100||ACK^R01^ACK|A{control_id}"
                    f"|P|2.6\rMSA|{self.server.code}|{control_id}|{self.server.text}"
                )
                self.request.sendall(START + ack.encode() + END)


def _serve(server: AckServer) -> AckServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def listener() -> Iterator[AckServer]:
    server = _serve(AckServer())
    yield server
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


NIBP_LINE = re.compile(r"^\d\d:\d\d NIBP \d{2,3}/\d{2,3} → (AA|AE|AR)$")


def test_sends_a_session_over_mllp_and_prints_each_nibp_with_its_ack(
    listener: AckServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "monitor-sim",
            "--to",
            f"127.0.0.1:{listener.port}",
            "--patient",
            "P-17",
            "--profile",
            "mindray",
            "--duration",
            "9",
            *FAST,
        ]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    nibp = [line for line in out if "NIBP" in line]
    assert len(nibp) == 3  # 0, 5 (the dose) and 8 min
    assert all(NIBP_LINE.match(line) and line.endswith("→ AA") for line in nibp)
    assert len(listener.frames) == 9 * 60 + 3
    assert all(
        f.startswith(START) and f.endswith(END) and f.count(END) == 1 for f in listener.frames
    )
    messages = [hl7.parse(text) for text in listener.texts()]
    assert {m["PID.F3.R1.C1"] for m in messages} == {"P-17"}
    ids = [str(m.segment("MSH")[10]) for m in messages]
    assert len(set(ids)) == len(ids)
    assert out[-1].startswith(
        f"sent {len(ids)} messages to 127.0.0.1:{listener.port}: {len(ids)} AA"
    )


def test_a_refusal_is_printed_as_the_listener_said_it(capsys: pytest.CaptureFixture[str]) -> None:
    server = _serve(AckServer(code="AR", text="Monitor sent data for another patient\x1b[2J"))
    try:
        code = main(
            [
                "monitor-sim",
                "--to",
                f"127.0.0.1:{server.port}",
                "--patient",
                "OTHER",
                "--duration",
                "1",
                *FAST,
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    nibp = [line for line in out if "NIBP" in line]
    assert len(nibp) == 1
    # MSA-3 shown as plain text: the escape character of a terminal sequence is dropped
    assert nibp[0].endswith(" → AR (Monitor sent data for another patient[2J)")
    assert "\x1b" not in "".join(out)
    assert out[-1].endswith("61 AR")


def test_a_message_the_listener_dropped_is_sent_again_after_reconnecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = _serve(AckServer(drop_at=3))
    try:
        code = main(
            [
                "monitor-sim",
                "--to",
                f"127.0.0.1:{server.port}",
                "--patient",
                "P-17",
                "--duration",
                "1",
                *FAST,
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    captured = capsys.readouterr()
    assert code == 0
    ids = [text.split("\r")[0].split("|")[9] for text in server.texts()]
    assert len(ids) == 61 + 1
    assert ids[2] == ids[3]  # the same MSH-10: the listener can tell it is a resend
    assert len(set(ids)) == 61
    assert captured.err.splitlines() == [
        f"lost the listener at 127.0.0.1:{server.port} — reconnecting"
    ]


def test_no_listener_with_once_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    code = main(["monitor-sim", "--to", f"127.0.0.1:{port}", "--patient", "P", "--once", *FAST])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.splitlines() == [f"session-app: no listener at 127.0.0.1:{port}"]
    assert captured.out == ""


def test_without_once_it_says_so_once_and_retries_until_the_listener_is_there(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    started: list[AckServer] = []
    pauses: list[int] = []

    async def listener_comes_up_on_the_third_pause() -> None:
        pauses.append(1)
        if len(pauses) == 3:
            started.append(_serve(AckServer(port=port)))

    monkeypatch.setattr(sim_player, "pause_before_retry", listener_comes_up_on_the_third_pause)
    try:
        code = main(
            ["monitor-sim", "--to", f"127.0.0.1:{port}", "--patient", "P", "--duration", "1", *FAST]
        )
    finally:
        for server in started:
            server.shutdown()
            server.server_close()
    captured = capsys.readouterr()
    assert code == 0
    assert len(pauses) == 3
    assert captured.err.splitlines() == [
        f"no listener at 127.0.0.1:{port} — retrying",
        f"connected to 127.0.0.1:{port}",
    ]
    assert len(started[0].frames) == 61


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--to", "localhost", "--patient", "P"], "HOST:PORT"),
        (["--to", "127.0.0.1:99999", "--patient", "P"], "port"),
        (["--to", "127.0.0.1:x", "--patient", "P"], "port"),
        (["--to", "127.0.0.1:2575"], "--patient"),
        (["--to", "127.0.0.1:2575", "--patient", "A|B"], "patient"),
        (["--to", "127.0.0.1:2575", "--patient", "P", "--profile", "acme"], "profile"),
        (["--to", "127.0.0.1:2575", "--patient", "P", "--speed", "0"], "speed"),
        (["--to", "127.0.0.1:2575", "--patient", "P", "--speed", "nan"], "speed"),
        (["--to", "127.0.0.1:2575", "--patient", "P", "--duration", "-3"], "duration"),
        (["--patient", "P"], "--to"),
        (["--serial", "/dev/null"], "--protocol"),
        (["--serial", "/dev/null", "--protocol", "nellcor"], "protocol"),
        (
            [
                "--to",
                "127.0.0.1:2575",
                "--patient",
                "P",
                "--serial",
                "/dev/null",
                "--protocol",
                "nonin",
            ],
            "not both",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        raise SystemExit(main(["monitor-sim", *args]))
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert len(err.splitlines()) == 1, err
    assert says in err
    assert "Traceback" not in err


def _read_all(fd: int) -> bytes:
    os.set_blocking(fd, False)
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            return data
        if not chunk:
            return data
        data += chunk


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    """A pseudo-terminal: the simulator writes to its path, the test reads the other end."""
    reader, device = os.openpty()
    yield reader, os.ttyname(device)
    os.close(reader)
    os.close(device)


def test_serial_nonin_writes_one_line_a_second_to_a_pty(
    pty_pair: tuple[int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reader, path = pty_pair
    code = main(
        ["monitor-sim", "--serial", path, "--protocol", "nonin", "--duration", "0.1", *FAST]
    )
    assert code == 0, capsys.readouterr().err
    lines = _read_all(reader).split(b"\r\n")
    assert lines[-1] == b""
    assert len(lines[:-1]) == 6
    assert all(re.fullmatch(rb"SPO2=\d{3} HR=\d{3}", line) for line in lines[:-1]), lines


def test_serial_masimo_writes_ascii_1_lines(
    pty_pair: tuple[int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reader, path = pty_pair
    code = main(
        ["monitor-sim", "--serial", path, "--protocol", "masimo", "--duration", "0.05", *FAST]
    )
    assert code == 0, capsys.readouterr().err
    lines = _read_all(reader).decode("ascii").split("\r\n")[:-1]
    assert len(lines) == 3
    ascii_1 = (
        r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d SN=\d{10} SPO2=\d{3}% BPM=\d{3} PI=\d\d\.\d\d% "
        r"SPCO=--\.-% SPMET=--\.-% DESAT=-- PIDELTA=\+-- ALARM=0000 EXC=000800"
    )
    assert all(re.fullmatch(ascii_1, line) for line in lines), lines


def test_serial_refuses_a_path_that_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("the clinic's file\n")
    code = main(["monitor-sim", "--serial", str(target), "--protocol", "nonin", *FAST])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1 and "not a serial port" in err
    assert target.read_text() == "the clinic's file\n"
    missing = tmp_path / "ttyUSB9"
    assert main(["monitor-sim", "--serial", str(missing), "--protocol", "nonin", *FAST]) == 2
    assert not missing.exists()


def test_serial_refuses_a_fifo_without_waiting_for_a_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert main(["monitor-sim", "--serial", str(fifo), "--protocol", "nonin", *FAST]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_a_listener_answering_with_control_characters_cannot_reach_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = _serve(AckServer(code="A\x1b]0;owned\x07A"))
    try:
        code = main(
            [
                "monitor-sim",
                "--to",
                f"127.0.0.1:{server.port}",
                "--patient",
                "P",
                "--duration",
                "1",
                *FAST,
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out


def test_serial_to_a_pty_whose_other_end_is_gone_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reader, device = os.openpty()
    path = os.ttyname(device)
    os.close(reader)  # the reading side unplugged
    try:
        code = main(["monitor-sim", "--serial", path, "--protocol", "masimo", *FAST])
    finally:
        os.close(device)
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1 and path in err


def test_the_command_offers_exactly_the_profiles_and_protocols_there_are() -> None:
    from session_app.devices.profiles import OXIMETER_LINES, PROFILES
    from session_app.devices.sim_cli import PROFILE_NAMES, PROTOCOL_NAMES

    assert sorted(PROFILE_NAMES) == sorted(PROFILES)
    assert sorted(PROTOCOL_NAMES) == sorted(OXIMETER_LINES)


def test_the_default_session_is_the_simulators_two_hours() -> None:
    from session_app.devices.simulator import SessionPlan

    assert SessionPlan().duration_min == 120  # what `--duration`'s help says
