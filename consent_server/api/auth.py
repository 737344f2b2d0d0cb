"""API-key authentication: `Authorization: Bearer <token>`, scoped to one site and a set of roles."""
from __future__ import annotations

from flask import request
from sqlalchemy import select

from ..domain.sites import hash_token
from ..errors import ApiError
from ..extensions import db
from ..models import ApiKey, Site

# The roles that read or manage a site; a `recorder` key only records consents (see check_key's callers).
READERS = ("owner", "auditor")


def token_from_header(header: str | None) -> str | None:
    """The token of an Authorization header value (`Bearer <token>`), or None."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_token() -> str | None:
    """The token from the request's Authorization header, or None."""
    return token_from_header(request.headers.get("Authorization"))


def check_key(site_id: int, token: str | None, roles: tuple[str, ...]) -> ApiKey:
    """The valid key of `token` for this site with one of `roles`; 401 without a valid key, 403 otherwise.

    Takes the token, not the request, so the consent lane (no request context) checks keys the same way.
    """
    if token is None:
        raise ApiError(401, "missing_api_key", "An API key is required: Authorization: Bearer <token>.")
    key = db.session.scalar(select(ApiKey).where(ApiKey.token_hash == hash_token(token)))
    if key is None or key.revoked_at is not None:
        raise ApiError(401, "invalid_api_key", "The API key is unknown or revoked.")
    if key.site_id != site_id:
        raise ApiError(403, "wrong_site", "This API key belongs to another site.")
    if key.role not in roles:
        raise ApiError(403, "wrong_role", f"This endpoint needs one of the roles: {', '.join(roles)}.")
    return key


def require_key(site: Site, roles: tuple[str, ...] = READERS) -> ApiKey:
    """The request's valid key for this site with one of `roles` (owner or auditor unless named)."""
    return check_key(site.id, bearer_token(), roles)
