"""One entry point for every auditor export, shared by the API and the CLI.

``build_export`` checks nothing about the caller (the view does) and returns
an :class:`Export`: a lazy iterator of bytes plus the media type and file
name. Nothing runs until the iterator is consumed, so a view can hand it to
``stream_with_context`` and the CLI can write it to a file, through exactly
the same code.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from ..extensions import db
from ..models import PolicyVersion, Site
from ..proofs.proof_export import iter_jsonl_lines
from . import iso27560
from .csv_writer import iter_csv
from .prefetch import prefetched
from .query import BATCH, Filters, iter_batches
from .records import purpose_columns, timestamp
from .xlsx_writer import iter_xlsx

CHUNK_CHARS = 64 * 1024
# The proof export covers whole sealed batches so that `verify` can check every root:
# it can be cut by time only, never by purpose or action.
TIME_ONLY_FORMATS = frozenset({"jsonl"})
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "iso27560": ("application/json; charset=utf-8", "json"),
}


@dataclass
class Export:
    """A ready-to-stream export: consume ``chunks`` once."""

    chunks: Iterator[bytes]
    mimetype: str
    filename: str


def policy_rows(site_id: int) -> list[Any]:
    """Every policy version of the site (a handful of rows), oldest first."""
    stmt = (
        select(PolicyVersion.version, PolicyVersion.content, PolicyVersion.content_hash, PolicyVersion.created_at)
        .where(PolicyVersion.site_id == site_id)
        .order_by(PolicyVersion.version)
    )
    return list(db.session.execute(stmt))


def export_filename(site_key: str, extension: str, now: datetime) -> str:
    """``consents-<site>-<UTC time>.<ext>``: safe in a Content-Disposition header and unique per second."""
    return f"consents-{site_key}-{now.strftime('%Y%m%dT%H%M%SZ')}.{extension}"


def build_export(site: Site, fmt: str, filters: Filters, *, batch: int = BATCH) -> Export:
    """Prepare the export of ``site``'s log in ``fmt`` (csv, jsonl, xlsx or iso27560)."""
    mimetype, extension = FORMATS[fmt]
    now = datetime.now(timezone.utc)
    policies = policy_rows(site.id)
    if fmt == "jsonl":
        chunks = prefetched(_proof_chunks(current_app._get_current_object(), site.id, filters))
        return Export(chunks=chunks, mimetype=mimetype, filename=export_filename(site.key, extension, now))
    if fmt in ("csv", "xlsx"):
        purposes = purpose_columns(_purposes(p.content) for p in policies)
        batches = prefetched(iter_batches(db.engine, site.id, filters, batch=batch, readable=purposes))
        # The rows arrive neutralised by the query; XLSX neutralises again (idempotent) as it
        # writes cell by cell anyway.
        chunks = iter_csv(batches, purposes, neutralised=True) if fmt == "csv" else iter_xlsx(batches, purposes)
    else:
        batches = prefetched(iter_batches(db.engine, site.id, filters, batch=batch))
        chunks = _iso(site, filters, batches, policies, now)
    return Export(chunks=chunks, mimetype=mimetype, filename=export_filename(site.key, extension, now))


def _purposes(content: dict[str, Any]) -> list[str]:
    return [section["purpose"] for section in content["inventory"]["sections"]]


def _proof_chunks(app: Flask, site_id: int, filters: Filters) -> Iterator[bytes]:
    """The proof export, chunked, in an app context of its own (it runs in the prefetch thread)."""
    with app.app_context():
        site = db.session.get(Site, site_id)
        yield from _chunked(iter_jsonl_lines(site, filters.start, filters.end))


def _chunked(lines: Iterator[str]) -> Iterator[bytes]:
    """Group the proof export's lines into chunks of about CHUNK_CHARS, UTF-8 encoded."""
    parts: list[str] = []
    size = 0
    for line in lines:
        parts.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


def _iso(site: Site, filters: Filters, batches: Iterator[list[Any]], policies: list[Any], now: datetime):
    """The ISO/IEC TS 27560-shaped document."""
    notices = [
        iso27560.notice_entry(site.key, p.version, p.content, p.content_hash, p.created_at) for p in policies
    ]
    header = {
        "generated_at": timestamp(now),
        "site": {"key": site.key, "name": site.name},
        "pii_controller": {"name": site.name},
        "filters": {
            "from": timestamp(filters.start) or None,
            "to": timestamp(filters.end) or None,
            "purpose": filters.purpose,
            "decision": filters.decision,
            "action": filters.action,
        },
    }
    validity = f"P{current_app.config['CONSENT_MAX_AGE_DAYS']}D"
    return iso27560.iter_iso27560(batches, header=header, notices=notices, validity=validity)
