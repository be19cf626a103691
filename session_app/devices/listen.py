"""Where the room listens for HL7: `--hl7-listen HOST:PORT`, read and checked.

A module of its own, with no asyncio import, because the argument parser reads it before
the patient's window is painted (see app.py's start-up order); the listener is in mllp.py.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"  # only this machine, unless the clinic says otherwise
DEFAULT_PORT = 2575  # the port IANA registered for HL7 over MLLP


@dataclass(frozen=True)
class ListenAddress:
    """An IP address literal (no host names: the allowed-senders list is IP addresses too,
    and a name could resolve to an interface nobody meant) and a port 1-65535."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT

    @property
    def is_loopback(self) -> bool:
        return ipaddress.ip_address(self.host).is_loopback

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_listen_address(text: str) -> ListenAddress:
    """`127.0.0.1:2575`, `0.0.0.0:2575` or `[::1]:2575`; a ValueError says what is wrong."""
    host, sep, port_text = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:2575")
    if not sep or not host:
        raise ValueError(f"{text!r} is not HOST:PORT")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{host!r} is not an IP address") from None
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{port_text!r} is not a port number 1-65535")
    return ListenAddress(str(address), int(port_text))
