"""Connecting a room (or clinic IT's commands) to the clinic server, and one line per fault.

`open_connection` is the one way in: it adds the room's passfile, a connect timeout and an
application name to clinic IT's connection string (a libpq one, multi-host included:
`host=a,b port=5432,5432 target_session_attrs=read-write`; libpq and psycopg try each
host). It never takes a password: that lives in the 0600 passfile.

`failure_line` turns any fault into one line for the staff strip and the log: what went
wrong, where (host:port, role, database), and nothing else. libpq's own text runs over
several lines, may hold a hint and is in no state to show staff; query errors may quote a
value (a patient ID), so only their SQLSTATE is named. libpq says "certificate verify
failed" for an expired certificate and for one from another CA alike, so after such a
failure `open_connection` asks the server for its certificate once more, checks it with
Python's `ssl` against the same CA file, and names which it was.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
import struct
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from session_app.clinic.schema import SCHEMA_VERSION

DEFAULT_PORT = "5432"
SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL's "may we speak TLS?" packet


class ConnectionFault(psycopg.OperationalError):
    """A failed connection whose text is already the one line to show (see failure_line).
    A psycopg.OperationalError, so a caller catching psycopg.Error catches it too."""


class SchemaTooNew(Exception):
    """The clinic server's schema is newer than this app knows: the room does not send
    (it could misfile records) and keeps saving locally."""

    def __init__(self, server_version: int) -> None:
        self.server_version = server_version
        super().__init__(
            f"the clinic server has schema {server_version}, newer than this app's "
            f"{SCHEMA_VERSION}: update session_app (this room keeps saving locally)"
        )


def schema_version(conn: psycopg.Connection) -> int | None:
    """The clinic schema in force on the server, or None where `clinic init` never ran."""
    exists = conn.execute("SELECT to_regclass('public.clinic_schema_version')").fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute("SELECT max(version) FROM clinic_schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def require_known_schema(conn: psycopg.Connection) -> None:
    """Refuse (SchemaTooNew) a server whose schema this app does not know yet."""
    version = schema_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(version)


def open_connection(
    conninfo: str,
    *,
    passfile: Path | None = None,
    connect_timeout_s: int = 5,
    application_name: str = "session-app",
) -> psycopg.Connection:
    """A connection to the clinic server, or a ConnectionFault whose text is one line.

    The timeout and the application name are defaults the connection string may set
    itself; a passfile given here is the room's and wins. A malformed string raises
    psycopg.ProgrammingError (failure_line names it)."""
    params = conninfo_to_dict(conninfo)
    extra: dict[str, str | int] = {}
    if "connect_timeout" not in params:
        extra["connect_timeout"] = connect_timeout_s
    if "application_name" not in params:
        extra["application_name"] = application_name
    if passfile is not None:
        extra["passfile"] = str(passfile)
    merged = make_conninfo(conninfo, **extra)
    try:
        return psycopg.connect(merged)
    except psycopg.OperationalError as exc:
        raise ConnectionFault(_connect_failure(str(exc), conninfo_to_dict(merged))) from None


def failure_line(exc: BaseException) -> str:
    """One line for staff and the log, for any clinic fault: never a traceback, a
    password or a value from a record."""
    if isinstance(exc, ConnectionFault | SchemaTooNew):
        return str(exc)
    if isinstance(exc, psycopg.ProgrammingError) and _CONNINFO_ERROR.search(str(exc)):
        return ("the clinic connection string is not valid (libpq key=value pairs, or a "
                "postgresql:// address)")
    if isinstance(exc, psycopg.errors.ConnectionTimeout) or (
        isinstance(exc, psycopg.OperationalError) and _ATTEMPT.search(str(exc))
    ):
        return _connect_failure(str(exc), {})
    if isinstance(exc, psycopg.Error):
        return _query_failure(exc)
    if isinstance(exc, OSError):
        return f"clinic connection failed: {exc.strerror or type(exc).__name__}"
    return f"clinic connection failed ({type(exc).__name__})"


# -- connection failures ------------------------------------------------------------------

# libpq's words for a connection string it cannot read (the string itself is never shown).
_CONNINFO_ERROR = re.compile(r"connection info string|invalid connection option|invalid URI"
                             r"|URI query parameter|invalid integer value")

# libpq: `connection to server at "host" (address), port 5432 failed: REASON`, one per
# host tried (psycopg lists every attempt when there were several).
_ATTEMPT = re.compile(
    r'connection to server (?:at "(?P<host>[^"]*)"(?: \([^)]*\))?|on socket "(?P<sock>[^"]*)")'
    r"(?:, port (?P<port>\d+))? failed: (?P<reason>[^\n]*)"
)


@dataclass(frozen=True)
class _Attempt:
    where: str  # host:port
    host: str
    port: str
    reason: str  # libpq's first line for this host


_ALL_ATTEMPTS = "Multiple connection attempts failed. All failures were:"
# psycopg's list of every host tried: `- host: 'a', port: '5432', hostaddr: '…': REASON`
_LISTED = re.compile(r"^- host: '(?P<host>[^']*)', port: '(?P<port>[^']*)', [^:]*: (?P<rest>.*)$",
                     re.MULTILINE)


def _attempts(message: str) -> list[_Attempt]:
    """Each host tried, in order: from psycopg's list where there were several (a host
    that timed out is only there), else from libpq's text."""
    _, listed, every = message.partition(_ALL_ATTEMPTS)
    seen: dict[str, _Attempt] = {}
    for item in _LISTED.finditer(every) if listed else ():
        libpq = _ATTEMPT.search(item["rest"])
        reason = libpq["reason"] if libpq else item["rest"]
        where = f"{item['host']}:{item['port'] or DEFAULT_PORT}"
        seen.setdefault(where, _Attempt(where, item["host"], item["port"], reason.strip()))
    for match in () if seen else _ATTEMPT.finditer(message):
        sock = match["sock"] or ""
        host = match["host"] or os.path.dirname(sock)
        port = match["port"] or sock.rpartition(".")[2]
        where = f"{host}:{port}" if port else host
        seen.setdefault(where, _Attempt(where, host, port, match["reason"].strip()))
    return list(seen.values())


_UNREACHABLE = (
    ("connection refused", "connection refused"),
    ("timeout expired", "no answer in time"),
    ("no route to host", "no route to host"),
    ("network is unreachable", "network unreachable"),
    ("could not translate host name", "unknown host name"),
    ("the database system is starting up", "the server is starting up"),
    ("the database system is shutting down", "the server is shutting down"),
    ("the database system is in recovery mode", "the server is recovering from a crash"),
    ("the database system is not yet accepting connections", "the server is starting up"),
    ("no such file or directory", "no server socket there"),
    ("server closed the connection unexpectedly", "the server closed the connection"),
)


def _unreachable_reason(reason: str) -> str | None:
    low = reason.lower()
    return next((why for text, why in _UNREACHABLE if text in low), None)


def _targets(params: dict[str, object]) -> list[str]:
    """host:port for each host of a (multi-host) connection string, before any attempt."""
    hosts = str(params.get("host") or params.get("hostaddr") or "localhost").split(",")
    ports = str(params.get("port") or os.environ.get("PGPORT") or DEFAULT_PORT).split(",")
    if len(ports) == 1:
        ports = ports * len(hosts)
    return [f"{h}:{p or DEFAULT_PORT}" for h, p in zip(hosts, ports, strict=False)]


def _connect_failure(message: str, params: dict[str, object]) -> str:
    """One line for a failed connection: the first host that answered and refused says
    why (a password, a certificate); if none answered, one line naming every host."""
    if message.startswith("failed to resolve host"):
        host = re.search(r"host '([^']*)'", message)
        return f"cannot find the clinic server: unknown host name {host[1] if host else ''}"
    attempts = _attempts(message)
    for attempt in attempts:
        if _unreachable_reason(attempt.reason) is None:
            return _refusal(attempt, params)
    if not attempts and "connection timeout expired" in message:  # one host, no answer
        where = " or ".join(_targets(params)) if params else "the clinic server"
        return f"cannot reach the clinic server at {where} (no answer in time)"
    if not attempts:
        return f"cannot reach the clinic server: {_first_line(message)}"
    where = " or ".join(a.where for a in attempts)
    whys = " / ".join(dict.fromkeys(_unreachable_reason(a.reason) or "" for a in attempts))
    return f"cannot reach the clinic server at {where} ({whys})"


def _refusal(attempt: _Attempt, params: dict[str, object]) -> str:
    """The server at `attempt.where` answered and refused (or TLS failed)."""
    reason, where = attempt.reason, attempt.where
    user = params.get("user") or os.environ.get("PGUSER") or ""
    if m := re.search(r'password authentication failed for user "([^"]*)"', reason):
        return (f"password refused for role {m[1]} at {where}: the passfile's password is not "
                "the server's (or the role is not on this server)")
    if "no password supplied" in reason:
        passfile = params.get("passfile") or os.environ.get("PGPASSFILE") or "~/.pgpass"
        role = f" for role {user}" if user else ""
        return f"no password{role} in {passfile} (the passfile from `clinic add-room`)"
    if m := re.search(r'role "([^"]*)" does not exist', reason):
        return f"role {m[1]} does not exist on the clinic server at {where}"
    if m := re.search(r'database "([^"]*)" does not exist', reason):
        return f"there is no database {m[1]} on the clinic server at {where}"
    if "does not support SSL" in reason:
        mode = params.get("sslmode") or "require"
        return (f"the clinic server at {where} does not accept TLS, but this connection "
                f"requires it (sslmode={mode})")
    if m := re.search(r'server certificate for (.*) does not match host name "([^"]*)"', reason):
        return (f"the clinic server's certificate at {where} is for another host name "
                f"({m[1]}), not {m[2]}")
    if m := re.search(r'root certificate file "([^"]*)" does not exist', reason):
        return f"the clinic CA certificate {m[1]} does not exist (sslrootcert)"
    if m := re.search(r'could not read root certificate file "([^"]*)"', reason):
        return f"cannot read the clinic CA certificate {m[1]} (sslrootcert)"
    if "certificate verify failed" in reason:
        return _certificate_failure(attempt, params)
    if "no pg_hba.conf entry" in reason:
        tls = "without TLS" if "no encryption" in reason else "over TLS"
        return (f"the clinic server at {where} does not let role {user or '?'} in from this "
                f"computer {tls} (pg_hba.conf: ask clinic IT)")
    if "read-only" in reason or "hot standby" in reason:
        return f"the clinic server at {where} is a read-only standby"
    return f"the clinic server at {where} refused the connection: {reason}"


def _certificate_failure(attempt: _Attempt, params: dict[str, object]) -> str:
    """Expired, not yet valid, or signed by another CA: libpq does not say which."""
    rootcert = str(params.get("sslrootcert") or os.environ.get("PGSSLROOTCERT")
                   or "~/.postgresql/root.crt")
    why = _probe_certificate(attempt.host, attempt.port or DEFAULT_PORT, rootcert,
                             float(str(params.get("connect_timeout") or 5)))
    start = f"the clinic server's certificate at {attempt.where}"
    if why == "expired":
        return f"{start} has expired: clinic IT must renew it"
    if why == "not yet valid":
        return f"{start} is not valid yet: check this computer's clock"
    if why == "untrusted":
        return f"{start} is not signed by the CA in {rootcert} (sslrootcert)"
    return f"{start} failed verification against {rootcert}"


def _probe_certificate(host: str, port: str, rootcert: str, timeout: float) -> str:
    """Ask the server for TLS as libpq does and check its certificate with `ssl`:
    'expired', 'not yet valid', 'untrusted', or '' when this cannot tell."""
    if not host or host.startswith("/"):
        return ""
    try:
        if rootcert == "system":
            context = ssl.create_default_context()
        else:
            context = ssl.create_default_context(cafile=os.path.expanduser(rootcert))
        context.check_hostname = False  # libpq checks the name itself; this is the chain
        with socket.create_connection((host, int(port)), timeout=timeout) as raw:
            raw.sendall(SSL_REQUEST)
            if raw.recv(1) != b"S":
                return ""
            with context.wrap_socket(raw):
                return ""
    except ssl.SSLCertVerificationError as exc:
        code = exc.verify_code
        if code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
            return "expired"
        if code == 9:  # X509_V_ERR_CERT_NOT_YET_VALID
            return "not yet valid"
        return "untrusted"
    except (OSError, ValueError):
        return ""


# -- faults after connecting --------------------------------------------------------------

_LOST = ("server closed the connection", "the connection is closed", "consuming input failed",
         "terminating connection", "connection is lost", "sending query failed")


def _query_failure(exc: psycopg.Error) -> str:
    """A fault on an open connection: the SQLSTATE only, never the server's text (which
    may quote a value from a record)."""
    code = exc.sqlstate or ""
    low = _first_line(str(exc)).lower()
    if code.startswith(("08", "57P")) or any(text in low for text in _LOST):
        return "lost the connection to the clinic server (it will be tried again)"
    if code == "42501":
        return "the clinic server refused this room's write (permission denied): ask clinic IT"
    if code == "25006":
        return "the clinic server is read-only (a standby): check target_session_attrs"
    name = type(exc).__name__
    return f"the clinic server refused the request ({name}, SQLSTATE {code or 'none'})"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""
