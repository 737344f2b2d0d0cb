"""Seal unsealed consent records into signed Merkle batches, off the request path.

``record_consent`` only inserts a row. A sealer (a background thread in each
gunicorn worker, or ``consent-server seal``) later takes a site's unsealed
records older than a grace period, in id order, gives each a leaf index, a
salt and a leaf hash, and signs one tree head over the batch, chained to the
previous head. On PostgreSQL only the sealer takes a lock, a transaction-scoped
advisory lock per site (``pg_try_advisory_xact_lock``): a busy node skips the
site instead of waiting, and consent POSTs never touch it. On SQLite the
database's own write lock serialises sealers; a sealer that loses the race
rolls back and leaves the work to the winner.

Why a grace period and a look-back window: on PostgreSQL a record with id N
can commit after N+1. Candidates are found by an anti-join (no leaf yet), not
only by "id above the last sealed id": the sealer looks back over the id range
of the site's last RECENT_BATCHES batches, so a late commit is sealed in the
next batch (its leaf index, not its id, is its log position), and then takes
new rows above that range. Both are primary-key range scans, so a round costs
the same whatever the size of the log. A transaction that stays uncommitted
while RECENT_BATCHES further batches are sealed is caught by a full sweep
(``consent-server seal --sweep``, and the background sealer every
SWEEP_EVERY rounds).
"""
from __future__ import annotations

import json
import logging
import os
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db
from ..ledger import heads, merkle
from ..ledger.builder import record_leaf_hash, sign_batch
from ..ledger.leaf import LEAF_FORM, SALT_BYTES, erasure_leaf, personal_digest, timestamp
from ..ledger.row import FIELD, PERSONAL_FIELDS, PUBLIC_FIELDS, RECORD_FIELDS
from ..models import Consent, PolicyVersion, Site
from ..models.seals import ConsentLeaf, Erasure, SealBatch, SealCheckpoint
from ..models.types import utcnow
from ..storage.thread_connections import writer_lock, writer_lock_path
from .signing import SigningKeyMissing, register_key, signing_key

log = logging.getLogger(__name__)

SEAL_LOCK_CLASS = 0x5EA1
RECENT_BATCHES = 8
SWEEP_EVERY = 360
_C = Consent.__table__.c
# Core columns (not ORM attributes): plain tuples, no ORM loading per row.
COLUMNS = (_C.id, *(_C[name] for name in RECORD_FIELDS))
_PERSONAL = 1 + RECORD_FIELDS.index(PERSONAL_FIELDS[0])  # the personal fields end the record (ledger.row)
# The record's leaf fields other than the policy hash, with their leaf-form conversion.
_LEAF_VALUES = tuple(
    (name, 1 + RECORD_FIELDS.index(name), LEAF_FORM.get(FIELD[name].kind))
    for name in PUBLIC_FIELDS if FIELD[name].stored
)


@dataclass
class SealResult:
    """One sealed batch."""

    site: str
    batch: int
    size: int
    tree_size: int


def chain_tip(site_id: int) -> tuple[int, int, str]:
    """(next batch number, next leaf index, hash of the last head) of a site."""
    last = db.session.scalar(select(SealBatch).where(SealBatch.site_id == site_id).order_by(SealBatch.batch.desc()).limit(1))
    if last is not None:
        head = json.loads(last.head)
        return last.batch + 1, head["tree_size"], heads.head_hash(head)
    checkpoint = latest_checkpoint(site_id)
    if checkpoint is not None:
        statement = json.loads(checkpoint.statement)
        return statement["batch"] + 1, statement["tree_size"], statement["head"]
    return 1, 0, heads.GENESIS


def latest_checkpoint(site_id: int) -> SealCheckpoint | None:
    """The site's newest purge checkpoint, if it was ever purged."""
    return db.session.scalar(
        select(SealCheckpoint).where(SealCheckpoint.site_id == site_id).order_by(SealCheckpoint.id.desc()).limit(1)
    )


def _try_lock(site_id: int) -> bool:
    if db.engine.dialect.name != "postgresql":
        return True
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:c, :s)"), {"c": SEAL_LOCK_CLASS, "s": site_id}))


def _policy_hashes(site_id: int) -> dict[int, str]:
    rows = db.session.execute(select(PolicyVersion.version, PolicyVersion.content_hash).where(PolicyVersion.site_id == site_id))
    return {version: content_hash for version, content_hash in rows}


def _recent_ids(site_id: int) -> tuple[int, int] | None:
    """Lowest and highest consent id sealed in the site's last RECENT_BATCHES batches."""
    recent = select(SealBatch.id).where(SealBatch.site_id == site_id).order_by(SealBatch.batch.desc()).limit(RECENT_BATCHES)
    low, high = db.session.execute(
        select(func.min(ConsentLeaf.consent_id), func.max(ConsentLeaf.consent_id))
        .where(ConsentLeaf.batch_id.in_(recent.scalar_subquery()))
    ).one()
    return None if high is None else (low, high)


def _unsealed(site_id: int, cutoff: datetime, limit: int, *, sweep: bool = False) -> list[Any]:
    """Unsealed rows older than ``cutoff``: late commits inside the recent id range first, then newer rows."""
    def query(*conditions):
        return db.session.execute(
            select(*COLUMNS)
            .outerjoin(ConsentLeaf.__table__, ConsentLeaf.__table__.c.consent_id == _C.id)
            .where(_C.site_id == site_id, ConsentLeaf.__table__.c.consent_id.is_(None), _C.recorded_at < cutoff,
                   *conditions)
            .order_by(_C.id)
            .limit(limit)
        ).all()

    recent = None if sweep else _recent_ids(site_id)
    if recent is None:
        return query()
    low, high = recent
    rows = query(_C.id > low, _C.id < high)
    if len(rows) < limit:
        rows += query(_C.id > high)[: limit - len(rows)]
    return rows


def _leaves(site: Site, first_index: int, rows: list[Any], erasures: list[Erasure]) -> tuple[list[dict], list[bytes]]:
    policy = _policy_hashes(site.id)
    leaf_rows, hashes = [], []
    salts = os.urandom(SALT_BYTES * len(rows))
    for offset, row in enumerate(rows):
        salt = salts[offset * SALT_BYTES:(offset + 1) * SALT_BYTES]
        digest = personal_digest(salt, row[_PERSONAL:])
        record = {name: row[i] if convert is None else convert(row[i]) for name, i, convert in _LEAF_VALUES}
        h = record_leaf_hash(site.key, first_index + offset, record, policy[row.policy_version], digest)
        hashes.append(h)
        leaf_rows.append({"consent_id": row.id, "site_id": site.id, "leaf_index": first_index + offset,
                          "leaf_hash": h.hex(), "salt": salt.hex(), "personal_digest": digest})
    for erasure in erasures:
        index = first_index + len(hashes)
        h = merkle.leaf_hash(erasure_leaf(site.key, index, erasure.visitor_hmac, timestamp(erasure.erased_at), erasure.records))
        erasure.leaf_index, erasure.leaf_hash = index, h.hex()
        hashes.append(h)
    return leaf_rows, hashes


def seal_site(
    site: Site, *, grace: float | None = None, max_batch: int | None = None, sweep: bool = False
) -> SealResult | None:
    """Seal the site's oldest unsealed records (and erasures) as one signed batch and commit; None if nothing to do."""
    config = current_app.config
    grace = config["CONSENT_SEAL_GRACE"] if grace is None else grace
    max_batch = max_batch or config["CONSENT_SEAL_BATCH"]
    key = signing_key()
    now = utcnow()
    try:
        if not _try_lock(site.id):
            db.session.rollback()
            return None
        batch, first_index, prev = chain_tip(site.id)
        cutoff = now - timedelta(seconds=grace)
        rows = _unsealed(site.id, cutoff, max_batch, sweep=sweep)
        erasures = list(db.session.scalars(
            select(Erasure).where(Erasure.site_id == site.id, Erasure.batch_id.is_(None), Erasure.erased_at < cutoff)
            .order_by(Erasure.id).limit(max(max_batch - len(rows), 0))
        ))
        if not rows and not erasures:
            db.session.rollback()
            return None
        register_key(key)
        leaf_rows, hashes = _leaves(site, first_index, rows, erasures)
        head, signature = sign_batch(key=key, site=site.key, batch=batch, first_index=first_index,
                                     leaf_hashes=hashes, prev=prev, sealed_at=timestamp(now))
        times = [row.recorded_at for row in rows]
        sealed = SealBatch(site_id=site.id, batch=batch, first_index=first_index, size=len(hashes),
                           head=heads.signed_bytes(head).decode("utf-8"), signature=signature, sealed_at=now,
                           first_recorded_at=min(times, default=None), last_recorded_at=max(times, default=None))
        # On SQLite the writes take their turn on the consent committers' lock (thread_connections):
        # the committers then wait in the kernel and start the moment this commits, instead of
        # polling SQLite's busy lock with sleeps of up to 100 ms while a large batch is written.
        with writer_lock(writer_lock_path(db.engine)):
            db.session.add(sealed)
            db.session.flush()
            for leaf in leaf_rows:
                leaf["batch_id"] = sealed.id
            if leaf_rows:
                db.session.execute(insert(ConsentLeaf.__table__), leaf_rows)
            for erasure in erasures:
                erasure.batch_id = sealed.id
            db.session.commit()
    except (IntegrityError, OperationalError) as error:
        # Another sealer (SQLite: another process) sealed these rows first.
        db.session.rollback()
        log.info("sealing %s skipped: %s", site.key, error.__class__.__name__)
        return None
    return SealResult(site=site.key, batch=batch, size=len(hashes), tree_size=head["tree_size"])


def seal_all(*, site_key: str | None = None, grace: float | None = None, sweep: bool = False) -> list[SealResult]:
    """Seal every site (or one) until nothing older than the grace period is left unsealed.

    Full batches (CONSENT_SEAL_BATCH) repeat until one comes out smaller. ``sweep`` looks for
    unsealed rows over the whole log, not only after the recent batches.
    """
    query = select(Site).order_by(Site.id)
    if site_key:
        query = query.where(Site.key == site_key)
    max_batch = current_app.config["CONSENT_SEAL_BATCH"]
    results = []
    for site in db.session.scalars(query).all():
        while (result := seal_site(site, grace=grace, sweep=sweep)) is not None:
            results.append(result)
            sweep = False
            if result.size < max_batch:
                # That batch took everything due. Going on would seal each trickle of records
                # that came due meanwhile in a batch of its own: under steady load, a signed
                # batch (and a write transaction) every few records (bench/RESULTS.md).
                break
    return results


def unsealed_count(site_id: int) -> int:
    """Records of a site with no leaf yet."""
    return db.session.scalar(
        select(func.count()).select_from(Consent).outerjoin(ConsentLeaf, ConsentLeaf.consent_id == Consent.id)
        .where(Consent.site_id == site_id, ConsentLeaf.consent_id.is_(None))
    ) or 0


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    rounds, warned = 0, False
    while not stop.wait(interval * random.uniform(0.8, 1.2)):
        rounds += 1
        with app.app_context():
            try:
                seal_all(sweep=rounds % SWEEP_EVERY == 0)
            except SigningKeyMissing:
                if not warned:  # once per worker, not every round
                    log.warning("background sealer: no signing key; run `consent-server db upgrade`")
                    warned = True
            except Exception:  # noqa: BLE001 - the sealer must outlive one bad round; the next round retries
                log.exception("background sealer round failed")
            finally:
                db.session.remove()


def start_background_sealer(app: Flask) -> threading.Event | None:
    """Start the sealer thread of this worker (CONSENT_SEAL_INTERVAL seconds, 0 = off); returns its stop event."""
    interval = app.config["CONSENT_SEAL_INTERVAL"]
    if not interval or app.config.get("TESTING"):
        return None
    stop = threading.Event()
    threading.Thread(target=_loop, args=(app, interval, stop), name="consent-sealer", daemon=True).start()
    return stop


__all__ = ["SealResult", "seal_all", "seal_site", "start_background_sealer", "unsealed_count"]
