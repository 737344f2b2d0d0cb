"""Ed25519 keys, key ids, signatures and the published key set (pure; uses ``cryptography``)."""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG = "Ed25519"


def generate() -> Ed25519PrivateKey:
    """A new private signing key."""
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM of a private key (unencrypted: protect the file, mode 0600)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_private(text: str | bytes) -> Ed25519PrivateKey:
    """Private key from PKCS#8 PEM, or from base64 of the raw 32-byte seed; ValueError otherwise."""
    data = text.encode() if isinstance(text, str) else text
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 key")
        return key
    raw = base64.b64decode(data, validate=True)
    if len(raw) != 32:
        raise ValueError("a raw Ed25519 seed has 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> str:
    """Key id: the first 16 hex digits of SHA-256 of the raw public key."""
    raw = key if isinstance(key, bytes) else public_raw(key)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    """Base64 Ed25519 signature of ``payload``."""
    return base64.b64encode(key.sign(payload)).decode("ascii")


def key_entry(raw: bytes, created_at: str | None, retired_at: str | None) -> dict[str, Any]:
    """One published key: id, algorithm, base64 raw public key, validity."""
    return {
        "key_id": key_id(raw),
        "alg": ALG,
        "public_key": base64.b64encode(raw).decode("ascii"),
        "created_at": created_at,
        "retired_at": retired_at,
    }


class KeyRing:
    """Public keys by id, for checking signatures."""

    def __init__(self, entries: Iterable[Mapping[str, Any]]):
        self._keys: dict[str, Ed25519PublicKey] = {}
        for entry in entries:
            if entry.get("alg", ALG) != ALG:
                raise ValueError(f"unsupported key algorithm {entry.get('alg')!r}")
            raw = base64.b64decode(entry["public_key"], validate=True)
            if key_id(raw) != entry["key_id"]:
                raise ValueError(f"key id {entry['key_id']} does not match its public key")
            self._keys[entry["key_id"]] = Ed25519PublicKey.from_public_bytes(raw)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "KeyRing":
        """Key ring from a keys.json document ``{"keys": [...]}``."""
        return cls(document["keys"])

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def verify(self, kid: str, payload: bytes, signature_b64: str) -> bool:
        """True when ``signature_b64`` is a valid signature of ``payload`` by key ``kid``."""
        key = self._keys.get(kid)
        if key is None:
            return False
        try:
            key.verify(base64.b64decode(signature_b64, validate=True), payload)
        except (InvalidSignature, ValueError):
            return False
        return True
