"""The public inventory and policy-content schemas accept good documents and reject bad ones."""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytest
from jsonschema import Draft202012Validator

from consent_server.inventory import content_errors, inventory_errors
from consent_server.inventory.validation import CONTENT_SCHEMA, INVENTORY_SCHEMA, load_schema

from .builders import content, minimal_inventory, section, service, storage_item


@pytest.mark.parametrize("name", [INVENTORY_SCHEMA, CONTENT_SCHEMA])
def test_schemas_are_valid_2020_12(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_minimal_inventory_is_valid() -> None:
    assert inventory_errors(minimal_inventory()) == {}


def test_custom_purpose_is_valid() -> None:
    inv = minimal_inventory()
    inv["sections"].append(section("chat_widget"))
    assert inventory_errors(inv) == {}


def test_storage_patterns_and_web_storage_are_valid() -> None:
    items = [
        storage_item("_ga_*", duration=63072000),
        storage_item("yt-remote-*", type="localStorage", duration="persistent", party="third", domain="www.youtube.com"),
        storage_item("wc_cart_created", type="sessionStorage", duration="session"),
        storage_item("collect", type="pixel", duration=0, party="third", domain="www.google-analytics.com"),
    ]
    inv = minimal_inventory()
    inv["sections"].append(section("analytics", [service(storage=items)]))
    assert inventory_errors(inv) == {}


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        target = doc
        for part in path[:-1]:
            target = target[part]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return apply


_DELETE = object()
_ITEM = ["sections", 0, "services", 0, "storage", 0]
_SVC = ["sections", 0, "services", 0]

BAD = {
    "no sections": (_set(["sections"], _DELETE), "_schema"),
    "empty sections": (_set(["sections"], []), "sections"),
    "first section not necessary": (_set(["sections", 0, "purpose"], "analytics"), "sections.0.purpose"),
    "bad purpose name": (_set(["sections", 0, "purpose"], "Necessary!"), "sections.0.purpose"),
    "necessary needs consent": (_set(["sections", 0, "legal_basis"], "consent"), "sections.0.legal_basis"),
    "unknown legal basis": (_set(["sections", 0, "legal_basis"], "legitimate_interest"), "sections.0.legal_basis"),
    "title without english": (_set(["sections", 0, "title"], {"sv": "Nödvändiga"}), "sections.0.title"),
    "unknown wp category": (_set(["sections", 0, "wp_consent_categories"], ["tracking"]), "sections.0.wp_consent_categories.0"),
    "unknown google signal": (_set(["sections", 0, "google_consent_signals"], ["ads"]), "sections.0.google_consent_signals.0"),
    "extra section field": (_set(["sections", 0, "colour"], "red"), "sections.0"),
    "country not iso": (_set(_SVC + ["country"], "Sweden"), "sections.0.services.0.country"),
    "url not http": (_set(_SVC + ["privacy_policy_url"], "ftp://x"), "sections.0.services.0.privacy_policy_url"),
    "leaves_eea not bool": (_set(_SVC + ["leaves_eea"], "yes"), "sections.0.services.0.leaves_eea"),
    "unknown role": (_set(_SVC + ["role"], "partner"), "sections.0.services.0.role"),
    "service without storage": (_set(_SVC + ["storage"], _DELETE), "sections.0.services.0"),
    "unknown storage type": (_set(_ITEM + ["type"], "indexedDB"), "sections.0.services.0.storage.0.type"),
    "unknown party": (_set(_ITEM + ["party"], "fourth"), "sections.0.services.0.storage.0.party"),
    "negative duration": (_set(_ITEM + ["duration"], -1), "sections.0.services.0.storage.0.duration"),
    "duration in words": (_set(_ITEM + ["duration"], "2 years"), "sections.0.services.0.storage.0.duration"),
    "float duration": (_set(_ITEM + ["duration"], 1.5), "sections.0.services.0.storage.0.duration"),
    "empty name": (_set(_ITEM + ["name"], ""), "sections.0.services.0.storage.0.name"),
    "unconfirmed without note": (_set(_ITEM + ["confirmed"], False), "sections.0.services.0.storage.0"),
    "persistent cookie": (_set(_ITEM + ["duration"], "persistent"), "sections.0.services.0.storage.0.duration"),
}


@pytest.mark.parametrize("mutate,path", BAD.values(), ids=BAD.keys())
def test_bad_inventory_is_rejected_at_its_path(mutate: Callable[[dict[str, Any]], None], path: str) -> None:
    inv = minimal_inventory()
    mutate(inv)
    errors = inventory_errors(inv)
    assert path in errors, errors
    assert all(isinstance(m, str) and m for m in errors[path])


def test_duplicate_purpose_is_rejected() -> None:
    inv = minimal_inventory()
    inv["sections"] += [section("analytics"), section("analytics")]
    assert "purpose 'analytics' appears more than once" in inventory_errors(inv)["sections"]


def test_duplicate_service_is_rejected() -> None:
    inv = minimal_inventory()
    inv["sections"][0]["services"].append(service())
    assert "sections.0.services" in inventory_errors(inv)


def test_content_validates_inventory_and_texts() -> None:
    assert content_errors(content()) == {}


def test_content_errors_are_prefixed_with_inventory() -> None:
    doc = content()
    doc["inventory"]["sections"][0]["legal_basis"] = "consent"
    assert "inventory.sections.0.legal_basis" in content_errors(doc)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_content_needs_texts_in_both_languages(lang: str) -> None:
    doc = content()
    del doc["texts"][lang]
    assert "texts" in content_errors(doc)


def test_content_needs_the_reject_button_text() -> None:
    doc = content()
    del doc["texts"]["sv"]["reject_all"]
    assert "texts.sv" in content_errors(doc)


def test_validation_does_not_change_the_document() -> None:
    doc = content()
    before = copy.deepcopy(doc)
    content_errors(doc)
    assert doc == before
