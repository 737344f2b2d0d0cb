"""Visitor ids, receipt ids and site keys match their patterns as whole strings: a trailing newline is refused,
and one that is no id is not looked up (PostgreSQL refuses a NUL with an error where SQLite finds nothing)."""
from __future__ import annotations

import pytest

from consent_server.domain.errors import Invalid
from consent_server.domain.sites import create_site
from tests.builders import consent_body

VISITOR = "visitorAAAAAAAAAAAAAAAA3"
NEWLINE = "%0A"  # decoded into the path before any pattern sees it


def test_a_visitor_id_with_a_trailing_newline_in_a_path_is_422(client, site):
    client.post("/api/v1/sites/shop/consents", json=consent_body(visitor_id=VISITOR))
    assert client.get(f"/api/v1/sites/shop/visitors/{VISITOR}/consent").status_code == 200
    response = client.get(f"/api/v1/sites/shop/visitors/{VISITOR}{NEWLINE}/consent")
    assert response.status_code == 422 and response.json["code"] == "invalid_visitor_id"


def test_a_receipt_id_with_a_trailing_newline_is_422(client, site):
    receipt = client.post("/api/v1/sites/shop/consents", json=consent_body(visitor_id=VISITOR)).json["receipt_id"]
    url = f"/api/v1/sites/shop/visitors/{VISITOR}/receipts"
    assert client.get(url, query_string={"receipt": receipt}).status_code == 200
    response = client.get(url, query_string={"receipt": receipt + "\n"})
    assert response.status_code == 422 and "receipt" in response.json["errors"]


@pytest.mark.parametrize("key", ["shop2\n", "shop2\nx"])
def test_a_site_key_with_a_newline_is_refused(app, key):
    with pytest.raises(Invalid) as refused:
        create_site(key=key, name="Butik", origins=["https://shop2.example"])
    assert refused.value.code == "invalid_site_key"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/receipts/abcdefgh%00ij", 404),
    ("GET", "/receipts/abcdefgh%00ij", 404),
    ("GET", "/c/sh%00op.js", 404),
    ("GET", "/api/v1/sites/sh%00op/config", 404),
    ("GET", "/api/v1/sites/sh%00op/inventory", 404),
    ("GET", "/api/v1/sites/sh%00op/policy-versions/1", 404),
    ("GET", "/sites/sh%00op/cookie-policy", 404),
    ("POST", "/api/v1/sites/sh%00op/consents", 404),
    ("OPTIONS", "/api/v1/sites/sh%00op/consents", 404),
])
def test_a_nul_in_a_path_is_no_id_on_either_database(client, site, method, path, status):
    response = client.open(path, method=method, json=consent_body() if method == "POST" else None)
    assert response.status_code == status
