"""Sites, their origins and API keys (domain layer); a fast cached lookup for the request path."""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from .errors import ApiError
from .extensions import db
from .models import ApiKey, Site, SiteOrigin
from .models.types import utcnow
from .policies import default_content, publish_policy

SITE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
TOKEN_PREFIX = "cs_"


def normalise_origin(url: str) -> str:
    """Reduce a URL to its origin, `scheme://host[:port]`, lower case; ValueError if it has none."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) origin: {url!r}")
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def create_site(*, key: str, name: str, origins: list[str], language: str = "sv") -> Site:
    """Create a site with its origins and its first policy version (the default template)."""
    if not SITE_KEY.fullmatch(key):
        raise ApiError(422, "invalid_site_key", "Site keys are 2-63 characters of a-z, 0-9 and '-'.")
    if language not in ("sv", "en"):
        raise ApiError(422, "invalid_language", "Language must be 'sv' or 'en'.")
    if db.session.scalar(select(Site.id).where(Site.key == key)) is not None:
        raise ApiError(409, "site_exists", f"Site {key!r} already exists.")
    site = Site(key=key, name=name, default_language=language)
    site.origins = [SiteOrigin(origin=origin) for origin in dict.fromkeys(normalise_origin(o) for o in origins)]
    db.session.add(site)
    db.session.flush()
    publish_policy(site=site, content=default_content(), material=True)
    return site


def get_site(key: str) -> Site:
    """The site with this key, or a 404 error."""
    # Only a well-formed key is looked up: a path's %00 would reach PostgreSQL as a NUL, which
    # it refuses with an error (a 500) where SQLite finds nothing.
    site = db.session.scalar(select(Site).where(Site.key == key)) if SITE_KEY.fullmatch(key) else None
    if site is None:
        raise ApiError(404, "unknown_site", f"No site {key!r}.")
    return site


def hash_token(token: str) -> str:
    """Keys are random with 256 bits, so a plain SHA-256 is enough (no slow KDF needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_key(*, site: Site, role: str) -> tuple[ApiKey, str]:
    """Create an API key; returns the row and the token, which is shown once and never stored."""
    if role not in ("owner", "auditor"):
        raise ApiError(422, "invalid_role", "Role must be 'owner' or 'auditor'.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(site_id=site.id, role=role, token_hash=hash_token(token), prefix=token[:10])
    db.session.add(key)
    db.session.flush()
    return key, token


def revoke_key(key_id: int) -> ApiKey:
    """Mark a key revoked; it stops working at once."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise ApiError(404, "unknown_key", f"No API key {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


@dataclass(frozen=True)
class SiteInfo:
    """What the request path needs to know about a site."""

    id: int
    key: str
    default_language: str
    origins: frozenset[str]


_CACHE: dict[str, tuple[float, SiteInfo]] = {}
CACHE_SECONDS = 5.0


def site_info(key: str) -> SiteInfo:
    """Cached site lookup for hot endpoints; a change of origins shows within CACHE_SECONDS on every node."""
    now = time.monotonic()
    hit = _CACHE.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    site = get_site(key)
    info = SiteInfo(site.id, site.key, site.default_language, frozenset(o.origin for o in site.origins))
    _CACHE[key] = (now, info)
    return info


def clear_site_cache() -> None:
    """Forget cached site lookups (tests and CLI changes in the same process)."""
    _CACHE.clear()
