"""Refused consent POSTs are counted per site, day, reason and (for origin refusals) origin, through the
lane and through the view alike; the owner reads the counts over the API and the CLI."""
from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from consent_server.cli import cli
from consent_server.domain.refusals import MAX_ORIGINS_PER_DAY, OTHER_ORIGIN, write_counts
from consent_server.extensions import db
from consent_server.models import RefusalCount
from tests.builders import SITE_ORIGIN, consent_body

URL = "/api/v1/sites/shop/consents"
# The lane answers a bare application/json; Flask's view answers the same POST with a charset parameter.
PATHS = {"lane": "application/json", "view": "application/json; charset=utf-8"}
FOREIGN = "https://evil.example"


def counters() -> list[tuple[str, str, int]]:
    """Every (reason, origin, count) stored, for any site, today."""
    db.session.expire_all()
    rows = db.session.execute(select(RefusalCount.reason, RefusalCount.origin, RefusalCount.count)
                              .order_by(RefusalCount.reason, RefusalCount.origin))
    return [tuple(row) for row in rows]


def post(client, content_type: str, body: object, headers: dict | None = None, url: str = URL):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type=content_type, headers=headers or {})


REFUSALS = {
    # reason: (body, headers, status)
    "origin_not_allowed": (consent_body(), {"Origin": FOREIGN}, 403),
    "unknown_policy_version": (consent_body(policy_version=99), {}, 422),
    "unknown_purpose": (consent_body(choices={"tracking": True}), {}, 422),
    "validation_failed": (consent_body(visitor_id="short"), {}, 422),
    "bad_request": ('{"visitor_id": ', {}, 400),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("reason", REFUSALS)
def test_each_refusal_counts_under_its_reason(client, site, path: str, reason: str) -> None:
    body, headers, status = REFUSALS[reason]
    response = post(client, PATHS[path], body, headers)
    assert (response.status_code, response.json["code"]) == (status, reason)
    origin = FOREIGN if reason == "origin_not_allowed" else ""
    assert counters() == [(reason, origin, 1)]


def test_unsupported_media_type_counts(client, site) -> None:
    assert post(client, "text/plain", consent_body()).status_code == 415
    assert counters() == [("unsupported_media_type", "", 1)]


def test_too_large_body_counts(client, site) -> None:
    big = consent_body(page_url="https://shop.example/" + "a" * 20000)
    assert post(client, PATHS["lane"], big).status_code == 413
    assert counters() == [("payload_too_large", "", 1)]


def test_rate_limited_posts_count(make_app, site) -> None:
    client = make_app(CONSENT_RATELIMIT="2 per minute").test_client()
    statuses = [post(client, PATHS["lane"], consent_body(), {"Origin": SITE_ORIGIN}).status_code for _ in range(5)]
    assert statuses == [201, 201, 429, 429, 429]
    assert counters() == [("too_many_requests", "", 3)]


def test_refused_preflight_counts_as_an_origin_refusal(client, site) -> None:
    preflight = {"Origin": FOREIGN, "Access-Control-Request-Method": "POST"}
    assert client.options(URL, headers=preflight).status_code == 403
    assert client.options(URL, headers={**preflight, "Origin": SITE_ORIGIN}).status_code == 204
    assert counters() == [("origin_not_allowed", FOREIGN, 1)]


def test_recorded_posts_count_nothing(client, site) -> None:
    assert post(client, PATHS["lane"], consent_body(), {"Origin": SITE_ORIGIN}).status_code == 201
    assert post(client, PATHS["view"], consent_body()).status_code == 201
    assert counters() == []


def test_origins_are_counted_apart_and_normalised(client, site) -> None:
    for origin in (FOREIGN, "HTTPS://EVIL.example:443", "https://www.shop.example", "null"):
        assert post(client, PATHS["lane"], consent_body(), {"Origin": origin}).status_code == 403
    assert counters() == [("origin_not_allowed", "(invalid)", 1), ("origin_not_allowed", FOREIGN, 2),
                          ("origin_not_allowed", "https://www.shop.example", 1)]


def test_origins_past_the_daily_cap_count_as_other(client, site) -> None:
    for n in range(MAX_ORIGINS_PER_DAY + 3):
        post(client, PATHS["lane"], consent_body(), {"Origin": f"https://x{n}.example"})
    rows = counters()
    assert len(rows) == MAX_ORIGINS_PER_DAY + 1
    assert ("origin_not_allowed", OTHER_ORIGIN, 3) in rows
    assert sum(n for _, _, n in rows) == MAX_ORIGINS_PER_DAY + 3


@pytest.mark.parametrize("path,key", [("lane", "nosuch"), ("view", "nosuch"), ("view", "NO%20SUCH%0Akey")])
def test_unknown_site_is_logged_not_stored(client, site, caplog, path: str, key: str) -> None:
    caplog.set_level(logging.WARNING, logger="consent_server.domain.refusals")
    assert post(client, PATHS[path], consent_body(), url=f"/api/v1/sites/{key}/consents").status_code == 404
    assert counters() == []
    assert [r.getMessage() for r in caplog.records] == [
        "refused 1 consent POST(s) for site keys that name no site (not counted per site)"]


def test_a_refusal_logs_one_line_without_the_address(client, site, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="consent_server.domain.refusals")
    post(client, PATHS["lane"], consent_body(), {"Origin": FOREIGN})
    assert [r.getMessage() for r in caplog.records] == [
        "refused 1 consent POST(s) for site shop: origin_not_allowed from https://evil.example"]
    assert "127.0.0" not in caplog.text


def test_held_counts_are_written_and_logged_once_per_site_and_reason(app, site, caplog) -> None:
    # What a worker holds between two flushes: one upsert of each counter, one log line per reason.
    caplog.set_level(logging.WARNING, logger="consent_server.domain.refusals")
    today = datetime.now(timezone.utc).date()
    held = Counter({("shop", today, "bad_request", ""): 500, ("shop", today, "origin_not_allowed", FOREIGN): 7})
    write_counts(db.engine, held)
    write_counts(db.engine, held)
    assert counters() == [("bad_request", "", 1000), ("origin_not_allowed", FOREIGN, 14)]


def test_owner_reads_the_counts(client, site, owner_key) -> None:
    post(client, PATHS["lane"], consent_body(), {"Origin": FOREIGN})
    post(client, PATHS["lane"], consent_body(policy_version=99))
    post(client, PATHS["view"], consent_body(policy_version=99))
    response = client.get("/api/v1/sites/shop/refusals", headers={"Authorization": f"Bearer {owner_key}"})
    assert response.status_code == 200
    today = datetime.now(timezone.utc).date().isoformat()
    assert response.json == {
        "site": "shop", "total": 3, "by_reason": {"origin_not_allowed": 1, "unknown_policy_version": 2},
        "counts": [{"day": today, "reason": "origin_not_allowed", "origin": FOREIGN, "count": 1},
                   {"day": today, "reason": "unknown_policy_version", "origin": None, "count": 2}],
    }


def test_counts_are_filtered_by_day(client, app, site, owner_key) -> None:
    days = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    write_counts(db.engine, Counter({("shop", day, "bad_request", ""): i + 1 for i, day in enumerate(days)}))
    auth = {"Authorization": f"Bearer {owner_key}"}
    response = client.get("/api/v1/sites/shop/refusals?from=2026-12-01&to=2026-12-01", headers=auth)
    assert [(c["day"], c["count"]) for c in response.json["counts"]] == [("2026-12-01", 2)]
    assert client.get("/api/v1/sites/shop/refusals?from=2026-12-02", headers=auth).json["total"] == 3
    assert client.get("/api/v1/sites/shop/refusals?to=2026-11-30", headers=auth).json["total"] == 1


@pytest.mark.parametrize("query", ["from=2026-12-02&to=2026-12-01", "from=yesterday", "since=2026-12-01"])
def test_bad_ranges_are_422(client, site, owner_key, query: str) -> None:
    response = client.get(f"/api/v1/sites/shop/refusals?{query}", headers={"Authorization": f"Bearer {owner_key}"})
    assert (response.status_code, response.json["code"]) == (422, "validation_failed")


def test_counts_need_the_sites_owner_key(client, site, auditor_key, other_owner_key) -> None:
    url = "/api/v1/sites/shop/refusals"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {auditor_key}"}).status_code == 403
    assert client.get(url, headers={"Authorization": f"Bearer {other_owner_key}"}).status_code == 403


def test_cli_prints_the_counts(client, runner, site) -> None:
    post(client, PATHS["lane"], consent_body(), {"Origin": FOREIGN})
    post(client, PATHS["lane"], consent_body(), {"Origin": FOREIGN})
    post(client, PATHS["view"], "{", {})
    today = datetime.now(timezone.utc).date()
    result = runner.invoke(cli, ["refusals", "shop", "--from", (today - timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{today}  bad_request  1",
        f"{today}  origin_not_allowed  2  {FOREIGN}",
        "total  3  (bad_request 1, origin_not_allowed 2)",
    ]


def test_cli_names_an_unknown_site(runner, site) -> None:
    result = runner.invoke(cli, ["refusals", "nosuch"])
    assert result.exit_code != 0 and "No site 'nosuch'" in result.output


@pytest.mark.parametrize("path", PATHS)
def test_the_sites_own_pages_may_read_a_refusal(client, site, path: str) -> None:
    own = post(client, PATHS[path], consent_body(policy_version=99), {"Origin": SITE_ORIGIN})
    assert (own.status_code, own.headers.get("Access-Control-Allow-Origin")) == (422, SITE_ORIGIN)
    foreign = post(client, PATHS[path], consent_body(), {"Origin": FOREIGN})
    assert (foreign.status_code, foreign.headers.get("Access-Control-Allow-Origin")) == (403, None)


def test_the_endpoint_is_in_the_openapi_spec(client) -> None:
    operation = client.get("/api/openapi.json").json["paths"]["/api/v1/sites/{site}/refusals"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {"from", "to"}
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
