"""Validate a cookie inventory or a whole policy content against the public JSON Schemas.

Pure: no Flask. The schemas live in the repository's ``schemas/`` folder
(the public contract); a few rules JSON Schema cannot say (unique purposes,
unique services per section) are checked here as well.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import extend
from referencing import Registry, Resource

from .patterns import schema_pattern

# consent_server/schemas links to the public ../schemas, so a wheel ships the same files.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
INVENTORY_SCHEMA = "inventory.schema.json"
CONTENT_SCHEMA = "policy-content.schema.json"

Errors = dict[str, list[str]]

# JSON Schema patterns are ECMA-262, whose `$` is the end of the string; jsonschema applies them
# with Python's re.search, whose `$` also matches before a final newline ("analytics\n").
WholeStringValidator = extend(Draft202012Validator, {"pattern": schema_pattern})


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return one of the public schemas by file name."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> Draft202012Validator:
    resources = [
        (schema["$id"], Resource.from_contents(schema))
        for schema in (load_schema(INVENTORY_SCHEMA), load_schema(CONTENT_SCHEMA))
    ]
    registry: Registry = Registry().with_resources(resources)
    return WholeStringValidator(
        load_schema(name),
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _path(prefix: str, parts: Iterable[Any]) -> str:
    text = ".".join(str(p) for p in parts)
    if prefix and text:
        return f"{prefix}.{text}"
    return prefix or text or "_schema"


def _schema_errors(name: str, doc: Any, prefix: str) -> Errors:
    errors: Errors = {}
    for error in sorted(_validator(name).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        # An if/then failure is reported on the sub-property; keep the deepest message only.
        leaves = list(error.context) or [error]
        for leaf in leaves if error.validator in ("oneOf", "anyOf") else [error]:
            key = _path(prefix, leaf.absolute_path)
            errors.setdefault(key, [])
            if leaf.message not in errors[key]:
                errors[key].append(leaf.message)
    return errors


def _duplicates(values: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for value in values:
        (dup if value in seen else seen).add(value)
    return dup


def _rule_errors(inventory: Any, prefix: str) -> Errors:
    """Rules beyond JSON Schema: unique purposes and unique service names per list."""
    errors: Errors = {}
    if not isinstance(inventory, dict) or not isinstance(inventory.get("sections"), list):
        return errors
    sections = [s for s in inventory["sections"] if isinstance(s, dict)]
    for purpose in sorted(_duplicates(str(s.get("purpose")) for s in sections)):
        errors.setdefault(_path(prefix, ["sections"]), []).append(f"purpose {purpose!r} appears more than once")
    lists = [(["sections", i, "services"], s.get("services")) for i, s in enumerate(sections)]
    lists.append((["processors"], inventory.get("processors")))
    for parts, services in lists:
        if not isinstance(services, list):
            continue
        names = [str(s.get("name")) for s in services if isinstance(s, dict)]
        for name in sorted(_duplicates(names)):
            errors.setdefault(_path(prefix, parts), []).append(f"service {name!r} appears more than once")
    return errors


# What no text of a policy may hold: NUL (PostgreSQL's jsonb cannot store it), the other controls
# but tab and line breaks (nothing a banner shows), and lone surrogates (halves of a UTF-16 pair
# that JSON's "\udc00" can name: no UTF-8 encodes them, so the content could not be hashed).
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
BAD_TEXT_MESSAGE = "contains a control character (other than tab and line breaks) or a lone surrogate"


def _text_errors(doc: Any, prefix: str, parts: tuple[Any, ...] = ()) -> Errors:
    """Every key and string of `doc` that holds a character of _BAD_TEXT, keyed by its dotted path."""
    errors: Errors = {}
    if isinstance(doc, str) and _BAD_TEXT.search(doc):
        errors[_path(prefix, parts)] = [BAD_TEXT_MESSAGE]
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        if isinstance(key, str) and _BAD_TEXT.search(key):
            errors[_path(prefix, (*parts, key))] = [BAD_TEXT_MESSAGE]
        errors.update(_text_errors(value, prefix, (*parts, key)))
    return errors


def _merge(a: Errors, b: Errors) -> Errors:
    for key, messages in b.items():
        a.setdefault(key, []).extend(m for m in messages if m not in a.get(key, []))
    return a


def inventory_errors(inventory: Any, prefix: str = "") -> Errors:
    """Return schema and rule errors of an inventory, keyed by dotted path; empty when valid."""
    errors = _merge(_schema_errors(INVENTORY_SCHEMA, inventory, prefix), _rule_errors(inventory, prefix))
    return _merge(errors, _text_errors(inventory, prefix))


def content_errors(content: Any) -> Errors:
    """Return schema and rule errors of a whole policy content (inventory and texts)."""
    errors = _schema_errors(CONTENT_SCHEMA, content, "")
    if isinstance(content, dict):
        _merge(errors, _rule_errors(content.get("inventory"), "inventory"))
    return _merge(errors, _text_errors(content, ""))
