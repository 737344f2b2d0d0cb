"""The lines of a proof export (JSON Lines), built from plain values (pure).

One place defines each line's shape so the producer (``proof_export``), the
in-memory builder used by tests and benchmarks, and docs/CONTRACTS.md agree
with what :mod:`.verify` reads.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# A record line holds the RECORD_FIELDS in order, then index, batch, salt, personal_digest, leaf_hash.
from .row import RECORD_FIELDS
from .verify import FORMAT

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_string = json.encoder.encode_basestring  # the C escaper json.dumps(ensure_ascii=False) uses

_CHOICES = RECORD_FIELDS.index("choices")


def header_line(
    *, site: str, generated_at: str, from_: str | None, to: str | None,
    keys: Sequence[Mapping[str, Any]], checkpoint: Mapping[str, Any] | None,
) -> str:
    """First line: the site, the range, the public keys and the purge checkpoint (statement + signature) if any."""
    return _dumps({
        "type": "header", "format": FORMAT, "version": 1, "site": site, "generated_at": generated_at,
        "from": from_, "to": to, "keys": list(keys), "checkpoint": checkpoint,
    })


def policy_line(version: int, content_hash: str, content: Any) -> str:
    """A policy version with its full content and hash."""
    return _dumps({"type": "policy", "version": version, "content_hash": content_hash, "content": content})


def _value(value: Any) -> str:
    """JSON of one value, fast for the types a record holds."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return _dumps(value)


_RECORD_TEMPLATE = (
    '{"type":"record","index":%s,"batch":%s,'
    + ",".join(f'"{name}":%s' for name in RECORD_FIELDS)
    + ',"salt":%s,"personal_digest":%s,"leaf_hash":%s}'
)


def record_line(
    record: Mapping[str, Any], *, index: int | None, batch: int | None,
    salt: str | None, personal_digest: str | None, leaf_hash: str | None, raw_choices: str | None = None,
) -> str:
    """A consent record (leaf-form timestamps) with its seal data; index/batch None when not sealed yet.

    The same JSON as encoding the object, filled into a template: the export writes a million of these.
    ``raw_choices`` is the choices object as JSON text already (straight from the database), if at hand.
    """
    v = _value
    values = [v(record[name]) for name in RECORD_FIELDS]
    if raw_choices is not None:
        values[_CHOICES] = raw_choices
    return _RECORD_TEMPLATE % (v(index), v(batch), *values, v(salt), v(personal_digest), v(leaf_hash))


def record_line_row(
    row: Sequence[Any], *, index: int | None, batch: int | None,
    salt: str | None, personal_digest: str | None, leaf_hash: str | None,
) -> str:
    """Like :func:`record_line` from a row in RECORD_FIELDS order whose ``choices`` is JSON text already."""
    v = _value
    values = [v(x) for x in row]
    values[_CHOICES] = row[_CHOICES]
    return _RECORD_TEMPLATE % (v(index), v(batch), *values, v(salt), v(personal_digest), v(leaf_hash))


def erasure_line(
    *, index: int | None, batch: int | None, visitor_hmac: str, erased_at: str, records: int, leaf_hash: str | None
) -> str:
    """An erasure event (index, batch and leaf_hash None when not sealed yet)."""
    return _dumps({
        "type": "erasure", "index": index, "batch": batch, "visitor_hmac": visitor_hmac,
        "erased_at": erased_at, "records": records, "leaf_hash": leaf_hash,
    })


def leaf_line(index: int, leaf_hash: str) -> str:
    """A leaf outside the exported time range: its hash only, so the batch root can still be checked."""
    return _dumps({"type": "leaf", "index": index, "leaf_hash": leaf_hash})


def head_line(head: Mapping[str, Any], signature: str) -> str:
    """A signed tree head, after the leaves of its batch."""
    return _dumps({"type": "tree_head", "head": head, "signature": signature})


def end_line(*, records: int, erasures: int, batches: int) -> str:
    """Last line: counts, so a truncated file is detected."""
    return _dumps({"type": "end", "records": records, "erasures": erasures, "batches": batches})
