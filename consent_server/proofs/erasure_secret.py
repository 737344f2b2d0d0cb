"""The secret that keys erasure pseudonyms (the HMAC that replaces an erased visitor id).

It is kept apart from the signing key, so that rotating the signing key leaves
pseudonyms as they are: a visitor erased again after a rotation (a new record under
the same cookie id) gets the same pseudonym, and the site can still tell which
records belonged to one erased visitor. It is stored like the signing key:
``CONSENT_ERASURE_KEY`` (base64 of 32 bytes, or the path of a file holding that; every
node of a cluster the same), else ``<instance>/erasure_key``, mode 0600, which
``consent-server db upgrade`` and ``keys init`` write when no secret exists.

Until this secret existed, pseudonyms were keyed by a value derived from the signing
key (``legacy_secret``). A deployment that already has a signing key gets exactly that
value as its erasure secret when ``db upgrade`` first creates one, so pseudonyms made
before and after the upgrade agree; a new deployment gets 32 random bytes.
``verify`` needs no secret either way: it accepts a redacted record when a sealed
erasure event names the record's pseudonym.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .instance_secrets import (configured_value, instance_file, keep_secret, kept_secret, missing_advice,
                               write_secret_file)

SECRET_FILE = "erasure_key"
SECRET_BYTES = 32
_CACHE = "consent.erasure_secret"


class ErasureKeyMissing(RuntimeError):
    """No usable erasure secret: run `consent-server db upgrade` (or `keys init`), or set CONSENT_ERASURE_KEY."""

    code = "erasure_key_missing"


def secret_path() -> Path:
    """Where `db upgrade` and `keys init` keep the erasure secret."""
    return instance_file(SECRET_FILE)


def decode_secret(text: str | bytes) -> bytes:
    """The 32 bytes of a base64-encoded erasure secret; ValueError otherwise."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError("not base64") from error
    if len(raw) != SECRET_BYTES:
        raise ValueError(f"an erasure secret has {SECRET_BYTES} bytes")
    return raw


def _load() -> bytes | None:
    configured = configured_value("CONSENT_ERASURE_KEY")
    try:
        if configured is not None:
            return decode_secret(configured)
        path = secret_path()
        return decode_secret(path.read_bytes()) if path.exists() else None
    except ValueError as error:
        where = "CONSENT_ERASURE_KEY" if configured else str(secret_path())
        raise ErasureKeyMissing(f"{where} is not an erasure secret: {error}") from None


def erasure_secret(*, required: bool = True) -> bytes | None:
    """The erasure secret (kept per app); ErasureKeyMissing if none and ``required``."""
    secret = kept_secret(_CACHE, _load)
    if secret is None and required:
        raise ErasureKeyMissing(missing_advice("erasure secret", "CONSENT_ERASURE_KEY"))
    return secret


def legacy_secret(signing: Ed25519PrivateKey) -> bytes:
    """The key erasures had before they had a secret of their own: derived from the signing key."""
    return hashlib.sha256(b"consent-server/erasure-hmac/1\x00" + signing.private_bytes_raw()).digest()


def create_secret_file(signing: Ed25519PrivateKey | None) -> bytes:
    """Write the erasure secret file (mode 0600): the legacy value of ``signing`` if given, else random bytes."""
    secret = legacy_secret(signing) if signing is not None else os.urandom(SECRET_BYTES)
    write_secret_file(secret_path(), base64.b64encode(secret) + b"\n")
    return keep_secret(_CACHE, secret)
