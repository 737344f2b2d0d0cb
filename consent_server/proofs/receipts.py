"""A receipt: one consent record, the full policy version it was given under, and its proof (domain layer).

A receipt is public: whoever holds its id reads it (a printed receipt, a shared link). So it
shows that one decision and nothing that opens anything else. The visitor id would (with a
receipt id it downloads the visitor's whole history, and it lets anyone post decisions as
that visitor), so the receipt names the visitor only by a keyed digest (`receipt_visitor`).
The record's salt stays out too: with it and the other personal fields anyone could test
guessed visitor ids against the sealed digest. The proof then checks the leaf through the
sealed `personal_digest`, as for an erased record (ledger/receipt.py).
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from sqlalchemy import select

from ..domain.errors import NotFound
from ..extensions import db
from ..ledger import merkle
from ..ledger.leaf import LEAF_FORM, timestamp
from ..ledger.row import FIELD, PERSONAL_FIELDS, PUBLIC_FIELDS
from ..models import Consent, PolicyVersion, Site
from ..models.seals import ConsentLeaf, Erasure, SealBatch
from .erasure import pseudonym
from .erasure_secret import erasure_secret
from .signing import WELL_KNOWN

# Domain separation: this digest names a visitor on receipts and is never a stored visitor id.
RECEIPT_VISITOR_TAG = b"consent-server/receipt-visitor/1\x00"
# The record's fields as the leaf has them (the policy hash is shown with the policy), then the visitor's
# pseudonym, then the personal fields but the visitor id.
SHOWN_PUBLIC_FIELDS = tuple(name for name in PUBLIC_FIELDS if FIELD[name].stored)
SHOWN_PERSONAL_FIELDS = tuple(name for name in PERSONAL_FIELDS if name != "visitor_id")

# Receipt ids are made by consents.new_receipt_id (24 URL-safe characters); older ones are shorter.
RECEIPT_ID = r"^[A-Za-z0-9_-]{8,64}$"
_RECEIPT = re.compile(RECEIPT_ID)


def receipt_visitor(site: Site, stored_visitor_id: str, erased: bool) -> str | None:
    """The keyed digest that names a record's visitor on its public receipt (64 hex); None without a server secret.

    The digest is SHA-256 over the visitor's erasure pseudonym (erasure.pseudonym, an HMAC
    keyed with the server's secret), so it is the same before and after an erasure, which
    stores that pseudonym as the visitor id: an erased record's stored id is hashed once more
    and never shown (with a receipt id it would open the erased records' listing).
    """
    if erased:
        keyed = stored_visitor_id
    else:
        secret = erasure_secret(required=False)
        if secret is None:  # no secret yet (`consent-server db upgrade` not run): name no one
            return None
        keyed = pseudonym(secret, site.key, stored_visitor_id)
    return hashlib.sha256(RECEIPT_VISITOR_TAG + keyed.encode("utf-8")).hexdigest()


def is_erased(consent: Consent) -> bool:
    """Whether the record's visitor was erased (its visitor id is then the erasure's pseudonym)."""
    stmt = select(Erasure.id).where(Erasure.site_id == consent.site_id, Erasure.visitor_hmac == consent.visitor_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _same(value: Any) -> Any:
    return value


def _record(consent: Consent, site: Site, erased: bool) -> dict[str, Any]:
    record = {name: LEAF_FORM.get(FIELD[name].kind, _same)(getattr(consent, name)) for name in SHOWN_PUBLIC_FIELDS}
    record["visitor_pseudonym"] = receipt_visitor(site, consent.visitor_id, erased)
    record.update({name: getattr(consent, name) for name in SHOWN_PERSONAL_FIELDS})
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
        "salt": None,  # never public: see the module's docstring
        "personal_digest": leaf.personal_digest,
        "inclusion_proof": [h.hex() for h in path],
        "tree_head": head,
        "signature": batch.signature,
        "key_id": head["key_id"],
    }


def receipt_document(receipt_id: str) -> dict[str, Any]:
    """The public receipt JSON of ``GET /api/v1/receipts/<id>``; 404 for an unknown id."""
    # Only a well-formed id is looked up (PostgreSQL refuses a NUL from a path's %00 with an error).
    consent = (db.session.scalar(select(Consent).where(Consent.receipt_id == receipt_id))
               if _RECEIPT.fullmatch(receipt_id) else None)
    if consent is None:
        raise NotFound("unknown_receipt", "No receipt with this id.")
    site = db.session.get(Site, consent.site_id)
    policy = db.session.scalar(select(PolicyVersion).where(
        PolicyVersion.site_id == consent.site_id, PolicyVersion.version == consent.policy_version))
    erased = is_erased(consent)
    return {
        "site": site.key,
        "site_name": site.name,
        "erased": erased,
        "record": _record(consent, site, erased),
        "policy": {
            "version": policy.version,
            "content_hash": policy.content_hash,
            "created_at": timestamp(policy.created_at),
            "content": policy.content,
        },
        "proof": _proof(consent.id),
        "keys_url": WELL_KNOWN,
    }
