"""A receipt: one consent record, the full policy version it was given under, and its proof (domain layer)."""
from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from .errors import ApiError
from .extensions import db
from .ledger import merkle
from .ledger.leaf import PERSONAL_FIELDS, timestamp
from .models import Consent, PolicyVersion, Site
from .models.seals import ConsentLeaf, Erasure, SealBatch
from .signing import WELL_KNOWN

# Receipt ids are made by consents.new_receipt_id (24 URL-safe characters); older ones are shorter.
RECEIPT_ID = r"^[A-Za-z0-9_-]{8,64}$"
_RECEIPT = re.compile(RECEIPT_ID)


def _record(consent: Consent) -> dict[str, Any]:
    record = {
        "receipt_id": consent.receipt_id,
        "recorded_at": timestamp(consent.recorded_at),
        "policy_version": consent.policy_version,
        "choices": consent.choices,
        "action": consent.action,
        "language": consent.language,
        "gpc": bool(consent.gpc),
        "client_ts": timestamp(consent.client_ts),
    }
    record.update({name: getattr(consent, name) for name in PERSONAL_FIELDS})
    return record


def batch_leaf_hashes(batch_id: int) -> list[bytes]:
    """Leaf hashes of one sealed batch in leaf order (consent leaves and erasure leaves)."""
    consents = db.session.execute(
        select(ConsentLeaf.leaf_index, ConsentLeaf.leaf_hash).where(ConsentLeaf.batch_id == batch_id)
    ).all()
    erasures = db.session.execute(select(Erasure.leaf_index, Erasure.leaf_hash).where(Erasure.batch_id == batch_id)).all()
    return [bytes.fromhex(h) for _, h in sorted([*consents, *erasures])]


def _proof(consent_id: int) -> dict[str, Any] | None:
    leaf = db.session.get(ConsentLeaf, consent_id)
    if leaf is None:
        return None
    batch = db.session.get(SealBatch, leaf.batch_id)
    head = json.loads(batch.head)
    path = merkle.inclusion_proof(batch_leaf_hashes(batch.id), leaf.leaf_index - batch.first_index)
    return {
        "leaf_index": leaf.leaf_index,
        "leaf_hash": leaf.leaf_hash,
        "salt": leaf.salt,
        "personal_digest": leaf.personal_digest,
        "inclusion_proof": [h.hex() for h in path],
        "tree_head": head,
        "signature": batch.signature,
        "key_id": head["key_id"],
    }


def receipt_document(receipt_id: str) -> dict[str, Any]:
    """The receipt JSON of ``GET /api/v1/receipts/<id>``; 404 for an unknown id."""
    # Only a well-formed id is looked up (PostgreSQL refuses a NUL from a path's %00 with an error).
    consent = (db.session.scalar(select(Consent).where(Consent.receipt_id == receipt_id))
               if _RECEIPT.fullmatch(receipt_id) else None)
    if consent is None:
        raise ApiError(404, "unknown_receipt", "No receipt with this id.")
    site = db.session.get(Site, consent.site_id)
    policy = db.session.scalar(select(PolicyVersion).where(
        PolicyVersion.site_id == consent.site_id, PolicyVersion.version == consent.policy_version))
    return {
        "site": site.key,
        "site_name": site.name,
        "record": _record(consent),
        "policy": {
            "version": policy.version,
            "content_hash": policy.content_hash,
            "created_at": timestamp(policy.created_at),
            "content": policy.content,
        },
        "proof": _proof(consent.id),
        "keys_url": WELL_KNOWN,
    }
