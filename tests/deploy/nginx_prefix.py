"""Run deploy/nginx/consent-server.conf under a private nginx prefix, with a self-signed certificate."""
from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
SITE_CONF = ROOT / "deploy" / "nginx" / "consent-server.conf"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost / 127.0.0.1 / ::1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class NginxPrefix:
    """A self-contained nginx setup: main config, the site config with local paths, logs under `root`."""

    root: Path
    https_port: int = 8443
    http_port: int = 8080
    upstream_port: int = 8000

    @property
    def main_conf(self) -> Path:
        return self.root / "nginx.conf"

    @property
    def access_log(self) -> Path:
        return self.root / "logs" / "consent-server.access.log"

    def write(self) -> "NginxPrefix":
        """Write the certificate, the site config (paths and ports moved here) and a main config."""
        for folder in ("logs", "cache", "tmp", "www"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        cert, key = self_signed(self.root)
        site = SITE_CONF.read_text()
        for old, new in {
            "/etc/letsencrypt/live/consent.example.se/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/consent.example.se/privkey.pem": str(key),
            "/var/log/nginx/": f"{self.root}/logs/",
            "/var/cache/nginx/": f"{self.root}/cache/",
            "/var/www/": f"{self.root}/www/",
            "listen 443 ": f"listen {self.https_port} ",
            "listen [::]:443 ": f"listen [::]:{self.https_port} ",
            "listen 80;": f"listen {self.http_port};",
            "listen [::]:80;": f"listen [::]:{self.http_port};",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{self.upstream_port};",
        }.items():
            assert old in site, f"deploy/nginx/consent-server.conf no longer contains {old!r}"
            site = site.replace(old, new)
        (self.root / "consent-server.conf").write_text(site)
        tmp = self.root / "tmp"
        # As root, nginx's workers would run as "nobody" and could not write the cache under tmp_path.
        user = "user root;" if os.geteuid() == 0 else ""
        self.main_conf.write_text(f"""
{user}
daemon off;
master_process on;
worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.root}/logs/main-error.log warn;
events {{ worker_connections 64; }}
http {{
    types {{ application/javascript js; application/json json; text/html html; }}
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    access_log {self.root}/logs/main-access.log;
    include {self.root}/consent-server.conf;
}}
""")
        return self

    def command(self, *args: str) -> list[str]:
        """nginx with this prefix and config."""
        return ["nginx", "-p", f"{self.root}/", "-c", str(self.main_conf), *args]

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` on this setup."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)
