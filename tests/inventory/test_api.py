"""GET/PUT inventory and the policy-versions API over HTTP (test client), in the one error shape."""
from __future__ import annotations

import json
from typing import Any

import pytest

from consent_server.ledger.canonical import content_hash

from .builders import content, find_section, service

BASE = "/api/v1/sites/shop"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _put(client, token: str | None, body: Any):
    headers = _auth(token) if token else {}
    return client.put(f"{BASE}/inventory", json=body, headers=headers)


def _new_inventory() -> dict:
    inv = content()["inventory"]
    find_section(inv, "analytics")["services"].append(service("Matomo"))
    return inv


def _assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"status", "code", "message", "errors"}
    assert (body["status"], body["code"]) == (status, code)
    return body


def test_get_inventory_is_public(client, site) -> None:
    response = client.get(f"{BASE}/inventory")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["site"], body["policy_version"], body["material"]) == ("shop", 1, True)
    assert body["inventory"] == content()["inventory"]
    assert body["texts"] == content()["texts"]
    assert body["policy_hash"] == content_hash(content())


def test_get_inventory_of_unknown_site_is_404(client, site) -> None:
    _assert_error_shape(client.get("/api/v1/sites/nope/inventory"), 404, "unknown_site")


def test_put_makes_a_material_version(client, owner_key) -> None:
    response = _put(client, owner_key, {"inventory": _new_inventory()})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["policy_version"], body["changed"], body["material"]) == (2, True, True)
    assert client.get(f"{BASE}/inventory").get_json()["policy_version"] == 2


def test_put_same_content_makes_no_version(client, owner_key) -> None:
    response = _put(client, owner_key, {"inventory": content()["inventory"]})
    body = response.get_json()
    assert (response.status_code, body["policy_version"], body["changed"]) == (200, 1, False)
    assert len(client.get(f"{BASE}/policy-versions").get_json()["versions"]) == 1


def test_put_can_force_not_material(client, owner_key) -> None:
    body = _put(client, owner_key, {"inventory": _new_inventory(), "material": False}).get_json()
    assert (body["policy_version"], body["material"]) == (2, False)


def test_put_texts_change_is_not_material(client, owner_key) -> None:
    texts = content()["texts"]
    texts["en"]["banner_title"] = "Cookies, briefly"
    body = _put(client, owner_key, {"inventory": content()["inventory"], "texts": texts}).get_json()
    assert (body["policy_version"], body["material"], body["texts"]["en"]["banner_title"]) == (2, False, "Cookies, briefly")


def test_put_without_key_is_401(client, site) -> None:
    _assert_error_shape(_put(client, None, {"inventory": _new_inventory()}), 401, "missing_api_key")


def test_put_with_unknown_key_is_401(client, site) -> None:
    _assert_error_shape(_put(client, "cs_nope", {"inventory": _new_inventory()}), 401, "invalid_api_key")


def test_put_with_auditor_key_is_403(client, auditor_key) -> None:
    _assert_error_shape(_put(client, auditor_key, {"inventory": _new_inventory()}), 403, "wrong_role")


def test_put_with_other_sites_key_is_403(client, site, other_owner_key) -> None:
    _assert_error_shape(_put(client, other_owner_key, {"inventory": _new_inventory()}), 403, "wrong_site")


def test_put_invalid_inventory_is_422_with_schema_errors(client, owner_key) -> None:
    inv = content()["inventory"]
    inv["sections"][1]["services"][0]["storage"][0]["duration"] = "two years"
    inv["sections"][0]["legal_basis"] = "consent"
    body = _assert_error_shape(_put(client, owner_key, {"inventory": inv}), 422, "invalid_policy")
    assert "inventory.sections.0.legal_basis" in body["errors"]
    assert "inventory.sections.1.services.0.storage.0.duration" in body["errors"]
    assert client.get(f"{BASE}/inventory").get_json()["policy_version"] == 1


@pytest.mark.parametrize("body", [{}, {"inventory": []}, {"inventory": {}, "extra": 1}, {"inventory": {}, "material": "yes"}])
def test_put_malformed_body_is_422(client, owner_key, body: dict) -> None:
    _assert_error_shape(_put(client, owner_key, body), 422, "validation_failed")


def test_put_non_json_is_415(client, owner_key) -> None:
    response = client.put(f"{BASE}/inventory", data="sections: []", headers={**_auth(owner_key), "Content-Type": "text/yaml"})
    _assert_error_shape(response, 415, "unsupported_media_type")


def test_policy_versions_list_and_get(client, owner_key) -> None:
    _put(client, owner_key, {"inventory": _new_inventory()})
    versions = client.get(f"{BASE}/policy-versions").get_json()["versions"]
    assert [(v["version"], v["material"], v["consent_floor"]) for v in versions] == [(1, True, 1), (2, True, 2)]
    one = client.get(f"{BASE}/policy-versions/1").get_json()
    assert one["content"] == content()
    assert one["content_hash"] == content_hash(one["content"])
    assert one["published_at"]


def test_policy_version_unknown_is_404(client, site) -> None:
    _assert_error_shape(client.get(f"{BASE}/policy-versions/9"), 404, "unknown_policy_version")


def test_policy_diff_section_by_section(client, owner_key) -> None:
    _put(client, owner_key, {"inventory": _new_inventory()})
    body = client.get(f"{BASE}/policy-versions/1/diff/2").get_json()
    assert (body["from"], body["to"]) == (1, 2)
    [section] = body["sections"]
    assert (section["key"], section["change"]) == ("analytics", "changed")
    assert [(s["key"], s["change"]) for s in section["services"]] == [("Matomo", "added")]
    assert body["material_reasons"] == ["purpose 'analytics': service 'Matomo' added"]


def test_policy_diff_with_unknown_version_is_404(client, site) -> None:
    _assert_error_shape(client.get(f"{BASE}/policy-versions/1/diff/3"), 404, "unknown_policy_version")


def test_endpoints_are_in_the_openapi_spec(client, site) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/v1/sites/{site}/inventory", "/api/v1/sites/{site}/policy-versions",
                 "/api/v1/sites/{site}/policy-versions/{version}",
                 "/api/v1/sites/{site}/policy-versions/{version}/diff/{other}"):
        assert path in paths


def test_put_body_over_a_mebibyte_is_413(client, owner_key) -> None:
    inv = content()["inventory"]
    inv["sections"][0]["description"]["en"] = "x" * (1024 * 1024)
    _assert_error_shape(_put(client, owner_key, {"inventory": inv}), 413, "payload_too_large")


def test_put_of_the_default_size_passes_the_app_wide_limit(client, owner_key, app) -> None:
    # The default inventory is larger than CONSENT_MAX_BODY_BYTES: only this blueprint raises the limit.
    size = len(json.dumps({"inventory": content()["inventory"]}).encode())
    assert size > app.config["MAX_CONTENT_LENGTH"]
    assert _put(client, owner_key, {"inventory": content()["inventory"]}).status_code == 200
