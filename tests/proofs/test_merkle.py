"""RFC 6962 hashing, roots and inclusion proofs, checked against the RFC's recursive definitions."""
from __future__ import annotations

import hashlib

import pytest

from consent_server.ledger import merkle


def _mth(leaves: list[bytes]) -> bytes:
    # RFC 6962 §2.1, literally: split at the largest power of two smaller than n.
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    # RFC 6962 §2.1.1 PATH(m, D[n]).
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return _path(m, leaves[:k]) + [_mth(leaves[k:])]
    return _path(m - k, leaves[k:]) + [_mth(leaves[:k])]


LEAVES = [f"leaf {i}".encode() for i in range(33)]


def test_domain_separation_prefixes():
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


def test_empty_tree_root_is_hash_of_nothing():
    assert merkle.root([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", range(1, 34))
def test_root_matches_rfc_definition(n):
    assert merkle.root([merkle.leaf_hash(x) for x in LEAVES[:n]]) == _mth(LEAVES[:n])


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 13, 33])
def test_inclusion_proofs_match_rfc_path_and_verify(n):
    hashes = [merkle.leaf_hash(x) for x in LEAVES[:n]]
    top = merkle.root(hashes)
    for m in range(n):
        proof = merkle.inclusion_proof(hashes, m)
        assert proof == _path(m, LEAVES[:n])
        assert merkle.verify_inclusion(hashes[m], m, n, proof, top)


def test_inclusion_fails_for_wrong_index_leaf_or_size():
    hashes = [merkle.leaf_hash(x) for x in LEAVES[:13]]
    top, proof = merkle.root(hashes), merkle.inclusion_proof(hashes, 6)
    assert not merkle.verify_inclusion(hashes[6], 7, 13, proof, top)
    assert not merkle.verify_inclusion(hashes[5], 6, 13, proof, top)
    assert not merkle.verify_inclusion(hashes[6], 6, 13, proof[:-1], top)
    assert not merkle.verify_inclusion(hashes[6], 13, 13, proof, top)


def test_a_leaf_hash_is_not_a_node_hash():
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    # A forged "leaf" made of two child hashes must not hash to their parent.
    assert merkle.leaf_hash(a + b) != merkle.node_hash(a, b)
