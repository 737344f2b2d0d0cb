"""Anonymous reads of policy versions stay cheap: a paginated list of summaries, full content per version;
inventory PUT bodies are authenticated before they are parsed."""
from __future__ import annotations

import pytest

from consent_server.domain.policies import publish_policy
from consent_server.extensions import db

from .builders import content

BASE = "/api/v1/sites/shop"
SUMMARY = {"version", "content_hash", "published_at", "material", "consent_floor"}


def publish_versions(site, count: int) -> None:
    """`count` more versions, each about 30 KB of content (the default inventory)."""
    for n in range(count):
        texts = content()["texts"]
        texts["en"]["banner_title"] = f"Version {n + 2}"
        publish_policy(site=site, content=content(texts=texts), material=False)
    db.session.commit()


def test_the_list_holds_summaries_in_pages_oldest_first(client, site):
    publish_versions(site, 4)
    pages = [client.get(f"{BASE}/policy-versions?page={page}&page_size=2") for page in (1, 2, 3)]
    bodies = [page.get_json() for page in pages]
    assert [[v["version"] for v in body["versions"]] for body in bodies] == [[1, 2], [3, 4], [5]]
    assert [(b["page"], b["page_size"], b["total"], b["next_page"]) for b in bodies] == [
        (1, 2, 5, 2), (2, 2, 5, 3), (3, 2, 5, None)]
    assert all(set(v) == SUMMARY for body in bodies for v in body["versions"])
    assert all(len(page.data) < 1000 for page in pages)  # no content: the list stays small however large it is


def test_full_content_is_per_version(client, site):
    publish_versions(site, 1)
    one = client.get(f"{BASE}/policy-versions/2").get_json()
    assert one["content"]["texts"]["en"]["banner_title"] == "Version 2"
    listed = client.get(f"{BASE}/policy-versions").get_json()["versions"]
    assert listed[1] == {key: one[key] for key in SUMMARY}


def test_the_default_page_is_the_first_fifty(client, site):
    body = client.get(f"{BASE}/policy-versions").get_json()
    assert (body["page"], body["page_size"], body["total"], body["next_page"]) == (1, 50, 1, None)
    assert client.get(f"{BASE}/policy-versions?page=9").get_json()["versions"] == []


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=x", "sort=desc"])
def test_bad_paging_is_422(client, site, query):
    response = client.get(f"{BASE}/policy-versions?{query}")
    assert response.status_code == 422 and response.get_json()["code"] == "validation_failed"


def test_the_list_of_an_unknown_site_is_404(client, site):
    assert client.get("/api/v1/sites/nope/policy-versions").get_json()["code"] == "unknown_site"


def test_paging_is_in_the_openapi_spec(client):
    get = client.get("/api/openapi.json").get_json()["paths"]["/api/v1/sites/{site}/policy-versions"]["get"]
    assert {"page", "page_size"} <= {parameter["name"] for parameter in get["parameters"]}


DEEP = b"[" * 200_000 + b"]" * 200_000  # well-formed, 400 KB, nested far deeper than any parser recurses


@pytest.mark.parametrize("body", [DEEP, b'{"inventory": ', b"not json"], ids=["deep", "cut short", "not json"])
@pytest.mark.parametrize("token", [None, "cs_unknown"])
def test_an_inventory_put_without_a_valid_key_is_401_before_its_body_is_read(client, site, body, token):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    response = client.put(f"{BASE}/inventory", data=body, headers=headers)
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["code"] in ("missing_api_key", "invalid_api_key")


def test_a_foreign_key_is_403_before_the_body_is_read(client, site, other_owner_key):
    response = client.put(f"{BASE}/inventory", data=DEEP, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {other_owner_key}"})
    assert response.status_code == 403 and response.get_json()["code"] == "wrong_site"
