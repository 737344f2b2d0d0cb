"""Sites, their origins and API keys (domain layer); a fast kept lookup for the request path."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, Invalid, NotFound
from ..extensions import db, per_app
from ..models import LANGUAGES, ROLES, ApiKey, Site, SiteOrigin
from ..models.types import utcnow
from ..storage.lookup_cache import kept_until_changed
from ..storage.state_cache import mark_changed
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
        raise Invalid("invalid_site_key", "Site keys are 2-63 characters of a-z, 0-9 and '-'.")
    if language not in LANGUAGES:
        raise Invalid("invalid_language", "Language must be 'sv' or 'en'.")
    if db.session.scalar(select(Site.id).where(Site.key == key)) is not None:
        raise Conflict("site_exists", f"Site {key!r} already exists.")
    site = Site(key=key, name=name, default_language=language)
    site.origins = [SiteOrigin(origin=origin) for origin in dict.fromkeys(normalise_origin(o) for o in origins)]
    db.session.add(site)
    db.session.flush()
    publish_policy(site=site, content=default_content(), material=True)
    return site


def _unknown_site(key: str) -> NotFound:
    return NotFound("unknown_site", f"No site {key!r}.")


def find_site(key: str) -> Site | None:
    """The site with this key, or None."""
    # Only a well-formed key is looked up: a path's %00 would reach PostgreSQL as a NUL, which
    # it refuses with an error (a 500) where SQLite finds nothing.
    return db.session.scalar(select(Site).where(Site.key == key)) if SITE_KEY.fullmatch(key) else None


def get_site(key: str) -> Site:
    """The site with this key, or a 404 error."""
    site = find_site(key)
    if site is None:
        raise _unknown_site(key)
    return site


def hash_token(token: str) -> str:
    """Keys are random with 256 bits, so a plain SHA-256 is enough (no slow KDF needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_key(*, site: Site, role: str) -> tuple[ApiKey, str]:
    """Create an API key; returns the row and the token, which is shown once and never stored."""
    if role not in ROLES:
        raise Invalid("invalid_role", f"Role must be one of: {', '.join(ROLES)}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(site_id=site.id, role=role, token_hash=hash_token(token), prefix=token[:10])
    db.session.add(key)
    db.session.flush()
    return key, token


def revoke_key(key_id: int) -> ApiKey:
    """Mark a key revoked; it stops working at once."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("unknown_key", f"No API key {key_id}.")
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


def _load_site_info(key: str) -> SiteInfo | None:
    site = find_site(key)
    if site is None:
        return None
    return SiteInfo(site.id, site.key, site.default_language, frozenset(o.origin for o in site.origins))


def site_info(key: str) -> SiteInfo:
    """The site's facts for hot endpoints, or a 404 error; kept by each worker until a site changes (lookup_cache.py)."""
    info = per_app("consent.site_info", lambda: kept_until_changed(_load_site_info, db.engine))(key)
    if info is None:
        raise _unknown_site(key)
    return info


def sites_changed(session: Session | None = None) -> None:
    """Call in any transaction that changes a site or its origins other than by the ORM: on commit,
    every worker of every node forgets the site lookups it kept.

    ORM writes of sites and origins (create_site, a changed Site or SiteOrigin) call it by
    themselves (state_cache.WATCHED); on PostgreSQL the triggers of migration 0008 also cover
    SQL run by hand.
    """
    mark_changed(session if session is not None else db.session)
