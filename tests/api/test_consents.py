"""POST /api/v1/sites/{site}/consents: what is recorded, and every way a bad request is refused."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import Consent
from tests.builders import CHROME_UA, SITE_ORIGIN, browser_client, consent_body, recorder_headers, visitor_id

URL = "/api/v1/sites/shop/consents"
ORIGIN = {"Origin": "https://shop.example"}


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Consent))


def test_records_a_decision_and_answers_with_a_receipt(client, site):
    body = consent_body(page_url="https://shop.example/kassa?email=a@b.se#steg2", client_ts="2026-11-25T10:00:00+01:00")
    response = client.post(URL, json=body, headers={**ORIGIN, "User-Agent": CHROME_UA})
    assert response.status_code == 201
    data = response.json
    assert data["choices"] == {"necessary": True, "analytics": True, "ads": False, "youtube": False, "affiliate": False}
    assert len(data["receipt_id"]) >= 22  # at least 128 random bits, URL-safe base64
    assert data["recorded_at"].endswith("+00:00")
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    record = db.session.scalar(select(Consent))
    assert record.receipt_id == data["receipt_id"]
    assert record.page_path == "/kassa"
    assert record.ip_truncated == "127.0.0.0/24"
    assert (record.browser_family, record.browser_major, record.os_family, record.device_type) == (
        "Chrome", "120", "Windows", "desktop")
    assert record.user_agent is None  # not kept unless CONSENT_STORE_USER_AGENT
    assert record.client_ts.isoformat() == "2026-11-25T09:00:00+00:00"
    assert record.recorded_at.tzinfo is not None


def test_necessary_is_always_granted(client, site):
    response = client.post(URL, json=consent_body(choices={"necessary": False}, action="reject_all"))
    assert response.status_code == 201
    assert response.json["choices"]["necessary"] is True


def test_receipts_are_unique(client, site):
    ids = {client.post(URL, json=consent_body()).json["receipt_id"] for _ in range(20)}
    assert len(ids) == 20


def test_gpc_header_is_recorded(client, site):
    client.post(URL, json=consent_body(action="gpc", choices={}), headers={"Sec-GPC": "1"})
    assert db.session.scalar(select(Consent.gpc)) is True


def test_spoofed_forwarded_for_is_ignored_without_trusted_proxies(client, site):
    client.post(URL, json=consent_body(), headers={"X-Forwarded-For": "203.0.113.77"})
    assert db.session.scalar(select(Consent.ip_truncated)) == "127.0.0.0/24"


def test_a_server_with_a_recorder_key_records_without_origin(server_client, site, recorder_key):
    response = server_client.post(URL, json=consent_body(), headers=recorder_headers(recorder_key))
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response.headers
    assert rows() == 1


@pytest.mark.parametrize(("key", "status", "code"), [
    (None, 401, "missing_api_key"),
    ("cs_not-a-real-token", 401, "invalid_api_key"),
    ("owner_key", 403, "wrong_role"),
    ("auditor_key", 403, "wrong_role"),
    ("other_recorder_key", 403, "wrong_site"),
])
def test_a_post_without_origin_needs_a_recorder_key_of_the_site(server_client, site, request, key, status, code):
    token = request.getfixturevalue(key) if key and key.endswith("_key") else key
    headers = recorder_headers(token) if token else {}
    assert_error(server_client.post(URL, json=consent_body(action="withdraw"), headers=headers), status, code)


def test_a_revoked_recorder_key_stops_recording(server_client, site, recorder_key):
    from consent_server.domain.sites import revoke_key
    from consent_server.models import ApiKey

    revoke_key(db.session.scalar(select(ApiKey.id).where(ApiKey.role == "recorder")))
    db.session.commit()
    assert_error(server_client.post(URL, json=consent_body(), headers=recorder_headers(recorder_key)), 401)


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/sites/shop/consents"),
    ("get", "/api/v1/sites/shop/visitors/{visitor}/history"),
    ("get", "/api/v1/sites/shop/visitors/{visitor}/export"),
    ("delete", "/api/v1/sites/shop/visitors/{visitor}"),
    ("put", "/api/v1/sites/shop/inventory"),
])
def test_a_recorder_key_only_records(server_client, site, recorder_key, method, path):
    visitor = visitor_id()
    recorded = server_client.post(URL, json=consent_body(visitor_id=visitor), headers=recorder_headers(recorder_key))
    assert recorded.status_code == 201
    # The PUT gets a valid inventory (the current one): refused for the key, not for the body.
    body = {"inventory": server_client.get(path).json["inventory"]} if method == "put" else None
    response = getattr(server_client, method)(path.format(visitor=visitor), json=body,
                                              headers=recorder_headers(recorder_key))
    assert response.status_code == 403 and response.json["code"] == "wrong_role"


def test_preflight_for_a_registered_origin(client, site):
    response = client.options(URL, headers={**ORIGIN, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_for_another_origin_is_forbidden(client, site):
    response = client.options(URL, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json["code"] == "origin_not_allowed"


def assert_error(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    data = response.json
    assert set(data) == {"status", "code", "message", "errors"}
    assert data["status"] == status
    if code:
        assert data["code"] == code
    assert rows() == 0  # nothing partial was written


def test_malformed_json_is_400(client, site):
    assert_error(client.post(URL, data='{"visitor_id": ', content_type="application/json"), 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(client, site, content_type):
    response = client.post(URL, data=json.dumps(consent_body()), content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")


def test_huge_body_is_413(client, site):
    body = consent_body(page_url="https://shop.example/" + "a" * 20000)
    assert_error(client.post(URL, json=body), 413, "payload_too_large")


def test_unknown_site_is_404(client, site):
    assert_error(client.post("/api/v1/sites/nosuch/consents", json=consent_body()), 404, "unknown_site")


def test_foreign_origin_is_403(client, site):
    assert_error(client.post(URL, json=consent_body(), headers={"Origin": "https://evil.example"}), 403)


def test_unknown_purpose_is_422(client, site):
    response = client.post(URL, json=consent_body(choices={"analytics": True, "tracking": True}))
    assert_error(response, 422, "unknown_purpose")
    assert "choices" in response.json["errors"]


def test_unknown_policy_version_is_422(client, site):
    assert_error(client.post(URL, json=consent_body(policy_version=99)), 422, "unknown_policy_version")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("visitor_id", "short"),
        ("visitor_id", "x" * 65),
        ("visitor_id", "visitor id with spaces!"),
        ("visitor_id", "åäöåäöåäöåäöåäöåäö"),
        ("visitor_id", 12345678901234567),
        ("policy_version", "1"),
        ("policy_version", 1.5),
        ("policy_version", 0),
        ("policy_version", True),
        ("choices", ["analytics"]),
        ("choices", {"analytics": "yes"}),
        ("choices", {"analytics": 1}),
        ("choices", None),
        ("action", "maybe"),
        ("language", "de"),
        ("page_url", "https://shop.example/\x00evil"),
        ("page_url", "https://shop.example/\u2028x"),
        ("page_url", "javascript:alert(1)"),
        ("page_url", 42),
        ("client_ts", "yesterday"),
        ("client_ts", "2026-11-25T10:00:00"),  # no time zone
        ("surprise", "field"),
    ],
)
def test_bad_fields_are_422(client, site, field, value):
    response = client.post(URL, json=consent_body(**{field: value}))
    assert_error(response, 422, "validation_failed")
    assert field in response.json["errors"]


@pytest.mark.parametrize("missing", ["visitor_id", "policy_version", "choices", "action", "language"])
def test_missing_fields_are_422(client, site, missing):
    body = consent_body()
    del body[missing]
    response = client.post(URL, json=body)
    assert_error(response, 422)
    assert missing in response.json["errors"]


def test_json_that_is_not_an_object_is_422(client, site):
    assert_error(client.post(URL, data="[1, 2]", content_type="application/json"), 422)


def test_unicode_in_allowed_fields_is_kept(client, site):
    response = client.post(URL, json=consent_body(page_url="https://shop.example/köp/smörgås-🥪"))
    assert response.status_code == 201
    assert db.session.scalar(select(Consent.page_path)) == "/köp/smörgås-🥪"


@pytest.mark.parametrize("storage", [None, "memory://"])  # the shared default, limits' per-process memory
def test_too_many_requests_from_one_network_is_429(make_app, site, storage):
    limited = make_app(CONSENT_RATELIMIT="3 per minute", CONSENT_RATELIMIT_STORAGE=storage)
    with limited.app_context():
        client = browser_client(limited, SITE_ORIGIN)
        statuses = [client.post(URL, json=consent_body(), environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code
                    for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        # The same /24 shares the budget; another network does not.
        same_net = client.post(URL, json=consent_body(), environ_base={"REMOTE_ADDR": "198.51.100.200"})
        assert same_net.status_code == 429 and same_net.json["code"] == "too_many_requests"
        assert 1 <= int(same_net.headers["Retry-After"]) <= 60
        other = client.post(URL, json=consent_body(), environ_base={"REMOTE_ADDR": "203.0.113.1"})
        assert other.status_code == 201
        # Only recording is limited: a limited network's CORS preflight is still answered.
        preflight = client.options(URL, headers={"Origin": SITE_ORIGIN, "Access-Control-Request-Method": "POST"},
                                   environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert preflight.status_code == 204


def test_country_from_a_real_geoip_database(make_app, site, tmp_path):
    from tests.builders import write_country_db

    path = tmp_path / "country.mmdb"
    write_country_db(path)
    geo = make_app(CONSENT_GEOIP_DB=str(path))
    with geo.app_context():
        response = browser_client(geo, SITE_ORIGIN).post(URL, json=consent_body(),
                                                         environ_base={"REMOTE_ADDR": "81.2.69.160"})
        assert response.status_code == 201
        record = db.session.scalar(select(Consent))
        assert (record.country, record.ip_truncated) == ("GB", "81.2.69.0/24")


def test_raw_user_agent_kept_only_when_asked(make_app, site):
    keeping = make_app(CONSENT_STORE_USER_AGENT=True)
    with keeping.app_context():
        browser_client(keeping, SITE_ORIGIN).post(URL, json=consent_body(), headers={"User-Agent": CHROME_UA})
        assert db.session.scalar(select(Consent.user_agent)) == CHROME_UA


def test_ipv6_client_is_truncated_to_48(client, site):
    client.post(URL, json=consent_body(), environ_base={"REMOTE_ADDR": "2001:db8:abcd:12::7"})
    assert db.session.scalar(select(Consent.ip_truncated)) == "2001:db8:abcd::/48"


def test_visitor_id_builder_is_valid():
    assert 16 <= len(visitor_id()) <= 64


def test_the_budget_is_counted_in_redis_when_configured(make_app, site):
    """CONSENT_RATELIMIT_STORAGE=redis://: every node counts a network's requests in the one Redis."""
    import secrets

    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # A network of its own per run: Redis outlives the test and counts for a minute.
    network = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.9"
    shared = {"CONSENT_RATELIMIT": "2 per minute", "CONSENT_RATELIMIT_STORAGE": "redis://127.0.0.1:6379/0"}
    statuses = []
    for node in (make_app(**shared), make_app(**shared), make_app(**shared)):
        with node.app_context():
            response = browser_client(node, SITE_ORIGIN).post(URL, json=consent_body(),
                                                              environ_base={"REMOTE_ADDR": network})
            statuses.append(response.status_code)
    assert statuses == [201, 201, 429]
    truncated = network.rsplit(".", 1)[0] + ".0/24"
    counters = [key for key in server.scan_iter("*consent-public*") if truncated.encode() in key]
    assert counters and not any(network.encode() in key for key in counters)  # the network, never the address
