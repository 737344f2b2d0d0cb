"""Canonical JSON and content hashes: one byte form per value, so hashes and signatures are stable."""
from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Serialise with sorted keys, no whitespace, UTF-8 (RFC 8785 style for our value types)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def content_hash(value: Any) -> str:
    """Hex SHA-256 of the canonical JSON of a value."""
    return sha256_hex(canonical_json(value))
