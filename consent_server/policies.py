"""Policy versions: the default content of a new site, publishing, and lookups (domain layer)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import select

from .canonical import content_hash
from .errors import ApiError
from .extensions import db
from .models import PolicyVersion, Site


def default_content() -> dict[str, Any]:
    """The template a new site starts from: the default inventory and our default banner texts."""
    data = resources.files("consent_server") / "data"
    inventory = json.loads((data / "default_inventory.json").read_text("utf-8"))
    texts = json.loads((data / "default_texts.json").read_text("utf-8"))
    return {"inventory": inventory, "texts": texts}


def current_policy(site: Site | int) -> PolicyVersion:
    """The site's latest published version."""
    site_id = site if isinstance(site, int) else site.id
    policy = db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site_id).order_by(PolicyVersion.version.desc()).limit(1)
    ).first()
    if policy is None:
        raise ApiError(404, "no_policy", "This site has no published policy version.")
    return policy


def get_policy(site_id: int, version: int) -> PolicyVersion | None:
    """One version of a site's policy, or None."""
    return db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site_id, PolicyVersion.version == version)
    ).first()


@lru_cache(maxsize=1024)
def version_purposes(site_id: int, version: int) -> tuple[str, ...] | None:
    """Purposes of one version, cached forever: published versions never change."""
    policy = get_policy(site_id, version)
    return tuple(policy.purposes) if policy is not None else None


def _is_material(old: dict[str, Any], new: dict[str, Any]) -> bool:
    try:  # the inventory package owns the materiality rule once it exists
        from .inventory.materiality import is_material
    except ImportError:
        return True
    return is_material(old, new)


def publish_policy(*, site: Site, content: dict[str, Any], material: bool | None = None) -> PolicyVersion | None:
    """Add a new version when the content changed; None when it is identical to the current one.

    `material` forces whether visitors are asked again; by default the materiality rule decides.
    The caller owns the transaction.
    """
    digest = content_hash(content)
    latest = db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site.id).order_by(PolicyVersion.version.desc()).limit(1)
    ).first()
    if latest is not None and latest.content_hash == digest:
        return None
    if latest is None:
        is_material, version = True, 1
    else:
        is_material = _is_material(latest.content, content) if material is None else material
        version = latest.version + 1
    floor = version if is_material or latest is None else latest.consent_floor
    policy = PolicyVersion(
        site_id=site.id, version=version, content=content, content_hash=digest, material=is_material, consent_floor=floor
    )
    db.session.add(policy)
    db.session.flush()
    return policy
