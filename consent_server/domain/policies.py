"""Policy versions: the default content of a new site, publishing, and lookups (domain layer)."""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import Row, Select, func, select

from .errors import Invalid, NotFound
from ..extensions import db, per_app
from ..inventory import content_errors, diff_content, is_material, material_reasons
from ..ledger.canonical import content_hash
from ..models import PolicyVersion, Site
from ..storage.lookup_cache import LookupCache


def default_content() -> dict[str, Any]:
    """The template a new site starts from: the default inventory and our default banner texts."""
    data = resources.files("consent_server") / "data"
    inventory = json.loads((data / "default_inventory.json").read_text("utf-8"))
    texts = json.loads((data / "default_texts.json").read_text("utf-8"))
    return {"inventory": inventory, "texts": texts}


def latest_policy(site_id: Any, *columns: Any) -> Select:
    """SELECT `columns` (default: the whole version) of the site's latest published version.

    `site_id` may be a bind parameter, for statements built once (consents.current_state).
    """
    return (select(*(columns or (PolicyVersion,))).where(PolicyVersion.site_id == site_id)
            .order_by(PolicyVersion.version.desc()).limit(1))


def _published(found: Any) -> Any:
    if found is None:
        raise NotFound("no_policy", "This site has no published policy version.")
    return found


def current_policy(site: Site | int) -> PolicyVersion:
    """The site's latest published version."""
    site_id = site if isinstance(site, int) else site.id
    return _published(db.session.scalars(latest_policy(site_id)).first())


def current_version_facts(site_id: int) -> tuple[int, int, str]:
    """(version, consent_floor, content_hash) of the site's latest version, without loading its content."""
    row = _published(db.session.execute(latest_policy(
        site_id, PolicyVersion.version, PolicyVersion.consent_floor, PolicyVersion.content_hash)).first())
    return row.version, row.consent_floor, row.content_hash


def get_policy(site_id: int, version: int) -> PolicyVersion | None:
    """One version of a site's policy, or None."""
    return db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site_id, PolicyVersion.version == version)
    ).first()


def _load_purposes(key: tuple[int, int]) -> tuple[str, ...] | None:
    policy = get_policy(*key)
    return tuple(policy.purposes) if policy is not None else None


def version_purposes(site_id: int, version: int) -> tuple[str, ...] | None:
    """Purposes of one version, or None; the app keeps a found one for good (published versions never
    change) and never a missing one (it may be published next)."""
    return per_app("consent.version_purposes", lambda: LookupCache(_load_purposes))((site_id, version))


def list_policies(site_id: int) -> list[PolicyVersion]:
    """Every version a site ever published, oldest first."""
    return list(db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site_id).order_by(PolicyVersion.version)
    ))


# What a list of versions shows of each: everything but the content, which is read per version.
SUMMARY_COLUMNS = (PolicyVersion.version, PolicyVersion.content_hash, PolicyVersion.created_at,
                   PolicyVersion.material, PolicyVersion.consent_floor)


def policy_summaries(site_id: int, offset: int, limit: int) -> tuple[int, list[Row]]:
    """(how many versions the site has, the summaries of at most `limit` of them from `offset`, oldest first)."""
    total = db.session.scalar(select(func.count()).select_from(PolicyVersion).where(PolicyVersion.site_id == site_id))
    rows = db.session.execute(select(*SUMMARY_COLUMNS).where(PolicyVersion.site_id == site_id)
                              .order_by(PolicyVersion.version).offset(offset).limit(limit)).all()
    return total or 0, list(rows)


def require_policy(site_id: int, version: int) -> PolicyVersion:
    """One version of a site's policy, or a 404 error."""
    policy = get_policy(site_id, version)
    if policy is None:
        raise NotFound("unknown_policy_version", f"No policy version {version}.")
    return policy


def validate_content(content: Any) -> None:
    """Raise Invalid with the schema errors (keyed by dotted path) when content is invalid."""
    errors = content_errors(content)
    if errors:
        raise Invalid("invalid_policy", "The policy content does not match schemas/policy-content.schema.json.",
                       errors)


def diff_policies(old: PolicyVersion, new: PolicyVersion) -> dict[str, Any]:
    """What changed from one version to another, section by section, and why it is material (if it is)."""
    diff = diff_content(old.content, new.content)
    return {"from": old.version, "to": new.version, **diff, "material_reasons": material_reasons(diff)}


def replace_inventory(
    *, site: Site, inventory: dict[str, Any], texts: dict[str, Any] | None = None, material: bool | None = None
) -> tuple[PolicyVersion, bool]:
    """Publish the site's policy with a new inventory (and texts, else the current ones).

    Returns the current version and whether a new one was made (False when nothing changed).
    """
    current = current_policy(site)
    content = {**current.content, "inventory": inventory, "texts": texts if texts is not None else current.content["texts"]}
    created = publish_policy(site=site, content=content, material=material)
    return (created or current), created is not None


def publish_policy(*, site: Site, content: dict[str, Any], material: bool | None = None) -> PolicyVersion | None:
    """Add a new version when the content changed; None when it is identical to the current one.

    `material` forces whether visitors are asked again; by default the materiality rule decides.
    The content is validated first (Invalid with the schema errors). The caller owns the transaction.
    """
    validate_content(content)
    digest = content_hash(content)
    latest = db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.site_id == site.id).order_by(PolicyVersion.version.desc()).limit(1)
    ).first()
    if latest is not None and latest.content_hash == digest:
        return None
    if latest is None:
        asks_again, version = True, 1
    else:
        asks_again = is_material(latest.content, content) if material is None else material
        version = latest.version + 1
    floor = version if asks_again or latest is None else latest.consent_floor
    policy = PolicyVersion(
        site_id=site.id, version=version, content=content, content_hash=digest, material=asks_again, consent_floor=floor
    )
    db.session.add(policy)
    db.session.flush()
    return policy
