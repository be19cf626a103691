"""A monitor's side of MLLP for the feed tests: send a framed message, read its ACK."""

from __future__ import annotations

import socket

from session_app.devices.oru import parse_message

START, END = b"\x0b", b"\x1c\x0d"
WAIT_S = 10.0


def exchange(port: int, *texts: str, host: str = "127.0.0.1") -> list[str]:
    """Send each message on one connection and read each ACK (text); an ACK that never
    comes (the listener closed) ends the list early."""
    acks: list[str] = []
    with socket.create_connection((host, port), timeout=WAIT_S) as client:
        pending = b""
        for text in texts:
            client.sendall(START + text.encode() + END)
            while END not in pending:
                try:
                    chunk = client.recv(65536)
                except ConnectionError:
                    return acks
                if not chunk:
                    return acks
                pending += chunk
            frame, _, pending = pending.partition(END)
            acks.append(frame.removeprefix(START).decode())
    return acks


def msa(ack: str) -> tuple[str, str]:
    """MSA-1 (AA, AE, AR) and MSA-2 (the MSH-10 it answers)."""
    parsed = parse_message(ack)
    return str(parsed["MSA.F1"]), str(parsed["MSA.F2"])
