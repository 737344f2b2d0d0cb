"""Site and policy-version lookups kept per app: never a miss, forgotten on every worker when a site changes."""
from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import text

from consent_server.domain.policies import current_policy, publish_policy, version_purposes
from consent_server.domain.sites import create_key, create_site, get_site, site_info, sites_changed
from consent_server.extensions import db
from consent_server.models import SiteOrigin
from consent_server.storage.lookup_cache import LookupCache
from consent_server.storage.state_cache import StateStamps
from tests.builders import SITE_ORIGIN, consent_body, eventually
from tests.servers import PG_URL

postgres_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's change notices")
# On SQLite a commit stamps the shared file before it returns: every worker sees it at once. On
# PostgreSQL the other workers hear of it by the database's notice, a moment later.
SETTLE_SECONDS = 2.0 if PG_URL else 0.0
NEW_ORIGIN = "https://new.example"
TRIES = 20  # fresh connections per round: gunicorn's two workers both answer some


def changed_content(site) -> dict:
    content = current_policy(site).content
    sections = [dict(section) for section in content["inventory"]["sections"]]
    sections[1] = {**sections[1], "description": {**sections[1]["description"], "en": "Edited."}}
    return {**content, "inventory": {**content["inventory"], "sections": sections}}


def test_a_version_missing_when_asked_is_found_once_published(app, site):
    assert version_purposes(site.id, 2) is None
    publish_policy(site=site, content=changed_content(site))
    db.session.commit()
    assert version_purposes(site.id, 2) == tuple(current_policy(site).purposes)


def test_a_miss_is_never_kept_and_a_full_cache_drops_its_oldest():
    found = {"a": 1, "b": 2, "c": 3}
    calls = []

    def load(key):
        calls.append(key)
        return found.get(key)

    cache = LookupCache(load, max_entries=2)
    assert [cache("x"), cache("x")] == [None, None] and calls == ["x", "x"] and len(cache) == 0
    assert [cache("a"), cache("b"), cache("a")] == [1, 2, 1] and calls[2:] == ["a", "b"]
    cache("c")  # full: "a", kept first, goes
    assert cache("a") == 1 and calls[-1] == "a"


def test_a_kept_lookup_lives_while_the_global_stamp_stands(tmp_path):
    stamps = StateStamps(str(tmp_path / "stamps"))
    values = iter(range(100))
    cache = LookupCache(lambda key: next(values), stamps)
    assert cache("k") == cache("k") == 0
    stamps.touch([7])  # a visitor's bucket: not what sites depend on
    assert cache("k") == 0
    stamps.touch_all()
    assert cache("k") == 1


@pytest.fixture
def reader(app, make_app, site):
    """Another app on the same database, like another worker: (its app, its test client)."""
    other = make_app()
    with other.app_context():
        site_info("shop")  # makes its cache
        kept = other.extensions["consent.site_info"]
        assert eventually(lambda: kept.stamps.live, seconds=10), "the change listener never came up"
    return other, other.test_client()


def posted(client, origin: str) -> int:
    return client.post("/api/v1/sites/shop/consents", json=consent_body(), headers={"Origin": origin}).status_code


def test_an_origin_added_or_removed_elsewhere_counts_at_once(reader, site):
    _, client = reader
    assert posted(client, NEW_ORIGIN) == 403  # the reader keeps the site without the new origin
    site.origins.append(SiteOrigin(origin=NEW_ORIGIN))
    db.session.commit()
    assert eventually(lambda: posted(client, NEW_ORIGIN) == 201, SETTLE_SECONDS)
    site.origins = [origin for origin in site.origins if origin.origin != NEW_ORIGIN]
    db.session.commit()
    assert eventually(lambda: posted(client, NEW_ORIGIN) == 403, SETTLE_SECONDS)
    assert posted(client, SITE_ORIGIN) == 201


def test_a_site_changed_by_sql_with_the_hook_is_forgotten(reader, site):
    other, client = reader
    with other.app_context():
        assert site_info("shop").default_language == "sv"
    db.session.execute(text("UPDATE sites SET default_language = 'en' WHERE key = 'shop'"))
    sites_changed()
    db.session.commit()
    with other.app_context():
        assert eventually(lambda: site_info("shop").default_language == "en", SETTLE_SECONDS)
    assert client.get("/api/v1/sites/shop/config").get_json()["default_language"] == "en"


def test_a_site_created_after_a_miss_is_found(reader):
    _, client = reader
    assert client.get("/api/v1/sites/late/config").status_code == 404
    create_site(key="late", name="Sen butik", origins=[SITE_ORIGIN])
    db.session.commit()
    assert client.get("/api/v1/sites/late/config").status_code == 200


@postgres_only
def test_an_origin_added_by_hand_is_heard(reader, database_url, site):
    _, client = reader
    assert posted(client, NEW_ORIGIN) == 403
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:  # not through the server: migration 0008's trigger tells the workers
        connection.execute(text("INSERT INTO site_origins (site_id, origin) VALUES (:site, :origin)"),
                           {"site": site.id, "origin": NEW_ORIGIN})
    engine.dispose()
    assert eventually(lambda: posted(client, NEW_ORIGIN) == 201, SETTLE_SECONDS)


def fresh_posts(url: str, body: dict, origin: str | None = None) -> list[tuple[int, str | None]]:
    """TRIES consent POSTs, each on a new connection: (status, error code) of each."""
    headers = {"Origin": origin} if origin else {}
    answers = []
    for _ in range(TRIES):
        response = requests.post(f"{url}/api/v1/sites/demo/consents", json=body, headers=headers, timeout=10)
        answers.append((response.status_code, response.json().get("code")))
    return answers


def test_a_version_refused_before_it_exists_is_accepted_by_every_worker_once_published(live_server):
    """Issue #14, item 1: a POST naming the next version, then the version published, then the same POST."""
    owner = create_key(site=get_site("demo"), role="owner")[1]
    db.session.commit()
    next_version = consent_body(policy_version=2)
    assert set(fresh_posts(live_server.url, next_version, live_server.url)) == {(422, "unknown_policy_version")}
    inventory = requests.get(f"{live_server.url}/api/v1/sites/demo/inventory", timeout=10).json()
    inventory["inventory"]["sections"][1]["description"]["en"] = "Edited."
    put = requests.put(f"{live_server.url}/api/v1/sites/demo/inventory", json={"inventory": inventory["inventory"]},
                       headers={"Authorization": f"Bearer {owner}"}, timeout=10)
    assert (put.status_code, put.json()["policy_version"]) == (200, 2)
    assert set(fresh_posts(live_server.url, next_version, live_server.url)) == {(201, None)}


def test_an_origin_change_reaches_every_worker(live_server):
    site = get_site("demo")
    assert set(fresh_posts(live_server.url, consent_body(), NEW_ORIGIN)) == {(403, "origin_not_allowed")}
    site.origins.append(SiteOrigin(origin=NEW_ORIGIN))
    db.session.commit()
    assert eventually(lambda: set(fresh_posts(live_server.url, consent_body(), NEW_ORIGIN)) == {(201, None)},
                      SETTLE_SECONDS)
    site.origins = [origin for origin in site.origins if origin.origin != NEW_ORIGIN]
    db.session.commit()
    assert eventually(lambda: set(fresh_posts(live_server.url, consent_body(), NEW_ORIGIN)) == {
        (403, "origin_not_allowed")}, SETTLE_SECONDS)
