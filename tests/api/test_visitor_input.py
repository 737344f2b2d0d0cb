"""Whatever a visitor sends, the consent POST answers in the one shape with a 4xx or stores it: never a 5xx."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from consent_server.extensions import db
from consent_server.models import Consent
from tests.builders import consent_body

URL = "/api/v1/sites/shop/consents"
# The lane in front of Flask answers a bare application/json; Flask's view answers the rest.
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8"]


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Consent))


def post(client, content_type: str, body: object, headers: dict[str, str] | None = None):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, headers=headers or {})


def assert_refused(response, status: int, field: str) -> None:
    """The one error shape, naming `field`, and nothing stored."""
    assert response.status_code == status, response.get_data(as_text=True)
    data = response.json
    assert set(data) == {"status", "code", "message", "errors"} and data["status"] == status
    assert field in data["errors"]
    assert rows() == 0


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("page_url", [
    "https://[::1",  # urlsplit: "Invalid IPv6 URL"
    "https://a\uff03b/x",  # fullwidth number sign: a "#" under NFKC, refused by urlsplit
    "/a\udc00b",  # a lone surrogate: no UTF-8 for it, so no database can store it
    "https://shop.example/\udc00",
])
def test_page_urls_that_do_not_parse_are_422(client, site, caplog, content_type, page_url):
    assert_refused(post(client, content_type, consent_body(page_url=page_url)), 422, "page_url")
    # urlsplit's error names the netloc: no error is logged, and nothing of the URL.
    assert "unhandled" not in caplog.text and page_url not in caplog.text


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("client_ts", [
    "0001-01-01T00:00:00+01:00",  # the year 0 in UTC
    "9999-12-31T23:59:59-01:00",  # the year 10000 in UTC
])
def test_client_times_outside_the_utc_calendar_are_422(client, site, content_type, client_ts):
    assert_refused(post(client, content_type, consent_body(client_ts=client_ts)), 422, "client_ts")


def test_client_times_at_the_ends_of_the_utc_calendar_are_kept(client, site):
    for client_ts in ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999Z"):
        assert post(client, "application/json", consent_body(client_ts=client_ts)).status_code == 201
    assert sorted(ts.isoformat() for ts in db.session.scalars(select(Consent.client_ts))) == [
        "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00"]


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize(("opening", "closing", "depth"), [("[", "]", 5000), ('{"a":', "}", 2500)])
def test_a_body_nested_thousands_deep_is_400(client, site, content_type, opening, closing, depth):
    body = opening * depth + "1" + closing * depth  # within the 16 KiB a body may have
    assert_refused(post(client, content_type, body), 400, "json")


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_nesting_within_the_limit_is_parsed_then_validated(client, site, content_type):
    body = consent_body(choices={"analytics": [[[[[[[[True]]]]]]]]})
    assert_refused(post(client, content_type, body), 422, "choices")


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("visitor", [
    "visitorAAAAAAAAAAAAAAAA3\n",  # `$` matched before a trailing newline
    "v" * 64 + "\n",  # ... and 65 characters do not fit PostgreSQL's column
])
def test_a_visitor_id_with_a_trailing_newline_is_422(client, site, content_type, visitor):
    assert_refused(post(client, content_type, consent_body(visitor_id=visitor)), 422, "visitor_id")


@pytest.mark.parametrize(("user_agent", "facts"), [
    ("Foo/12345678901234567890 CFNetwork/1", ("Foo", "1234567890123456")),
    ("F" * 100 + "/1.0 CFNetwork/1", ("F" * 64, "1")),
])
def test_user_agent_facts_longer_than_their_columns_are_cut(client, site, user_agent, facts):
    assert post(client, "application/json", consent_body(), {"User-Agent": user_agent}).status_code == 201
    stored = db.session.execute(select(Consent.browser_family, Consent.browser_major)).one()
    assert tuple(stored) == facts
