"""Diff section by section, and the materiality rule that decides whether the banner asks again."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from consent_server.inventory import diff_content, is_empty, is_material, material_reasons

from .builders import content, find_section, section, service, storage_item

Json = dict[str, Any]


def _analytics(doc: Json) -> Json:
    return find_section(doc["inventory"], "analytics")


def _ga(doc: Json) -> Json:
    return _analytics(doc)["services"][0]


def test_identical_contents_have_an_empty_diff() -> None:
    diff = diff_content(content(), content())
    assert is_empty(diff)
    assert material_reasons(diff) == []


def test_first_version_is_material() -> None:
    assert is_material(None, content())


def test_diff_reports_section_service_and_storage_paths() -> None:
    old, new = content(), content()
    _ga(new)["storage"][0]["description"]["en"] = "Another wording."
    diff = diff_content(old, new)
    [sec] = diff["sections"]
    assert (sec["key"], sec["change"]) == ("analytics", "changed")
    [svc] = sec["services"]
    assert (svc["key"], svc["change"]) == ("Google Analytics 4", "changed")
    [item] = svc["storage"]
    assert item["change"] == "changed"
    assert item["fields"]["description"]["new"]["en"] == "Another wording."


def test_diff_reports_removed_section_and_order() -> None:
    old, new = content(), content()
    sections = new["inventory"]["sections"]
    sections.remove(find_section(new["inventory"], "youtube"))
    sections[1], sections[2] = sections[2], sections[1]
    diff = diff_content(old, new)
    assert [(s["key"], s["change"]) for s in diff["sections"]] == [("youtube", "removed")]
    assert diff["order_changed"] is True


def test_diff_reports_texts_per_language() -> None:
    old, new = content(), content()
    new["texts"]["sv"]["banner_title"] = "Kakor"
    assert diff_content(old, new)["texts"] == {"sv": {"banner_title": {"old": old["texts"]["sv"]["banner_title"], "new": "Kakor"}}}


def _add_purpose(doc: Json) -> None:
    doc["inventory"]["sections"].append(section("chat"))


def _add_service(doc: Json) -> None:
    _analytics(doc)["services"].append(service("Matomo"))


def _add_storage(doc: Json) -> None:
    _ga(doc)["storage"].append(storage_item("_gid", duration=86400))


def _rename_storage(doc: Json) -> None:
    _ga(doc)["storage"][0]["name"] = "_ga_renamed"


def _legal_basis(doc: Json) -> None:
    find_section(doc["inventory"], "necessary")["legal_basis"] = "consent"


def _third_country_on(doc: Json) -> None:
    find_section(doc["inventory"], "affiliate")["services"][0]["leaves_eea"] = True


def _third_country_off(doc: Json) -> None:
    _ga(doc)["leaves_eea"] = False


def _add_processor(doc: Json) -> None:
    doc["inventory"]["processors"].append(service("Mailchimp", storage=[]))


def _move_service(doc: Json) -> None:
    moved = _analytics(doc)["services"].pop()
    find_section(doc["inventory"], "ads")["services"].append(moved)


MATERIAL: dict[str, Callable[[Json], None]] = {
    "purpose added": _add_purpose,
    "service added": _add_service,
    "storage item added": _add_storage,
    "storage item renamed": _rename_storage,
    "legal basis changed": _legal_basis,
    "transfer outside EEA added": _third_country_on,
    "transfer outside EEA removed": _third_country_off,
    "processor added": _add_processor,
    "service moved to another purpose": _move_service,
}


def _typo(doc: Json) -> None:
    _analytics(doc)["title"]["sv"] = "Statistik och mätning"


def _description(doc: Json) -> None:
    _ga(doc)["description"]["en"] = "Counts visits."


def _duration(doc: Json) -> None:
    _ga(doc)["storage"][0]["duration"] = 400 * 86400


def _remove_storage(doc: Json) -> None:
    _ga(doc)["storage"].pop()


def _remove_purpose(doc: Json) -> None:
    doc["inventory"]["sections"].remove(find_section(doc["inventory"], "affiliate"))


def _banner_text(doc: Json) -> None:
    doc["texts"]["en"]["banner_text"] += " Thanks."


def _privacy_url(doc: Json) -> None:
    _ga(doc)["privacy_policy_url"] = "https://policies.google.com/privacy?hl=sv"


NOT_MATERIAL: dict[str, Callable[[Json], None]] = {
    "typo in a title": _typo,
    "service description": _description,
    "duration changed": _duration,
    "storage item removed": _remove_storage,
    "purpose removed": _remove_purpose,
    "banner text": _banner_text,
    "privacy policy url": _privacy_url,
}


@pytest.mark.parametrize("change", MATERIAL.values(), ids=MATERIAL.keys())
def test_material_changes(change: Callable[[Json], None]) -> None:
    old, new = content(), content()
    change(new)
    assert is_material(old, new)
    assert material_reasons(diff_content(old, new))


@pytest.mark.parametrize("change", NOT_MATERIAL.values(), ids=NOT_MATERIAL.keys())
def test_non_material_changes(change: Callable[[Json], None]) -> None:
    old, new = content(), content()
    change(new)
    assert not is_empty(diff_content(old, new))
    assert not is_material(old, new)
