"""The published public signing keys: /.well-known/consent-server/keys.json."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..proofs.signing import WELL_KNOWN, published_keys

bp = Blueprint("signing_keys", __name__)


@bp.get(WELL_KNOWN)
def keys_json():
    """The public signing keys, current and retired (public, cacheable)."""
    response = jsonify({"keys": published_keys()})
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
