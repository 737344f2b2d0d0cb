"""Consent records shaped after ISO/IEC TS 27560:2023, streamed as one JSON document (pure).

The document is ``{...header, "notices": [...], "records": [...]}``; it is
written item by item, so memory stays flat whatever the number of records.
Each policy version is described once, as a *notice* (what the visitor was
shown: purposes, lawful basis, recipients, storage); each record refers to
its notice and carries, per purpose, the 27560 event (time, type, state).
Every field is documented, with the 27560 element it maps to, in
``schemas/consent-record-27560.schema.json``.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from .records import (
    I_ACTION,
    I_BROWSER,
    I_CHOICES,
    I_CLIENT_TS,
    I_COUNTRY,
    I_DEVICE,
    I_GPC,
    I_IP,
    I_LANGUAGE,
    I_OS,
    I_PAGE,
    I_RECEIPT,
    I_RECORDED,
    I_VERSION,
    I_VISITOR,
    Row,
    timestamp,
)

SCHEMA_VERSION = "consent-server/iso27560-export/1"
CONFORMS_TO = "ISO/IEC TS 27560:2023"
CHUNK_RECORDS = 500
JURISDICTION = "EU"
WITHDRAWAL_METHOD = (
    "Open the cookie preferences (the link or button on every page of the site) and switch the purpose off; "
    "the withdrawal is logged as a new record."
)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def notice_id(site_key: str, version: int) -> str:
    """The identifier of a site's policy version as a 27560 notice."""
    return f"{site_key}/policy/{version}"


def notice_entry(
    site_key: str, version: int, content: Mapping[str, Any], content_hash: str, created_at: datetime | None
) -> dict[str, Any]:
    """Describe one policy version as a 27560 notice with its purposes (processing information)."""
    sections = content.get("inventory", {}).get("sections", [])
    return {
        "notice_id": notice_id(site_key, version),
        "version": version,
        "content_hash": content_hash,
        "published_at": timestamp(created_at) or None,
        "languages": sorted(content.get("texts", {})),
        "purposes": [_purpose_entry(section) for section in sections],
    }


def _purpose_entry(section: Mapping[str, Any]) -> dict[str, Any]:
    """One purpose of a notice: lawful basis, personal data (storage), recipients, locations, retention."""
    services = section.get("services", [])
    storage = [item for service in services for item in service.get("storage", [])]
    return {
        "purpose_id": section["purpose"],
        "purpose": section.get("title", {}),
        "description": section.get("description", {}),
        "lawful_basis": "consent" if section.get("legal_basis") == "consent" else "exempt",
        "pii_information": sorted({f"{item.get('type', 'cookie')}:{item['name']}" for item in storage}),
        "retention_periods": sorted({_duration(item.get("duration")) for item in storage}),
        "recipients": [
            {
                "name": service.get("name"),
                "provider": service.get("provider"),
                "role": service.get("role"),
                "country": service.get("country"),
                "leaves_eea": bool(service.get("leaves_eea")),
                "privacy_policy_url": service.get("privacy_policy_url"),
            }
            for service in services
        ],
        "processing_locations": sorted({s["country"] for s in services if s.get("country")}),
    }


def _duration(value: Any) -> str:
    """A storage duration as ISO 8601 (``PT…S``) or the words ``session`` / ``persistent``."""
    if isinstance(value, int):
        return f"PT{value}S"
    return str(value or "unknown")


def event_state(granted: bool | None, lawful_basis: str, action: str) -> str:
    """The 27560 event state of one purpose in one record."""
    if lawful_basis == "exempt":
        return "not_required"
    if granted:
        return "given"
    return "withdrawn" if action == "withdraw" else "refused"


def record_entry(
    row: Row, site_key: str, lawful: Mapping[int, Mapping[str, str]], validity: str
) -> dict[str, Any]:
    """One consent record: who, when, under which notice, and per purpose what was decided."""
    version = row[I_VERSION]
    bases = lawful.get(version, {})
    recorded = timestamp(row[I_RECORDED])
    action = row[I_ACTION]
    choices = row[I_CHOICES] or {}
    return {
        "record_id": row[I_RECEIPT],
        "receipt_id": row[I_RECEIPT],
        "pii_principal_id": row[I_VISITOR],
        "created": recorded,
        "language": row[I_LANGUAGE],
        "notice_id": notice_id(site_key, version),
        "collection_method": action,
        "purposes": [
            {
                "purpose_id": purpose,
                "lawful_basis": bases.get(purpose, "consent"),
                "event": {
                    "event_time": recorded,
                    "event_type": "expressed",
                    "event_by": "pii_principal",
                    "event_state": event_state(granted, bases.get(purpose, "consent"), action),
                    "validity_duration": validity,
                },
            }
            for purpose, granted in choices.items()
        ],
        "context": {
            "page_path": row[I_PAGE],
            "ip_truncated": row[I_IP],
            "browser": row[I_BROWSER],
            "os": row[I_OS],
            "device_type": row[I_DEVICE],
            "country": row[I_COUNTRY],
            "gpc": bool(row[I_GPC]),
            "client_time": timestamp(row[I_CLIENT_TS]) or None,
        },
    }


def lawful_bases(notices: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, str]]:
    """Map policy version → purpose → lawful basis, from notice entries."""
    return {n["version"]: {p["purpose_id"]: p["lawful_basis"] for p in n["purposes"]} for n in notices}


def iter_iso27560(
    batches: Iterable[Sequence[Row]],
    *,
    header: Mapping[str, Any],
    notices: Sequence[Mapping[str, Any]],
    validity: str,
) -> Iterator[bytes]:
    """Yield the 27560-shaped JSON document: header fields, every notice, then records one by one."""
    site_key = header["site"]["key"]
    lawful = lawful_bases(notices)
    head = {"schema_version": SCHEMA_VERSION, "conforms_to": CONFORMS_TO, **header,
            "jurisdiction": JURISDICTION, "withdrawal_method": WITHDRAWAL_METHOD, "notices": list(notices)}
    opening = _dumps(head)
    yield (opening[:-1] + ',"records":[').encode("utf-8")
    first = True
    for batch in batches:
        # Records are large (every purpose with its event): write them 500 at a time.
        for start in range(0, len(batch), CHUNK_RECORDS):
            rows = batch[start:start + CHUNK_RECORDS]
            body = ",\n".join([_dumps(record_entry(row, site_key, lawful, validity)) for row in rows])
            yield (("\n" if first else ",\n") + body).encode("utf-8")
            first = False
    yield b"\n]}\n"
