"""Canonical leaf encoding of the consent log (pure).

A leaf is the canonical JSON (sorted object keys, no whitespace, UTF-8) of a
fixed-order array. Arrays, not objects, because the verifier re-encodes one
leaf per record and a short array encodes several times faster than a sorted
object; the order is fixed here and in docs/CONTRACTS.md ("Proofs").

Personal fields (visitor id, page path, truncated IP, browser, OS, device,
country, user agent) are not in the leaf: the leaf holds
``SHA-256(salt || canonical JSON of those fields)``, with a random salt stored
per record. Erasure drops the salt and the fields and keeps the digest, so the
seal still verifies while nothing personal remains (and without the salt the
digest cannot be tested against guessed values). The fields and their order
are defined once, in :mod:`.row`.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .row import PERSONAL_FIELDS, PUBLIC_FIELDS

CONSENT_TAG = "consent/1"
ERASURE_TAG = "erasure/1"
SALT_BYTES = 16
__all__ = [
    "CONSENT_TAG", "ERASURE_TAG", "LEAF_FORM", "PERSONAL_FIELDS", "PUBLIC_FIELDS", "SALT_BYTES", "canonical",
    "consent_leaf", "erasure_leaf", "new_salt", "personal_digest", "personal_values", "timestamp",
]

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_sha256 = hashlib.sha256


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes (same form as ``consent_server.ledger.canonical.canonical_json``)."""
    return _encode(value).encode("utf-8")


def timestamp(value: datetime | None) -> str | None:
    """Leaf form of a time: UTC, always with microseconds, ``Z`` suffix; None stays None."""
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("naive datetime in a leaf")
    if offset:
        value = value.astimezone(timezone.utc)
    # isoformat is C and several times faster than strftime (exports format millions of these).
    text = value.isoformat(timespec="microseconds")
    if len(text) != 32:  # a year outside 1000-9999 would shift the fields
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return text[:26] + "Z"


# A stored value's leaf form, by its kind in row.FIELDS; the other kinds are as stored.
LEAF_FORM: dict[str, Callable[[Any], Any]] = {"timestamp": timestamp, "bool": bool}


def new_salt() -> bytes:
    """A fresh random salt for one record's personal-field commitment."""
    return os.urandom(SALT_BYTES)


def personal_digest(salt: bytes, personal: Sequence[Any]) -> str:
    """Hex SHA-256(salt || canonical JSON array of the personal fields in PERSONAL_FIELDS order)."""
    return _sha256(salt + _encode(list(personal)).encode("utf-8")).hexdigest()


def personal_values(record: Mapping[str, Any]) -> list[Any]:
    """The personal fields of a record mapping, in commitment order."""
    return [record.get(name) for name in PERSONAL_FIELDS]


def consent_leaf(site: str, index: int, public: Sequence[Any], personal_hex: str) -> bytes:
    """Leaf bytes of a consent record; ``public`` follows PUBLIC_FIELDS (timestamps already in leaf form)."""
    return _encode([CONSENT_TAG, site, index, *public, personal_hex]).encode("utf-8")


def erasure_leaf(site: str, index: int, visitor_hmac: str, erased_at: str, records: int) -> bytes:
    """Leaf bytes of an erasure event: which (keyed-hashed) visitor, when, how many records were redacted."""
    return _encode([ERASURE_TAG, site, index, visitor_hmac, erased_at, records]).encode("utf-8")
