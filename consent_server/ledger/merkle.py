"""RFC 6962 / RFC 9162 Merkle tree hashing: roots, inclusion proofs and their checks (pure).

Leaves are hashed as ``SHA-256(0x00 || leaf)`` and interior nodes as
``SHA-256(0x01 || left || right)`` (domain separation, RFC 9162 §2.1.1), so a
leaf can never be passed off as a node. A tree of ``n`` leaves is built level
by level, carrying a lone last node up unchanged; that is the same tree as the
RFC's recursive split at the largest power of two below ``n``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

_sha256 = hashlib.sha256
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    """Hash of one leaf: SHA-256(0x00 || leaf)."""
    return _sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right)."""
    return _sha256(NODE_PREFIX + left + right).digest()


def _next_level(level: Sequence[bytes]) -> list[bytes]:
    nodes = [_sha256(NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        nodes.append(level[-1])
    return nodes


def levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree over these leaf hashes, leaves first, root last."""
    if not leaf_hashes:
        return [[EMPTY_ROOT]]
    out = [list(leaf_hashes)]
    while len(out[-1]) > 1:
        out.append(_next_level(out[-1]))
    return out


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash (MTH) over these leaf hashes; SHA-256 of nothing for an empty tree."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = leaf_hashes
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Audit path of leaf ``index`` (RFC 6962 PATH), nearest sibling first."""
    if not 0 <= index < len(leaf_hashes):
        raise IndexError(f"leaf index {index} outside a tree of {len(leaf_hashes)}")
    return path_from_levels(levels(leaf_hashes), index)


def path_from_levels(tree: Sequence[Sequence[bytes]], index: int) -> list[bytes]:
    """Audit path of leaf ``index`` read off precomputed :func:`levels`."""
    proof = []
    for level in tree[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        index >>= 1
    return proof


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Root implied by a leaf hash and its audit path (RFC 9162 §2.1.3.2); ValueError if malformed."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} outside a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("inclusion proof too short")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """True when ``leaf`` (a leaf hash) sits at ``index`` of the tree of ``size`` with root ``expected_root``."""
    try:
        return root_from_inclusion(leaf, index, size, proof) == expected_root
    except ValueError:
        return False
