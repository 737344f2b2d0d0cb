"""Signed tree heads and purge checkpoints (pure).

Each sealed batch of a site's log is a Merkle tree over its leaves; its tree
head names the batch, the leaf range, the root, the previous head's hash and
the signing key, and is signed with Ed25519 over its canonical JSON. The
``prev`` links make the heads a hash chain, so a batch cannot be removed,
inserted or reordered without breaking the chain or a signature.
"""
from __future__ import annotations

import hashlib
from typing import Any

from .leaf import canonical

HEAD_TYPE = "tree_head"
CHECKPOINT_TYPE = "checkpoint"
GENESIS = "0" * 64


def tree_head(
    *, site: str, batch: int, first_index: int, size: int, root_hex: str, prev: str, sealed_at: str, key_id: str
) -> dict[str, Any]:
    """The unsigned tree head of one batch (``tree_size`` = leaves in the log up to and including it)."""
    return {
        "type": HEAD_TYPE,
        "v": 1,
        "site": site,
        "batch": batch,
        "first_index": first_index,
        "size": size,
        "tree_size": first_index + size,
        "root": root_hex,
        "prev": prev,
        "sealed_at": sealed_at,
        "key_id": key_id,
    }


def checkpoint(
    *, site: str, head: dict[str, Any], last_recorded_at: str | None, purged_at: str, retention_days: int, key_id: str
) -> dict[str, Any]:
    """The unsigned checkpoint left by a purge: the log up to ``head`` is gone and the chain continues from it.

    ``last_recorded_at`` is the newest record time among the purged leaves: an unsealed record at or
    before it can only be a purged record put back.
    """
    return {
        "type": CHECKPOINT_TYPE,
        "v": 1,
        "site": site,
        "batch": head["batch"],
        "tree_size": head["tree_size"],
        "head": head_hash(head),
        "last_recorded_at": last_recorded_at,
        "purged_at": purged_at,
        "retention_days": retention_days,
        "key_id": key_id,
    }


def signed_bytes(statement: dict[str, Any]) -> bytes:
    """The bytes a tree head or checkpoint signature covers."""
    return canonical(statement)


def head_hash(head: dict[str, Any]) -> str:
    """Hex SHA-256 of a head's canonical JSON: what the next head's ``prev`` holds."""
    return hashlib.sha256(canonical(head)).hexdigest()
