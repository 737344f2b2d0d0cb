"""deploy/: the nginx site passes `nginx -t` and serves the app as intended; the systemd unit verifies."""
from __future__ import annotations

import configparser
import gzip
import http.client
import json
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.builders import eventually
from tests.servers import free_port, make_live_server
from tests.serving.builders import consent_body, stored_receipts

from .nginx_prefix import ROOT, NginxPrefix

UNIT = ROOT / "deploy" / "consent-server.service"
NGINX = shutil.which("nginx")
SHOP = "https://shop.example"  # a registered origin of the site: the POSTs come as its browsers
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian package nginx)")

HARDENING = ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices",
             "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups", "RestrictAddressFamilies",
             "RestrictNamespaces", "CapabilityBoundingSet", "SystemCallFilter", "LockPersonality")


def unit_sections() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_systemd_unit_runs_serve_as_a_dedicated_user_with_hardening():
    unit = unit_sections()
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["ExecStart"].endswith("consent-server serve")
    assert service["User"] not in ("", "root")
    assert service["EnvironmentFile"].startswith("/etc/")
    assert "StateDirectory" in service
    assert [key for key in HARDENING if key not in service] == []
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    # verify also checks that ExecStart exists: point it at this checkout's console script.
    local = UNIT.read_text().replace("/opt/consent-server/venv/bin/consent-server",
                                     str(ROOT / ".venv" / "bin" / "consent-server"))
    local = local.replace("WorkingDirectory=/opt/consent-server", f"WorkingDirectory={ROOT}")
    copy = tmp_path / "consent-server.service"
    copy.write_text(local)
    done = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@needs_nginx
def test_nginx_site_passes_nginx_t(tmp_path):
    done = NginxPrefix(tmp_path).write().check()
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "warn" not in done.stderr


class Through:
    """HTTPS requests to the nginx under test, from a chosen source address."""

    def __init__(self, port: int, cert: Path) -> None:
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cert))

    def request(self, method: str, path: str, *, host: str = "127.0.0.1", source: str = "127.0.0.77",
                body: dict | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPSConnection(host, self.port, context=self.context, timeout=10,
                                                 source_address=(source, 0))
        try:
            data = json.dumps(body).encode() if body is not None else None
            extra = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=data, headers={**extra, **(headers or {})})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


def nginx_answers(nginx: subprocess.Popen, through: Through) -> bool:
    """Whether nginx answers /healthz yet (raises with its stderr once it has exited)."""
    if nginx.poll() is not None:
        raise RuntimeError(nginx.stderr.read().decode() if nginx.stderr else "nginx exited")
    try:
        return through.request("GET", "/healthz")[0] == 200
    except OSError:  # not listening yet
        return False


@pytest.fixture
def nginx_in_front(app, database_url, instance, tmp_path):
    """gunicorn with CONSENT_TRUSTED_PROXIES=1 behind the deploy nginx site; yields (Through, prefix)."""
    server = make_live_server(database_url, instance, CONSENT_TRUSTED_PROXIES="1")
    create_site(key="demo", name="Demobutiken", origins=[server.url, SHOP], language="sv")
    db.session.commit()
    server.start()
    prefix = NginxPrefix(tmp_path / "nginx", https_port=free_port(), http_port=free_port(),
                         upstream_port=server.port).write()
    nginx = subprocess.Popen(prefix.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    through = Through(prefix.https_port, prefix.root / "cert.pem")
    try:
        if not eventually(lambda: nginx_answers(nginx, through), 15):
            raise RuntimeError("nginx did not answer /healthz within 15 s")  # still running: its stderr is open
        yield through, prefix
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        nginx.stderr.close()
        server.stop()


def logged_posts(access_log: Path, expected: int) -> tuple[str, list[str]]:
    """The access log and its consent POST lines, once `expected` of them are written (or 10 s pass).

    nginx writes a request's log line when it finalises the request, which can be just after the
    client has read the response: reading the file at once races with that write.
    """
    def read() -> tuple[str, list[str]]:
        log = access_log.read_text() if access_log.exists() else ""
        return log, [line for line in log.splitlines() if "POST /api/v1/sites/demo/consents " in line]

    eventually(lambda: len(read()[1]) >= expected, 10)
    return read()


@needs_nginx
@pytest.mark.slow
def test_nginx_forwards_the_client_and_logs_only_its_network(nginx_in_front, database_url):
    through, prefix = nginx_in_front
    spoofed = {"X-Forwarded-For": "203.0.113.9", "Origin": SHOP}
    v4, _, answer_v4 = through.request("POST", "/api/v1/sites/demo/consents?utm=x", body=consent_body(),
                                       headers=spoofed)
    v6, _, answer_v6 = through.request("POST", "/api/v1/sites/demo/consents", host="::1", source="::1",
                                       body=consent_body(), headers=spoofed)
    assert (v4, v6) == (201, 201)

    stored = stored_receipts(database_url)
    # The app saw nginx's X-Forwarded-For (the real peer), not the socket (nginx) nor the spoofed value.
    assert stored[json.loads(answer_v4)["receipt_id"]] == "127.0.0.0/24"
    assert stored[json.loads(answer_v6)["receipt_id"]] == "::/48"
    log, posts = logged_posts(prefix.access_log, expected=2)
    assert [line.split(" ", 1)[0] for line in posts] == ["127.0.0.0/24", "-"]
    assert "127.0.0.77" not in log and "203.0.113.9" not in log and "utm=" not in log


@needs_nginx
@pytest.mark.slow
def test_nginx_logs_no_visitor_id(nginx_in_front):
    through, prefix = nginx_in_front
    body = consent_body()
    assert through.request("POST", "/api/v1/sites/demo/consents", body=body, headers={"Origin": SHOP})[0] == 201
    assert through.request("GET", f"/api/v1/sites/demo/visitors/{body['visitor_id']}/consent")[0] == 200
    # nginx writes a request's line as it finalises the request, just after the answer.
    log = eventually(lambda: text if "visitors/-/" in (text := prefix.access_log.read_text()) else "", 10)
    assert '"GET /api/v1/sites/demo/visitors/-/consent HTTP/1.1" 200' in log
    assert body["visitor_id"] not in log


@needs_nginx
@pytest.mark.slow
def test_nginx_caches_the_snippet_and_passes_its_etag_through(nginx_in_front):
    through, _ = nginx_in_front
    gzip_ok = {"Accept-Encoding": "gzip"}
    status, first, body = through.request("GET", "/c/demo.js", headers=gzip_ok)
    assert status == 200
    assert first["content-encoding"] == "gzip" and b"__CONSENT_CONFIG__" not in gzip.decompress(body)
    assert first["x-cache-status"] == "MISS"
    assert not first["etag"].startswith("W/")  # the app's strong ETag, untouched by nginx
    status, second, _ = through.request("GET", "/c/demo.js", headers=gzip_ok)
    assert (status, second["x-cache-status"], second["etag"]) == (200, "HIT", first["etag"])
    status, _, _ = through.request("GET", "/c/demo.js", headers={**gzip_ok, "If-None-Match": first["etag"]})
    assert status == 304
    status, plain, body = through.request("GET", "/c/demo.js")
    assert status == 200 and "content-encoding" not in plain and plain["etag"] != first["etag"]
    assert "strict-transport-security" in plain


@needs_nginx
@pytest.mark.slow
def test_nginx_refuses_bodies_over_16k_before_the_app(nginx_in_front):
    through, prefix = nginx_in_front
    status, _, _ = through.request("POST", "/api/v1/sites/demo/consents",
                                   body=consent_body(page_url="/" + "a" * 17000))
    assert status == 413
