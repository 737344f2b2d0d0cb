"""Ed25519 keys, ids and the key ring (pure)."""
from __future__ import annotations

import base64

import pytest

from consent_server.ledger import keys


def test_pem_and_raw_seed_load_the_same_key():
    key = keys.generate()
    seed = key.private_bytes_raw()
    from_pem = keys.load_private(keys.private_pem(key))
    from_seed = keys.load_private(base64.b64encode(seed).decode())
    assert keys.key_id(from_pem) == keys.key_id(from_seed) == keys.key_id(key)


@pytest.mark.parametrize("bad", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_bad_private_key_text_is_refused(bad):
    with pytest.raises(ValueError):
        keys.load_private(bad)


def test_key_ring_checks_signatures_by_key_id():
    key, other = keys.generate(), keys.generate()
    ring = keys.KeyRing([keys.key_entry(keys.public_raw(key), "2026-01-01", None)])
    sig = keys.sign(key, b"payload")
    assert ring.verify(keys.key_id(key), b"payload", sig)
    assert not ring.verify(keys.key_id(key), b"payloaD", sig)
    assert not ring.verify(keys.key_id(other), b"payload", keys.sign(other, b"payload"))
    assert not ring.verify(keys.key_id(key), b"payload", "!!")


def test_key_ring_refuses_an_entry_whose_id_does_not_match():
    entry = keys.key_entry(keys.public_raw(keys.generate()), None, None)
    entry["key_id"] = "0" * 16
    with pytest.raises(ValueError):
        keys.KeyRing([entry])
