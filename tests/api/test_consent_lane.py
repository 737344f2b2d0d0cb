"""The consent lane: plain JSON consent POSTs are answered in front of Flask, exactly as the view answers."""
from __future__ import annotations

import json

import pytest
from flask import request

from consent_server.http.consent_lane import plain_consent_post
from tests.builders import SITE_ORIGIN, browser_client, consent_body

URL = "/api/v1/sites/shop/consents"
PLAIN = "application/json"
# Flask's view serves these: the lane takes only a bare application/json.
WITH_CHARSET = "application/json; charset=utf-8"


@pytest.fixture
def dispatched(app) -> list[str]:
    """The paths of the requests that reached Flask's dispatch."""
    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(request.path))
    return seen


def post(client, content_type: str, body: object, headers: dict[str, str] | None = None, url: str = URL):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type=content_type, headers=headers or {})


def test_plain_json_posts_do_not_reach_flask(client, site, dispatched):
    assert post(client, PLAIN, consent_body()).status_code == 201
    assert post(client, PLAIN, "{broken").status_code == 400
    assert dispatched == []
    assert post(client, WITH_CHARSET, consent_body()).status_code == 201
    assert client.options(URL, headers={"Origin": SITE_ORIGIN}).status_code == 204
    assert dispatched == [URL, URL]


def _comparable(response) -> tuple:
    data = response.json
    if response.status_code == 201:
        data = {**data, "receipt_id": "*", "recorded_at": "*", "visitor_id": "*"}
    headers = sorted((name, value) for name, value in response.headers.items() if name != "Content-Length")
    return response.status_code, data, headers


BROWSER = {"Origin": SITE_ORIGIN}
RECORDER = {"Authorization": "Bearer {recorder}"}  # the test's recorder key goes in

CASES = {
    "recorded with an origin": (consent_body(), BROWSER, URL, 201),
    "recorded with a recorder key": (consent_body(), RECORDER, URL, 201),
    "no origin and no key": (consent_body(), {}, URL, 401),
    "no origin and an owner key": (consent_body(), {"Authorization": "Bearer {owner}"}, URL, 403),
    "no origin and a bad key": ('{"visitor_id": ', {"Authorization": "Bearer cs_nonsense"}, URL, 401),
    "malformed JSON": ('{"visitor_id": ', BROWSER, URL, 400),
    "not UTF-8": (b'{"visitor_id": "\xff"}', BROWSER, URL, 400),
    "not an object": ("[1, 2]", RECORDER, URL, 422),
    "bad fields": (consent_body(visitor_id="short", policy_version="1", surprise=1), BROWSER, URL, 422),
    "control character": (consent_body(page_url="https://shop.example/\x00"), BROWSER, URL, 422),
    "unknown purpose": (consent_body(choices={"tracking": True}), BROWSER, URL, 422),
    "unknown policy version": (consent_body(policy_version=99), BROWSER, URL, 422),
    "foreign origin": (consent_body(), {"Origin": "https://evil.example"}, URL, 403),
    "unknown site": (consent_body(), BROWSER, "/api/v1/sites/nosuch/consents", 404),
}


@pytest.mark.parametrize("case", CASES)
def test_the_lane_answers_as_the_view(server_client, site, dispatched, recorder_key, owner_key, case):
    body, headers, url, status = CASES[case]
    headers = {name: value.format(recorder=recorder_key, owner=owner_key) for name, value in headers.items()}
    lane = post(server_client, PLAIN, body, headers, url)
    view = post(server_client, WITH_CHARSET, body, headers, url)
    assert len(dispatched) == 1  # only the second went through Flask
    assert lane.status_code == status
    assert _comparable(lane) == _comparable(view)


def test_lane_and_view_count_against_one_budget(make_app, site):
    limited = make_app(CONSENT_RATELIMIT="3 per minute")
    with limited.app_context():
        client = browser_client(limited, SITE_ORIGIN)
        statuses = [post(client, kind, consent_body()).status_code for kind in (PLAIN, WITH_CHARSET, PLAIN, PLAIN)]
        refused = post(client, WITH_CHARSET, consent_body())
    assert statuses == [201, 201, 201, 429]
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def environ(**overrides: str) -> dict[str, str]:
    base = {"REQUEST_METHOD": "POST", "PATH_INFO": URL, "CONTENT_TYPE": PLAIN, "CONTENT_LENGTH": "120"}
    return {key: value for key, value in {**base, **overrides}.items() if value is not None}


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, ("shop", 120)),
    ({"CONTENT_LENGTH": "16384"}, ("shop", 16384)),
    ({"CONTENT_LENGTH": "16385"}, None),  # over the limit: Flask answers 413
    ({"CONTENT_LENGTH": "0"}, None),
    ({"CONTENT_LENGTH": None}, None),
    ({"CONTENT_LENGTH": "-1"}, None),
    ({"CONTENT_LENGTH": "1e3"}, None),
    ({"HTTP_TRANSFER_ENCODING": "chunked"}, None),
    ({"CONTENT_TYPE": WITH_CHARSET}, None),
    ({"CONTENT_TYPE": "text/plain"}, None),  # Flask answers 415
    ({"REQUEST_METHOD": "OPTIONS"}, None),
    ({"REQUEST_METHOD": "GET"}, None),
    ({"PATH_INFO": URL + "/"}, None),
    ({"PATH_INFO": URL + "\n"}, None),  # `$` alone matches before a trailing newline
    ({"PATH_INFO": "/api/v1/sites/Shop/consents"}, None),  # not a site key: Flask's 404 names it
    ({"PATH_INFO": "/api/v1/sites/sh\xc3\xb6p/consents"}, None),
    ({"PATH_INFO": "/api/v1/sites/shop/consents/x"}, None),
    ({"PATH_INFO": "/api/v1/sites/a/b/consents"}, None),
])
def test_which_requests_take_the_lane(overrides, expected):
    assert plain_consent_post(environ(**overrides), 16384) == expected


def test_a_database_failure_is_the_same_500_both_ways(make_app, instance, caplog):
    # A folder where the database file should be: SQLite cannot open it (the stamp file beside it is fine).
    (instance / "consent-folder.db").mkdir()
    broken = make_app(CONSENT_DATABASE_URL=f"sqlite:///{instance}/consent-folder.db")
    client = broken.test_client()
    body = consent_body()
    url = "/api/v1/sites/nowhere/consents"  # a key no other test caches
    lane, view = (post(client, kind, body, url=url) for kind in (PLAIN, WITH_CHARSET))
    assert lane.status_code == 500 and lane.json["code"] == "internal_error"
    assert _comparable(lane) == _comparable(view)
    logged = [record for record in caplog.records if record.getMessage().startswith("unhandled")]
    assert len(logged) == 2  # each logged once, without the request's data
    assert "OperationalError" in caplog.text and body["visitor_id"] not in caplog.text
