"""Without CONSENT_PUBLIC_URL the snippet names the request's host, and a varied Host header neither
grows the app's kept renderings nor changes anything else in the answer."""
from __future__ import annotations

import gzip
import json

from consent_server.web.snippet import SLOT, built_snippet

PREFIX, SUFFIX = built_snippet().split(SLOT)
HOSTS = [f"h{n}.example:8{n:03d}" for n in range(40)]


def inlined(body: bytes) -> dict:
    text = body.decode()
    return json.loads(text[len(PREFIX):len(text) - len(SUFFIX)])


def test_varied_hosts_share_one_kept_rendering(app, client, site):
    for path in ("/c/shop.js", "/api/v1/sites/shop/config"):
        answers = [client.get(path, headers={"Host": host, "Accept-Encoding": "gzip"}) for host in HOSTS]
        for host, answer in zip(HOSTS, answers):
            plain = gzip.decompress(answer.data)
            config = inlined(plain) if path.endswith(".js") else json.loads(plain)
            assert config["endpoints"]["consents"] == f"http://{host}/api/v1/sites/shop/consents"
        assert len({answer.headers["ETag"] for answer in answers}) == len(HOSTS)
    assert len(app.extensions["consent.snippet_renderings"]) == 1


def test_only_the_endpoints_depend_on_the_host(client, site):
    first, second = (inlined(client.get("/c/shop.js", headers={"Host": host}).data) for host in HOSTS[:2])
    assert first["endpoints"] != second["endpoints"]
    assert {**first, "endpoints": None} == {**second, "endpoints": None}


def test_a_host_cannot_break_out_of_the_script(client, site):
    response = client.get("/c/shop.js", headers={"Host": "evil.example</script><b>"})
    assert response.status_code == 200
    assert b"</script>" not in response.data and b"<b>" not in response.data
    assert "<" not in json.dumps(inlined(response.data)["endpoints"])  # Werkzeug drops an invalid Host


def test_a_public_url_wins_over_the_host(make_app, site):
    client = make_app(CONSENT_PUBLIC_URL="https://consent.example.se/").test_client()
    for host in HOSTS[:3]:
        config = client.get("/api/v1/sites/shop/config", headers={"Host": host}).get_json()
        assert config["endpoints"]["policy"] == "https://consent.example.se/sites/shop/cookie-policy"


def test_revalidation_per_host_answers_304(client, site):
    first = client.get("/c/shop.js", headers={"Host": HOSTS[0]})
    again = client.get("/c/shop.js", headers={"Host": HOSTS[0], "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/c/shop.js", headers={"Host": HOSTS[1], "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200
