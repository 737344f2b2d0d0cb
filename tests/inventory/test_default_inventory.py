"""The shipped default inventory validates and names every cookie issue #4 asks for, in the right purpose."""
from __future__ import annotations

import pytest

from consent_server.inventory import inventory_errors

from .builders import default_inventory, find_section

EXPECTED = {
    "necessary": ["cs_consent", "cs_pending", "wp_consent_*", "woocommerce_cart_hash", "woocommerce_items_in_cart",
                  "wp_woocommerce_session_*", "wordpress_logged_in_*", "wordpress_test_cookie"],
    "analytics": ["_ga", "_ga_*"],
    "ads": ["sbjs_migrations", "sbjs_current_add", "sbjs_first_add", "sbjs_current", "sbjs_first", "sbjs_udata",
            "sbjs_session", "sbjs_promo", "_gcl_au", "IDE", "test_cookie"],
    "youtube": ["YSC", "VISITOR_INFO1_LIVE", "yt-remote-*", "ytidb::LAST_RESULT_ENTRY_KEY"],
}


def test_default_inventory_validates() -> None:
    assert inventory_errors(default_inventory()) == {}


def test_sections_in_banner_order() -> None:
    purposes = [s["purpose"] for s in default_inventory()["sections"]]
    assert purposes == ["necessary", "analytics", "ads", "youtube", "affiliate"]


@pytest.mark.parametrize("purpose,names", EXPECTED.items())
def test_purpose_names_its_storage(purpose: str, names: list[str]) -> None:
    section = find_section(default_inventory(), purpose)
    found = {i["name"] for svc in section["services"] for i in svc["storage"]}
    assert set(names) <= found, set(names) - found


def test_affiliate_networks_are_listed_and_unconfirmed() -> None:
    services = find_section(default_inventory(), "affiliate")["services"]
    assert {s["name"] for s in services} == {"Adtraction", "Adrecord", "Tradedoubler", "Double.net"}
    for item in (i for s in services for i in s["storage"]):
        assert item["confirmed"] is False
        assert item["note"]["sv"] and item["note"]["en"]


def test_our_consent_cookie_is_necessary_first_party_for_a_year() -> None:
    services = find_section(default_inventory(), "necessary")["services"]
    cookie = next(i for s in services for i in s["storage"] if i["name"] == "cs_consent")
    assert (cookie["party"], cookie["type"], cookie["duration"]) == ("first", "cookie", 365 * 86400)


def test_youtube_local_storage_is_third_party_web_storage() -> None:
    services = find_section(default_inventory(), "youtube")["services"]
    items = [i for s in services for i in s["storage"] if i["name"].startswith(("yt-remote-", "ytidb::"))]
    assert {i["type"] for i in items} == {"localStorage", "sessionStorage"}
    assert all(i["party"] == "third" for i in items)


def test_google_services_transfer_outside_the_eea() -> None:
    inv = default_inventory()
    google = [s for sec in inv["sections"] for s in sec["services"] if s["provider"] == "Google Ireland Limited"]
    assert google and all(s["leaves_eea"] for s in google)


def test_processors_from_the_seeds_are_listed() -> None:
    names = {p["name"] for p in default_inventory()["processors"]}
    assert {"Fortnox", "Klarna", "PayPal"} <= names


def test_every_description_is_bilingual_and_distinct() -> None:
    inv = default_inventory()
    items = [i for sec in inv["sections"] for s in sec["services"] for i in s["storage"]]
    for item in items:
        assert item["description"]["sv"] != item["description"]["en"], item["name"]
