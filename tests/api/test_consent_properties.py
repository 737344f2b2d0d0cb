"""Property: whatever a visitor sends to the consent POST, no answer is a 5xx, and SQLite and PostgreSQL agree.

Hypothesis sends arbitrary JSON values and unicode (lone surrogates and controls included)
in every field of the body, in the User-Agent, and as the whole body, mostly from the site's
own origin, through the lane in front of Flask (a bare application/json) and through Flask's
view (with a charset).

"Both databases agree" is checked side by side rather than against a prediction of each
status: a prediction would be a second copy of the validation rules, and it is the
databases' differences (a column length or a NUL that PostgreSQL refuses and SQLite
keeps) that turned input into a 500. Every example goes to an app on a fresh SQLite file
and, when CONSENT_TEST_DATABASE_URL is set, to an app on PostgreSQL as well; both must
give the same status and machine code. Without PostgreSQL the test still asserts no 5xx.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from consent_server.models import ACTIONS
from tests.builders import SITE_ORIGIN
from tests.servers import PG_URL

URL = "/api/v1/sites/shop/consents"
PURPOSES = ("necessary", "analytics", "ads", "youtube", "affiliate")
CONTENT_TYPES = ("application/json", "application/json; charset=utf-8")

# Bounded so that the property runs in seconds per database; deadline=None because a POST
# waits for its commit (an fsync on SQLite), whose time the machine's load decides.
settings.register_profile(
    "consent-post",
    max_examples=150,
    deadline=None,
    database=None,  # nothing written into the worktree; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any code point, lone surrogates and controls included (Hypothesis' text() leaves surrogates out).
TEXT = st.text(st.characters(exclude_categories=[]), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=8,
)
OFFSETS = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                            max_value=timedelta(hours=23, minutes=59)))


def times(moments: st.SearchStrategy[datetime]) -> st.SearchStrategy[str]:
    """RFC 3339 texts of `moments` at any offset."""
    return st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), moments, OFFSETS)


# A day from each end, any offset keeps a time within UTC's years 1-9999; at the ends it may not.
TIMES = times(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
EDGE_TIMES = times(st.sampled_from((datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59))) | st.datetimes())

VALID: dict[str, st.SearchStrategy[Any]] = {
    "visitor_id": st.from_regex(r"[A-Za-z0-9_-]{16,64}", fullmatch=True),
    "policy_version": st.just(1),
    "choices": st.dictionaries(st.sampled_from(PURPOSES), st.booleans()),
    "action": st.sampled_from(ACTIONS),
    "language": st.sampled_from(("sv", "en")),
    "page_url": st.sampled_from(("https://shop.example/kassa?order=1#steg2", "/produkt/smörgås")),
    "client_ts": TIMES,
}
# Values close to valid ones, where the checks after the schema's types are.
NEAR: dict[str, st.SearchStrategy[Any]] = {
    "visitor_id": st.tuples(VALID["visitor_id"], st.sampled_from(("\n", "\r\n", " ")) | TEXT).map("".join),
    "policy_version": st.integers(min_value=-1, max_value=2**63),
    "choices": st.dictionaries(st.sampled_from(PURPOSES) | TEXT, st.booleans() | JSON_VALUES, max_size=6),
    "action": st.sampled_from(ACTIONS).map(str.upper),
    "language": TEXT,
    "page_url": st.tuples(st.sampled_from(("https://", "http://", "/", "https://shop.example/", "//")), TEXT)
                  .map("".join),
    "client_ts": EDGE_TIMES | st.tuples(TIMES, TEXT).map("".join),
}
ABSENT = object()
# What gunicorn passes on in a header value: latin-1 without controls but tab (RFC 9110 5.5).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f") | st.just("\t"),
                      max_size=200)
# "Name/version CFNetwork/1" names the browser "Name" at that version, however long either is.
USER_AGENTS = st.none() | HEADER_TEXT | st.builds(
    "{}/{} {}".format, st.from_regex(r"[A-Za-z]{1,100}", fullmatch=True) | HEADER_TEXT,
    st.integers(min_value=0) | HEADER_TEXT, st.just("CFNetwork/1") | HEADER_TEXT)
# Mostly a browser on the site's pages; now and then no Origin (401 without a key) or a foreign one.
ORIGINS = st.sampled_from((SITE_ORIGIN, SITE_ORIGIN, SITE_ORIGIN, None, "https://evil.example"))


@st.composite
def consent_posts(draw: st.DrawFn) -> tuple[bytes, str, str | None, str | None]:
    """(body, content type, user agent, origin): a valid body with up to three fields made strange or left out and
    perhaps unknown fields added; or, now and then, another JSON value or random bytes."""
    body: Any = {name: draw(strategy) for name, strategy in VALID.items()}
    for name in draw(st.sets(st.sampled_from(sorted(VALID)), max_size=3)):
        body[name] = draw(st.just(ABSENT) | NEAR[name] | JSON_VALUES | TEXT)
    body = {name: value for name, value in body.items() if value is not ABSENT}
    body.update(draw(st.dictionaries(TEXT, JSON_VALUES, max_size=2)))  # unknown fields, now and then
    raw = draw(st.sampled_from(("object", "object", "object", "json", "bytes")))
    if raw == "json":
        body = draw(JSON_VALUES)
    data = draw(st.binary(max_size=64)) if raw == "bytes" else json.dumps(body).encode()
    return data, draw(st.sampled_from(CONTENT_TYPES)), draw(USER_AGENTS), draw(ORIGINS)


@pytest.fixture
def clients(make_app, sqlite_database_url) -> dict[str, FlaskClient]:
    """A test client per database: a fresh SQLite file, and this run's PostgreSQL when there is one."""
    apps = {"sqlite": make_app(CONSENT_DATABASE_URL=sqlite_database_url)}
    if PG_URL:
        apps["postgresql"] = make_app()  # on this test's database_url
    for app in apps.values():
        with app.app_context():
            create_site(key="shop", name="Testbutiken", origins=[SITE_ORIGIN], language="sv")
            db.session.commit()
    return {name: app.test_client() for name, app in apps.items()}


def answer(client: FlaskClient, data: bytes, content_type: str, user_agent: str | None,
           origin: str | None) -> tuple[int, str | None]:
    """The status and the machine code (None for a 201) of one POST."""
    headers = {name: value for name, value in (("User-Agent", user_agent), ("Origin", origin)) if value is not None}
    response = client.post(URL, data=data, content_type=content_type, headers=headers)
    return response.status_code, None if response.status_code == 201 else response.json["code"]


def issue(**fields: Any) -> tuple[bytes, str, str | None, str | None]:
    """A request of issue #14, from a valid body with `fields` changed."""
    body = {"visitor_id": "visitorAAAAAAAAAAAAAAAA3", "policy_version": 1, "choices": {"analytics": True},
            "action": "custom", "language": "sv"}
    user_agent = fields.pop("user_agent", None)
    body.update(fields)
    return json.dumps(body).encode(), "application/json", user_agent, SITE_ORIGIN


@settings(settings.get_profile("consent-post"))
@given(post=consent_posts())
@example(post=issue(page_url="https://[::1"))
@example(post=issue(page_url="https://a\uff03b/x"))
@example(post=issue(page_url="/a\udc00b"))
@example(post=issue(client_ts="0001-01-01T00:00:00+01:00"))
@example(post=issue(client_ts="9999-12-31T23:59:59-01:00"))
@example(post=issue(visitor_id="v" * 64 + "\n"))
@example(post=issue(user_agent="Foo/12345678901234567890 CFNetwork/1"))
@example(post=issue(user_agent="F" * 100 + "/1.0 CFNetwork/1"))
@example(post=(b"[" * 5000 + b"]" * 5000, "application/json", None, SITE_ORIGIN))
def test_no_input_gets_a_5xx_and_both_databases_agree(clients, post):
    answers = {name: answer(client, *post) for name, client in clients.items()}
    event(f"answered {answers['sqlite'][0]}")  # shown by --hypothesis-show-statistics
    assert all(status < 500 for status, _ in answers.values()), answers
    assert len(set(answers.values())) == 1, answers
