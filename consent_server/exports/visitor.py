"""A visitor's own records, for access and portability (GDPR Art. 15 and 20).

Two callers: the site's owner or auditor (API key), and the visitor
themselves, who proves possession of the log entries with one of their
receipt ids. Both get the same document: every record of that visitor on
that site, oldest first, and the policy versions they were shown.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from ..domain.errors import NotFound
from ..extensions import db
from ..models import Consent, Site
from .csv_writer import iter_csv
from .record_json import record_dict
from .query import Filters, iter_batches
from .records import I_VERSION, Row, purpose_columns, timestamp
from .service import Export, policy_rows

VISITOR_FORMATS = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def has_records(site_id: int, visitor_id: str) -> bool:
    """Whether the visitor has any record on the site."""
    stmt = select(Consent.id).where(Consent.site_id == site_id, Consent.visitor_id == visitor_id).limit(1)
    return db.session.scalar(stmt) is not None


def owns_receipt(site_id: int, visitor_id: str, receipt_id: str) -> bool:
    """Whether ``receipt_id`` is one of this visitor's receipts on this site."""
    stmt = select(Consent.id).where(
        Consent.receipt_id == receipt_id, Consent.site_id == site_id, Consent.visitor_id == visitor_id
    )
    return db.session.scalar(stmt) is not None


def visitor_export(site: Site, visitor_id: str, fmt: str) -> Export:
    """The visitor's records as a JSON document or CSV; 404 when there are none."""
    if not has_records(site.id, visitor_id):
        raise NotFound("no_consent", "This visitor has no records on this site.")
    now = datetime.now(timezone.utc)
    policies = policy_rows(site.id)
    if fmt == "csv":
        purposes = purpose_columns([s["purpose"] for s in p.content["inventory"]["sections"]] for p in policies)
        batches = iter_batches(db.engine, site.id, Filters(visitor_id=visitor_id), readable=purposes)
        chunks = iter_csv(batches, purposes, neutralised=True)
    else:
        batches = iter_batches(db.engine, site.id, Filters(visitor_id=visitor_id))
        head = {"site": site.key, "visitor_id": visitor_id, "generated_at": timestamp(now)}
        chunks = iter_visitor_json(batches, head, policies)
    extension = "csv" if fmt == "csv" else "json"
    filename = f"consents-{site.key}-visitor-{now.strftime('%Y%m%dT%H%M%SZ')}.{extension}"
    return Export(chunks=chunks, mimetype=VISITOR_FORMATS[fmt], filename=filename)


def iter_visitor_json(
    batches: Iterable[Sequence[Row]], head: dict[str, Any], policies: Sequence[Any]
) -> Iterator[bytes]:
    """Yield ``{...head, "records": [...], "policies": [...]}``; policies are the versions the records cite."""
    opening = _dumps(head)
    yield (opening[:-1] + ',"records":[').encode("utf-8")
    seen: set[int] = set()
    first = True
    for batch in batches:
        for row in batch:
            seen.add(row[I_VERSION])
            yield (("\n" if first else ",\n") + _dumps(record_dict(row))).encode("utf-8")
            first = False
    shown = [
        {"version": p.version, "content_hash": p.content_hash, "published_at": timestamp(p.created_at) or None,
         "content": p.content}
        for p in policies
        if p.version in seen
    ]
    yield ("\n],\"policies\":" + _dumps(shown) + "}\n").encode("utf-8")
