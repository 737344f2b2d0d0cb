"""Read and write policy contents and inventories as YAML or JSON.

Pure: no Flask. JSON output is indented and keeps non-ASCII text; YAML keeps
key order so an exported file reads like the cookie policy.
"""
from __future__ import annotations

import json
from typing import Any

import yaml

FORMATS = ("yaml", "json")


class FormatError(ValueError):
    """The text could not be parsed as the given format."""


def dumps(doc: Any, fmt: str = "yaml") -> str:
    """Serialise ``doc`` as ``fmt`` ("yaml" or "json")."""
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
