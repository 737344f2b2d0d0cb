"""API-key authentication: `Authorization: Bearer <token>`, scoped to one site and a set of roles."""
from __future__ import annotations

from flask import request
from sqlalchemy import select

from .errors import ApiError
from .extensions import db
from .models import ApiKey, Site
from .sites import hash_token


def bearer_token() -> str | None:
    """The token from the Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_key(site: Site, roles: tuple[str, ...] = ("owner", "auditor")) -> ApiKey:
    """The caller's valid key for this site with one of `roles`; 401 without a valid key, 403 otherwise."""
    token = bearer_token()
    if token is None:
        raise ApiError(401, "missing_api_key", "An API key is required: Authorization: Bearer <token>.")
    key = db.session.scalar(select(ApiKey).where(ApiKey.token_hash == hash_token(token)))
    if key is None or key.revoked_at is not None:
        raise ApiError(401, "invalid_api_key", "The API key is unknown or revoked.")
    if key.site_id != site.id:
        raise ApiError(403, "wrong_site", "This API key belongs to another site.")
    if key.role not in roles:
        raise ApiError(403, "wrong_role", f"This endpoint needs one of the roles: {', '.join(roles)}.")
    return key
