"""Retention: ``consent-server purge`` removes whole sealed batches past CONSENT_RETENTION_DAYS.

Only a prefix of a site's log is removed, batch by batch, oldest first, and
only batches whose every record is older than the limit. A signed checkpoint
(``seal_checkpoints``) names the last removed batch's head, so the remaining
log still verifies from there; the verifier refuses anything from before the
checkpoint that reappears. The default, 3650 days, is the general ten-year
limitation period for claims in Sweden; a site whose claims cannot run that
long (no contracts, only analytics consent) may choose less.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, text

from ..extensions import db
from ..ledger import heads, keys
from ..ledger.leaf import timestamp
from ..models import Consent, Site
from ..models.seals import ConsentLeaf, Erasure, SealBatch, SealCheckpoint
from ..models.types import utcnow
from .sealing import SEAL_LOCK_CLASS
from .signing import register_key, signing_key


@dataclass
class PurgeReport:
    """What a purge removed (or would remove) from one site."""

    site: str
    batches: int = 0
    records: int = 0
    erasures: int = 0
    up_to_batch: int | None = None
    up_to_leaf: int | None = None


def _expired(site_id: int, cutoff) -> list[SealBatch]:
    """The oldest batches, in order, while every record in them is older than ``cutoff``."""
    out = []
    for batch in db.session.scalars(select(SealBatch).where(SealBatch.site_id == site_id).order_by(SealBatch.batch)):
        newest = batch.last_recorded_at or batch.sealed_at
        if newest >= cutoff:
            break
        out.append(batch)
    return out


def purge_site(site: Site, *, retention_days: int, dry_run: bool = False) -> PurgeReport:
    """Remove the site's expired batches, leave a signed checkpoint, commit (or roll back on a dry run)."""
    report = PurgeReport(site=site.key)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:c, :s)"), {"c": SEAL_LOCK_CLASS, "s": site.id})
    now = utcnow()
    batches = _expired(site.id, now - timedelta(days=retention_days))
    last_recorded = None
    for batch in batches:
        consent_ids = db.session.scalars(select(ConsentLeaf.consent_id).where(ConsentLeaf.batch_id == batch.id)).all()
        report.records += len(consent_ids)
        report.erasures += len(db.session.scalars(select(Erasure.id).where(Erasure.batch_id == batch.id)).all())
        if batch.last_recorded_at and (last_recorded is None or batch.last_recorded_at > last_recorded):
            last_recorded = batch.last_recorded_at
        if not dry_run:
            db.session.execute(delete(ConsentLeaf).where(ConsentLeaf.batch_id == batch.id))
            for start in range(0, len(consent_ids), 1000):
                db.session.execute(delete(Consent).where(Consent.id.in_(consent_ids[start:start + 1000])))
            db.session.execute(delete(Erasure).where(Erasure.batch_id == batch.id))
    if batches:
        report.batches = len(batches)
        last_head = json.loads(batches[-1].head)
        report.up_to_batch, report.up_to_leaf = last_head["batch"], last_head["tree_size"]
        if not dry_run:
            _checkpoint(site, last_head, last_recorded, now, retention_days)
            for batch in batches:
                db.session.delete(batch)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def _checkpoint(site: Site, last_head: dict, last_recorded, now, retention_days: int) -> None:
    key = signing_key()
    register_key(key)
    statement = heads.checkpoint(
        site=site.key, head=last_head, last_recorded_at=timestamp(last_recorded), purged_at=timestamp(now),
        retention_days=retention_days, key_id=keys.key_id(key),
    )
    db.session.add(SealCheckpoint(
        site_id=site.id, statement=heads.signed_bytes(statement).decode("utf-8"),
        signature=keys.sign(key, heads.signed_bytes(statement)), created_at=now,
    ))
    db.session.flush()
