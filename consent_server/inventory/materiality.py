"""The materiality rule: which changes make the banner ask visitors again.

Pure: no Flask. Material (issue #4): a purpose, a service or a storage item
added; a purpose's legal basis changed; a third-country transfer changed
(``leaves_eea``). Anything else (wording, descriptions, durations, a removed
item, texts) is not material: visitors were already told at least as much.
"""
from __future__ import annotations

from typing import Any

from .diff import diff_content

Json = dict[str, Any]


def _service_reasons(where: str, entry: Json) -> list[str]:
    if entry["change"] == "added":
        return [f"{where}: service {entry['key']!r} added"]
    if entry["change"] != "changed":
        return []
    reasons = []
    if "leaves_eea" in entry["fields"]:
        new = entry["fields"]["leaves_eea"]["new"]
        reasons.append(f"{where}: service {entry['key']!r} third-country transfer {'added' if new else 'removed'}")
    reasons.extend(
        f"{where}: service {entry['key']!r} storage {item['key']!r} added"
        for item in entry["storage"]
        if item["change"] == "added"
    )
    return reasons


def material_reasons(diff: Json) -> list[str]:
    """Say, one line per change, why a diff is material; empty when it is not."""
    reasons: list[str] = []
    for section in diff["sections"]:
        purpose = section["key"]
        if section["change"] == "added":
            reasons.append(f"purpose {purpose!r} added")
        elif section["change"] == "changed":
            if "legal_basis" in section["fields"]:
                reasons.append(f"purpose {purpose!r} legal basis changed")
            for entry in section["services"]:
                reasons.extend(_service_reasons(f"purpose {purpose!r}", entry))
    for entry in diff["processors"]:
        reasons.extend(_service_reasons("processors", entry))
    return reasons


def is_material(old: Json | None, new: Json) -> bool:
    """True when going from content ``old`` to ``new`` must make the banner ask again.

    The first version of a site (``old`` is None) is material: nobody was asked yet.
    """
    if old is None:
        return True
    return bool(material_reasons(diff_content(old, new)))
