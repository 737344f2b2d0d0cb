"""Inventory and banner texts: what no database can store, or no pattern should pass, is a 422 on both databases."""
from __future__ import annotations

from typing import Any

import pytest

from consent_server.inventory import content_errors, inventory_errors

from .builders import content, find_section, minimal_inventory, section, service, storage_item

BASE = "/api/v1/sites/shop"


def _put(client, token: str, body: Any):
    return client.put(f"{BASE}/inventory", json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("text", [
    "Google\x00 Analytics",  # PostgreSQL's jsonb cannot hold NUL
    "Google \x1b[31mAnalytics",  # a terminal escape
    "Google \udc00Analytics",  # a lone surrogate: no UTF-8 for it, so no content hash either
])
def test_a_text_no_database_can_store_is_422(client, owner_key, text):
    inventory = content()["inventory"]
    find_section(inventory, "analytics")["services"].append(service(text))
    response = _put(client, owner_key, {"inventory": inventory})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert any("services" in key for key in body["errors"]), body["errors"]


def test_tabs_and_line_breaks_in_texts_are_kept(client, owner_key):
    inventory = content()["inventory"]
    find_section(inventory, "analytics")["description"]["sv"] = "Rad ett.\r\nRad\ttvå.\n"
    assert _put(client, owner_key, {"inventory": inventory}).status_code == 200


def test_a_text_with_a_nul_in_a_banner_text_is_422(client, owner_key):
    body = content()
    body["texts"]["sv"]["banner_title"] = "Kakor\x00"
    response = _put(client, owner_key, body)
    assert response.status_code == 422
    assert "texts.sv.banner_title" in response.get_json()["errors"]


@pytest.mark.parametrize(("change", "path"), [
    (lambda inv: inv["sections"].append(section("chat\n")), "sections.1.purpose"),
    (lambda inv: inv["sections"][0]["services"].append(service("S", country="SE\n")), "country"),
    (lambda inv: inv["sections"][0]["services"].append(
        service("S", storage=[storage_item("x\x00")])), "name"),
])
def test_patterns_and_texts_are_checked_to_the_end_of_the_string(change, path):
    inventory = minimal_inventory()
    change(inventory)
    errors = inventory_errors(inventory)
    assert any(key.endswith(path) for key in errors), errors


def test_a_text_key_with_a_trailing_newline_is_refused():
    body = content()
    body["texts"]["sv\n"] = body["texts"].pop("sv")
    assert content_errors(body)


def test_a_deeply_nested_inventory_is_400(client, owner_key):
    body = '{"inventory": ' + "[" * 5000 + "1" + "]" * 5000 + "}"
    response = client.put(f"{BASE}/inventory", data=body, content_type="application/json",
                          headers={"Authorization": f"Bearer {owner_key}"})
    assert response.status_code == 400 and "json" in response.get_json()["errors"]
