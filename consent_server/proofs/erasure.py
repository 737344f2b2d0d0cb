"""Erasure of a visitor's personal fields (GDPR Art. 17) without breaking the sealed log (domain layer).

The visitor id becomes a keyed HMAC (so the site can still tell that records
belonged to one erased visitor, and nobody can test a guessed id without the
key, the erasure secret of erasure_secret.py); truncated IP, browser, OS, device,
country, page path and user agent become NULL; each sealed record's salt is
dropped. The leaves commit to the personal fields only through
``SHA-256(salt || fields)``, kept in ``consent_leaves.personal_digest``, so every
seal still verifies. The erasure is itself recorded (table ``erasures``) and
sealed into the log by the sealer. The API view then empties SQLite's WAL
(disk_erasure.py), so the old values are in no file of the database.
"""
from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select, update

from ..domain.errors import NotFound, Unavailable
from ..extensions import db
from ..models import Consent, Site
from ..models.seals import ConsentLeaf, Erasure
from ..models.types import utcnow
from .erasure_secret import ErasureKeyMissing, erasure_secret

REDACTED = ("page_path", "ip_truncated", "browser_family", "browser_major", "os_family", "device_type", "country",
            "user_agent")


def pseudonym(secret: bytes, site_key: str, visitor_id: str) -> str:
    """HMAC-SHA-256 of (site key, visitor id) under the erasure secret, hex: an erased visitor's name."""
    message = f"{site_key}\x00{visitor_id}".encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def visitor_hmac(site: Site, visitor_id: str) -> str:
    """Keyed hash that replaces an erased visitor id (hex, 64 characters); 503 without the erasure secret."""
    try:
        secret = erasure_secret()
    except ErasureKeyMissing as error:
        raise Unavailable(error.code, str(error)) from None
    return pseudonym(secret, site.key, visitor_id)


def erase_visitor(*, site: Site, visitor_id: str) -> Erasure:
    """Redact every record of the visitor on this site and record the erasure (caller commits); 404 if none."""
    replacement = visitor_hmac(site, visitor_id)
    result = db.session.execute(
        update(Consent)
        .where(Consent.site_id == site.id, Consent.visitor_id == visitor_id)
        .values(visitor_id=replacement, **{name: None for name in REDACTED})
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        raise NotFound("no_consent", "This visitor has no records on this site.")
    erased_ids = select(Consent.id).where(Consent.site_id == site.id, Consent.visitor_id == replacement)
    db.session.execute(
        update(ConsentLeaf).where(ConsentLeaf.consent_id.in_(erased_ids)).values(salt=None)
        .execution_options(synchronize_session=False)
    )
    erasure = Erasure(site_id=site.id, visitor_hmac=replacement, records=result.rowcount, erased_at=utcnow())
    db.session.add(erasure)
    db.session.flush()
    return erasure
