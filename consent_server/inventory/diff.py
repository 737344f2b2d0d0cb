"""What changed between two policy contents, section by section.

Pure: no Flask. Sections are matched by ``purpose``, services by ``name``
within their list, storage items by ``(name, type, domain)``; texts by
language and key. The result is plain JSON (served by the API and printed
by the CLI) and feeds the materiality rule in :mod:`.materiality`.
"""
from __future__ import annotations

from typing import Any

Json = dict[str, Any]

_SECTION_FIELDS = ("legal_basis", "title", "description", "wp_consent_categories", "google_consent_signals")
_SERVICE_FIELDS = ("provider", "country", "privacy_policy_url", "leaves_eea", "role", "description", "note")
_STORAGE_FIELDS = ("party", "duration", "description", "confirmed", "note")


def _fields(old: Json, new: Json, names: tuple[str, ...]) -> Json:
    return {n: {"old": old.get(n), "new": new.get(n)} for n in names if old.get(n) != new.get(n)}


def storage_key(item: Json) -> str:
    """Identity of a storage item inside its service: type, domain and name."""
    return f"{item.get('type')}:{item.get('domain') or ''}:{item.get('name')}"


def _keyed(items: list[Json] | None, key: Any) -> dict[str, Json]:
    return {key(i): i for i in items or []}


def _diff_list(old: list[Json] | None, new: list[Json] | None, key: Any, one: Any) -> list[Json]:
    """Added, removed and changed entries of two lists matched by ``key``, in new order then removed."""
    a, b = _keyed(old, key), _keyed(new, key)
    out: list[Json] = []
    for k, item in b.items():
        if k not in a:
            out.append({"key": k, "change": "added", "new": item})
        elif a[k] != item:
            out.append({"key": k, "change": "changed", **one(a[k], item)})
    out.extend({"key": k, "change": "removed", "old": item} for k, item in a.items() if k not in b)
    return out


def _diff_storage(old: Json, new: Json) -> Json:
    return {"name": new.get("name"), "fields": _fields(old, new, _STORAGE_FIELDS)}


def _diff_service(old: Json, new: Json) -> Json:
    fields = _fields(old, new, _SERVICE_FIELDS)
    storage = _diff_list(old.get("storage"), new.get("storage"), storage_key, _diff_storage)
    return {"name": new.get("name"), "fields": fields, "storage": storage}


def _diff_section(old: Json, new: Json) -> Json:
    services = _diff_list(old.get("services"), new.get("services"), lambda s: s.get("name"), _diff_service)
    return {"purpose": new.get("purpose"), "fields": _fields(old, new, _SECTION_FIELDS), "services": services}


def _diff_texts(old: Json, new: Json) -> Json:
    out: Json = {}
    for lang in sorted(set(old) | set(new)):
        a, b = old.get(lang) or {}, new.get(lang) or {}
        changed = {k: {"old": a.get(k), "new": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
        if changed:
            out[lang] = changed
    return out


def diff_content(old: Json, new: Json) -> Json:
    """Return what changed from ``old`` to ``new`` (two policy contents), section by section."""
    inv_a, inv_b = old.get("inventory") or {}, new.get("inventory") or {}
    order_a = [s.get("purpose") for s in inv_a.get("sections") or []]
    order_b = [s.get("purpose") for s in inv_b.get("sections") or []]
    common = [p for p in order_b if p in order_a]
    return {
        "sections": _diff_list(inv_a.get("sections"), inv_b.get("sections"), lambda s: s.get("purpose"), _diff_section),
        "processors": _diff_list(inv_a.get("processors"), inv_b.get("processors"), lambda s: s.get("name"), _diff_service),
        "order_changed": common != [p for p in order_a if p in order_b],
        "texts": _diff_texts(old.get("texts") or {}, new.get("texts") or {}),
    }


def is_empty(diff: Json) -> bool:
    """True when a diff records no change at all."""
    return not (diff["sections"] or diff["processors"] or diff["texts"] or diff["order_changed"])
