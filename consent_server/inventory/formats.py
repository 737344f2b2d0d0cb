"""Read and write policy contents and inventories as YAML or JSON.

Pure: no Flask. JSON output is indented and keeps non-ASCII text; YAML keeps
key order so an exported file reads like the cookie policy.
"""
from __future__ import annotations

import json
from typing import Any

import yaml

FORMATS = ("yaml", "json")

# The order keys are written in, so a file reads like the cookie policy whatever order the database
# returned (PostgreSQL's JSONB keeps keys sorted by length, not as written). Other keys follow, as given.
KEY_ORDER = (
    "inventory", "texts", "sections", "processors",
    "purpose", "name", "legal_basis", "provider", "country", "privacy_policy_url", "leaves_eea", "role",
    "domain", "party", "type", "duration", "title", "description", "wp_consent_categories",
    "google_consent_signals", "confirmed", "note", "services", "storage", "sv", "en",
)
_RANK = {key: rank for rank, key in enumerate(KEY_ORDER)}


class FormatError(ValueError):
    """The text could not be parsed as the given format."""


def ordered(doc: Any) -> Any:
    """A copy of ``doc`` with dict keys in KEY_ORDER (unknown keys after, in their given order)."""
    if isinstance(doc, dict):
        keys = sorted(doc, key=lambda k: _RANK.get(k, len(_RANK)))
        return {k: ordered(doc[k]) for k in keys}
    if isinstance(doc, list):
        return [ordered(v) for v in doc]
    return doc


def dumps(doc: Any, fmt: str = "yaml") -> str:
    """Serialise ``doc`` as ``fmt`` ("yaml" or "json"), keys in a readable order."""
    doc = ordered(doc)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def guess_format(filename: str) -> str:
    """The format a file name suggests: json for ``.json``, else yaml."""
    return "json" if filename.lower().endswith(".json") else "yaml"


def loads(text: str, fmt: str = "yaml") -> Any:
    """Parse ``text`` as ``fmt``; raise :class:`FormatError` on bad input."""
    try:
        if fmt == "json":
            return json.loads(text)
        if fmt == "yaml":
            return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FormatError(f"not valid {fmt}: {exc}") from exc
    raise FormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
