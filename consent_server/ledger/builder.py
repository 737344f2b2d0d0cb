"""Seal leaves into signed batches: shared by the database sealer and the in-memory log (pure).

:class:`MemoryLog` is a whole log kept in memory: tests of the verifier and
``bench/verify_bench.py`` build exports with it, with the same code path the
sealer uses for leaves and heads.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import heads, keys, lines, merkle
from .leaf import PERSONAL_FIELDS, PUBLIC_FIELDS, consent_leaf, new_salt, personal_digest


def record_public(record: Mapping[str, Any], policy_hash: str) -> list[Any]:
    """The record's leaf fields in PUBLIC_FIELDS order (timestamps must already be leaf-form strings)."""
    return [policy_hash if f == "policy_hash" else record[f] for f in PUBLIC_FIELDS]


def record_leaf_hash(site: str, index: int, record: Mapping[str, Any], policy_hash: str, personal_hex: str) -> bytes:
    """Leaf hash of a consent record at ``index``."""
    return merkle.leaf_hash(consent_leaf(site, index, record_public(record, policy_hash), personal_hex))


def sign_batch(
    *, key: Ed25519PrivateKey, site: str, batch: int, first_index: int, leaf_hashes: Sequence[bytes],
    prev: str, sealed_at: str,
) -> tuple[dict[str, Any], str]:
    """Tree head over ``leaf_hashes`` and its base64 signature."""
    head = heads.tree_head(
        site=site, batch=batch, first_index=first_index, size=len(leaf_hashes),
        root_hex=merkle.root(leaf_hashes).hex(), prev=prev, sealed_at=sealed_at, key_id=keys.key_id(key),
    )
    return head, keys.sign(key, heads.signed_bytes(head))


@dataclass
class MemoryLog:
    """An in-memory sealed log of one site (tests, benchmarks)."""

    site: str
    key: Ed25519PrivateKey
    policies: dict[int, tuple[str, Any]] = field(default_factory=dict)
    entries: list[str] = field(default_factory=list)
    pending: list[tuple[str, Mapping[str, Any], str, str, bytes]] = field(default_factory=list)
    next_index: int = 0
    batch: int = 0
    prev: str = heads.GENESIS
    records: int = 0
    batches: int = 0

    def add(self, record: Mapping[str, Any]) -> None:
        """Queue a consent record (a mapping with RECORD_FIELDS) for the next batch."""
        salt = new_salt()
        digest = personal_digest(salt, [record[f] for f in PERSONAL_FIELDS])
        policy_hash = self.policies[record["policy_version"]][0]
        h = record_leaf_hash(self.site, self.next_index + len(self.pending), record, policy_hash, digest)
        self.pending.append(("r", record, salt.hex(), digest, h))

    def seal(self, sealed_at: str) -> dict[str, Any]:
        """Seal the queued records as one batch; returns the head."""
        self.batch += 1
        hashes = [p[4] for p in self.pending]
        head, sig = sign_batch(
            key=self.key, site=self.site, batch=self.batch, first_index=self.next_index,
            leaf_hashes=hashes, prev=self.prev, sealed_at=sealed_at,
        )
        for offset, (_, record, salt, digest, h) in enumerate(self.pending):
            self.entries.append(lines.record_line(
                record, index=self.next_index + offset, batch=self.batch, salt=salt,
                personal_digest=digest, leaf_hash=h.hex(),
            ))
        self.entries.append(lines.head_line(head, sig))
        self.records += len(self.pending)
        self.batches += 1
        self.next_index += len(self.pending)
        self.prev = heads.head_hash(head)
        self.pending = []
        return head

    def keys_document(self) -> dict[str, Any]:
        """The keys.json of this log's key."""
        return {"keys": [keys.key_entry(keys.public_raw(self.key), None, None)]}

    def export(self, generated_at: str = "2026-01-01T00:00:00.000000Z") -> Iterator[str]:
        """Lines of a full export (no newline characters)."""
        yield lines.header_line(
            site=self.site, generated_at=generated_at, from_=None, to=None,
            keys=self.keys_document()["keys"], checkpoint=None,
        )
        for version, (content_hash, content) in sorted(self.policies.items()):
            yield lines.policy_line(version, content_hash, content)
        yield from self.entries
        yield lines.end_line(records=self.records, erasures=0, batches=self.batches)
