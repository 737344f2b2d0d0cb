"""The server's two secrets, the signing key and the erasure secret: made by `db upgrade`, required to serve.

A server without them cannot seal its log (receipts would promise a proof that never
comes) nor erase a visitor, so `consent-server db upgrade` (and `make run`) creates
whichever is missing, gunicorn refuses to start without them (``gunicorn_conf.on_starting``,
so `consent-server serve` too), and ``/readyz`` answers 503 naming the one missing.
"""
from __future__ import annotations

from ..extensions import db
from .erasure_secret import ErasureKeyMissing, create_secret_file, erasure_secret, secret_path
from .signing import SigningKeyMissing, create_key_file, key_path, register_key, signing_key

KeyMissing = SigningKeyMissing | ErasureKeyMissing


def ensure_server_keys() -> list[str]:
    """Create the secrets that are missing (files, mode 0600), publish the signing key, commit; what was done."""
    done = []
    signing = signing_key(required=False)
    if erasure_secret(required=False) is None:
        # Before the signing key is created: an existing signing key means erasures so far
        # were keyed from it, and the new secret keeps their pseudonyms (erasure_secret.py).
        create_secret_file(signing)
        how = "from the signing key, as erasures were keyed so far" if signing is not None else "random"
        done.append(f"wrote erasure secret {secret_path()} (mode 0600, {how})")
    if signing is None:
        signing = create_key_file()
        done.append(f"wrote signing key {key_path()} (mode 0600)")
    row = register_key(signing)
    db.session.commit()
    done.append(f"signing key {row.key_id}")
    return done


def missing_server_key() -> KeyMissing | None:
    """Why the server cannot sign or erase (the error names the command that fixes it); None when both load."""
    try:
        signing_key()
        erasure_secret()
    except (SigningKeyMissing, ErasureKeyMissing) as error:
        return error
    return None
