"""TLS to the clinic server with `sslmode=verify-full`, against a CA made here with openssl.

A second throwaway cluster (the shared one stays plain) is started with `ssl=on` and a
server certificate for 127.0.0.1/localhost signed by the test CA; a test that needs
another certificate (expired, for another host name) restarts it with that one. Each fault
must come back as one clear line, with no password and no traceback.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from session_app.app import main
from session_app.clinic.connection import failure_line, open_connection
from tests.clinic.conftest import Cluster, Postmaster

ROLE, PASSWORD = "tls_room", "tls-secret-Zq7"

CA_CONFIG = """\
[ca]
default_ca = test_ca
[test_ca]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
"""


def _openssl(*args: str | Path) -> None:
    result = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@dataclass
class ClinicCA:
    """A certificate authority on disk (`openssl ca`, so a certificate's dates can lie in
    the past without faking the clock)."""

    folder: Path
    name: str

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True)
        (self.folder / "index.txt").touch()
        (self.folder / "serial").write_text("01\n")
        self.config = self.folder / "ca.cnf"
        self.config.write_text(CA_CONFIG.format(dir=self.folder))
        self.cert, self.key = self.folder / "ca.crt", self.folder / "ca.key"
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key,
                 "-out", self.cert, "-days", "3", "-subj", f"/CN={self.name}")

    def server_cert(self, stem: str, names: str, *dates: str) -> tuple[Path, Path]:
        """(certificate, key) for `names` (a subjectAltName value); `dates` are
        `openssl ca` date options (default: valid for two days from now)."""
        key, csr, cert = (self.folder / f"{stem}{ext}" for ext in (".key", ".csr", ".crt"))
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                 "-subj", "/CN=clinic server", "-addext", f"subjectAltName={names}")
        _openssl("ca", "-batch", "-notext", "-config", self.config, "-cert", self.cert,
                 "-keyfile", self.key, "-in", csr, "-out", cert, *(dates or ("-days", "2")))
        return cert, key


@dataclass
class TlsServer:
    """The TLS cluster, the CA that signed its certificates, and a room role with a
    password in a 0600 passfile."""

    server: Postmaster
    ca: ClinicCA
    certs: dict[str, tuple[Path, Path]]
    passfile: Path
    serving: str = field(default="")

    @property
    def cluster(self) -> Cluster:
        return self.server.cluster

    def serve(self, which: str) -> None:
        """Restart the cluster with `ssl=on` and the named certificate (if not already)."""
        if which == self.serving:
            return
        cert, key = self.certs[which]
        # The server reads its key as its own user, and refuses a key others may read.
        served_cert, served_key = (self.server.root / f"{which}{ext}" for ext in (".crt", ".key"))
        shutil.copy(cert, served_cert)
        shutil.copy(key, served_key)
        os.chmod(served_key, 0o600)
        if self.server.run_as:
            pg = pwd.getpwnam("postgres")
            for path in (served_cert, served_key):
                os.chown(path, pg.pw_uid, pg.pw_gid)
        action = "restart" if self.serving else "start"
        self.server.pg_ctl(action, "ssl=on", f"ssl_cert_file={served_cert}",
                           f"ssl_key_file={served_key}")
        self.serving = which

    def conninfo(self, *, host: str = "127.0.0.1", rootcert: Path | None = None,
                 sslmode: str = "verify-full") -> str:
        root = rootcert or self.ca.cert
        return (f"host={host} port={self.cluster.port} dbname=postgres user={ROLE} "
                f"sslmode={sslmode} sslrootcert={root}")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    folder = tmp_path_factory.mktemp("tls")
    ca = ClinicCA(folder / "ca", "Test clinic CA")
    certs = {
        "valid": ca.server_cert("valid", "IP:127.0.0.1,DNS:localhost"),
        "expired": ca.server_cert("expired", "IP:127.0.0.1,DNS:localhost",
                                  "-startdate", "20250101000000Z", "-enddate", "20250102000000Z"),
        "future": ca.server_cert("future", "IP:127.0.0.1,DNS:localhost",
                                 "-startdate", "20990101000000Z", "-enddate", "20991231000000Z"),
        "other-host": ca.server_cert("other", "DNS:db.clinic.example"),
    }
    passfile = folder / "room.pgpass"
    passfile.write_text(f"*:*:*:{ROLE}:{PASSWORD}\n")
    passfile.chmod(0o600)
    tls = TlsServer(Postmaster("clinic-tls-"), ca, certs, passfile)
    try:
        tls.serve("valid")
        with psycopg.connect(tls.cluster.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        yield tls
    finally:
        tls.server.remove()


def _refused(conninfo: str, passfile: Path) -> str:
    """The one line a failed connection gives."""
    with pytest.raises(psycopg.Error) as caught:
        open_connection(conninfo, passfile=passfile, connect_timeout_s=5).close()
    line = failure_line(caught.value)
    assert "\n" not in line and "Traceback" not in line, line
    assert PASSWORD not in line
    return line


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_verify_full_with_the_clinic_ca_connects_over_tls(tls: TlsServer, host: str) -> None:
    tls.serve("valid")
    with open_connection(tls.conninfo(host=host), passfile=tls.passfile) as conn:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert row == (True,)
        assert conn.info.parameter_status("application_name") == "session-app"


def test_an_expired_server_certificate_is_named_as_expired(tls: TlsServer) -> None:
    tls.serve("expired")
    line = _refused(tls.conninfo(), tls.passfile)
    assert "expired" in line and f"127.0.0.1:{tls.cluster.port}" in line, line


def test_a_certificate_not_valid_yet_points_at_this_computers_clock(tls: TlsServer) -> None:
    tls.serve("future")
    line = _refused(tls.conninfo(), tls.passfile)
    assert "is not valid yet: check this computer's clock" in line, line


def test_a_certificate_from_another_ca_is_named_as_not_trusted(
    tls: TlsServer, tmp_path: Path
) -> None:
    tls.serve("valid")
    stranger = ClinicCA(tmp_path / "other-ca", "Some other CA")
    line = _refused(tls.conninfo(rootcert=stranger.cert), tls.passfile)
    assert "not signed by the CA" in line and str(stranger.cert) in line, line


def test_a_certificate_for_another_host_name_is_named_as_a_mismatch(tls: TlsServer) -> None:
    tls.serve("other-host")
    line = _refused(tls.conninfo(), tls.passfile)
    assert "is for another host name" in line and "127.0.0.1" in line, line


def test_tls_required_against_a_server_without_tls_is_named_as_refused(
    pg_cluster: Cluster, tls: TlsServer
) -> None:
    conninfo = f"{pg_cluster.tcp_conninfo('postgres', ROLE)} sslmode=require"
    line = _refused(conninfo, tls.passfile)
    assert "does not accept TLS" in line and f"127.0.0.1:{pg_cluster.port}" in line, line


def test_clinic_init_against_an_expired_certificate_is_one_line_and_exit_2(
    tls: TlsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    tls.serve("expired")
    assert main(["clinic", "init", "--server", tls.conninfo()]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("session-app: ") and "expired" in err, err
