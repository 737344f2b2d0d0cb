"""Builders for inventories and policy contents used by the inventory tests."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

Json = dict[str, Any]
DATA_DIR = Path(__file__).resolve().parents[2] / "consent_server" / "data"
REJECT = {"sv": "Neka alla", "en": "Reject all"}  # the banner's "reject all" button in the default texts


def default_inventory() -> Json:
    """A fresh copy of the shipped default inventory."""
    text = (DATA_DIR / "default_inventory.json").read_text(encoding="utf-8")
    return json.loads(text)


def default_texts() -> Json:
    """A fresh copy of the shipped default banner texts."""
    text = (DATA_DIR / "default_texts.json").read_text(encoding="utf-8")
    return json.loads(text)


def content(inventory: Json | None = None, texts: Json | None = None) -> Json:
    """A whole policy content from the defaults, or from the parts given."""
    return {
        "inventory": copy.deepcopy(inventory) if inventory is not None else default_inventory(),
        "texts": copy.deepcopy(texts) if texts is not None else default_texts(),
    }


def localized(sv: str = "Text", en: str = "Text") -> Json:
    return {"sv": sv, "en": en}


def storage_item(name: str = "demo_cookie", **overrides: Any) -> Json:
    item: Json = {
        "name": name,
        "domain": None,
        "party": "first",
        "type": "cookie",
        "duration": 3600,
        "description": localized("En kaka", "A cookie"),
        "confirmed": True,
    }
    item.update(overrides)
    return item


def service(name: str = "Demo service", storage: list[Json] | None = None, **overrides: Any) -> Json:
    svc: Json = {
        "name": name,
        "provider": "Demo AB",
        "country": "SE",
        "privacy_policy_url": "https://example.com/privacy",
        "leaves_eea": False,
        "role": "processor",
        "storage": storage if storage is not None else [storage_item()],
    }
    svc.update(overrides)
    return svc


def section(purpose: str = "analytics", services: list[Json] | None = None, **overrides: Any) -> Json:
    sec: Json = {
        "purpose": purpose,
        "legal_basis": "exempt" if purpose == "necessary" else "consent",
        "title": localized(purpose, purpose),
        "description": localized("Beskrivning", "Description"),
        "wp_consent_categories": [],
        "google_consent_signals": [],
        "services": services if services is not None else [service()],
    }
    sec.update(overrides)
    return sec


def minimal_inventory() -> Json:
    """The smallest valid inventory: a necessary section with one service."""
    return {"sections": [section("necessary")], "processors": []}


def find_section(inventory: Json, purpose: str) -> Json:
    return next(s for s in inventory["sections"] if s["purpose"] == purpose)


def all_storage_names(inventory: Json) -> set[str]:
    return {i["name"] for s in inventory["sections"] for svc in s["services"] for i in svc["storage"]}
