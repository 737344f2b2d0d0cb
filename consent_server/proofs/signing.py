"""The server's Ed25519 signing key: loading, creating and publishing it (commands: cli/keys.py; keys.json: web/keys.py).

The private key comes from ``CONSENT_SIGNING_KEY`` (PEM text, the path of a PEM
file, or base64 of the raw 32-byte seed; every node of a cluster uses the same one) or from
``<instance>/signing_key.pem``, written with mode 0600 by
``consent-server keys init``. Every public key ever used is kept in the
``signing_keys`` table and published at
``/.well-known/consent-server/keys.json``, so heads signed before a rotation
still verify. Rotation replaces the private key file and keeps no copy of the
old private key: a retired key can then never sign anything again.
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from ..extensions import db
from ..ledger import keys as ledger_keys
from ..ledger.leaf import timestamp
from ..models.seals import SigningKey
from ..models.types import utcnow
from .instance_secrets import (configured_value, instance_file, keep_secret, kept_secret, missing_advice,
                               write_secret_file)

KEY_FILE = "signing_key.pem"
WELL_KNOWN = "/.well-known/consent-server/keys.json"
_CACHE = "consent.signing_key"


class SigningKeyMissing(RuntimeError):
    """No usable signing key: run `consent-server db upgrade` (or `keys init`), or set CONSENT_SIGNING_KEY."""

    code = "signing_key_missing"


def key_path() -> Path:
    """Where `keys init` keeps the private key."""
    return instance_file(KEY_FILE)


def _load() -> Ed25519PrivateKey | None:
    configured = configured_value("CONSENT_SIGNING_KEY", is_text=lambda value: value.lstrip().startswith("-----BEGIN"))
    if configured is not None:
        try:
            return ledger_keys.load_private(configured)
        except ValueError as error:
            raise SigningKeyMissing(f"CONSENT_SIGNING_KEY is not an Ed25519 key: {error}") from None
    path = key_path()
    return ledger_keys.load_private(path.read_bytes()) if path.exists() else None


def signing_key(*, required: bool = True) -> Ed25519PrivateKey | None:
    """The current private key (kept per app); SigningKeyMissing if none and ``required``."""
    key = kept_secret(_CACHE, _load)
    if key is None and required:
        raise SigningKeyMissing(missing_advice("signing key", "CONSENT_SIGNING_KEY"))
    return key


def register_key(key: Ed25519PrivateKey) -> SigningKey:
    """Make sure ``key``'s public half is published and current; older keys become retired (not committed)."""
    kid = ledger_keys.key_id(key)
    row = db.session.scalar(select(SigningKey).where(SigningKey.key_id == kid))
    if row is None:
        raw = ledger_keys.public_raw(key)
        row = SigningKey(key_id=kid, public_key=ledger_keys.key_entry(raw, None, None)["public_key"])
        db.session.add(row)
        now = utcnow()
        for other in db.session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
            if other is not row:
                other.retired_at = now
        db.session.flush()
    return row


def published_keys() -> list[dict[str, Any]]:
    """Every public key, oldest first, as keys.json entries."""
    rows = db.session.scalars(select(SigningKey).order_by(SigningKey.id))
    return [
        ledger_keys.key_entry(base64.b64decode(r.public_key), timestamp(r.created_at), timestamp(r.retired_at))
        for r in rows
    ]


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write a private key file with mode 0600 (atomically: temp file, then rename)."""
    write_secret_file(path, ledger_keys.private_pem(key))


def create_key_file() -> Ed25519PrivateKey:
    """Generate a signing key, write it to key_path() (mode 0600) and make it this app's key."""
    key = ledger_keys.generate()
    write_private_key(key_path(), key)
    return keep_secret(_CACHE, key)
