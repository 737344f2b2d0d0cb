"""Builders for proof tests: records, policies and in-memory sealed logs (pure)."""
from __future__ import annotations

import hashlib
from typing import Any

from consent_server.ledger import keys
from consent_server.ledger.builder import MemoryLog
from consent_server.ledger.leaf import canonical

POLICY = {"inventory": {"sections": [{"purpose": "necessary"}, {"purpose": "analytics"}]}, "texts": {"sv": {}, "en": {}}}


def record(n: int, **over: Any) -> dict[str, Any]:
    """A consent record in leaf form (timestamps as strings), distinct per ``n``."""
    base = {
        "receipt_id": f"r{n:08d}",
        "recorded_at": f"2026-11-25T10:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000000:06d}Z",
        "policy_version": 1,
        "choices": {"necessary": True, "analytics": n % 2 == 0},
        "action": "custom",
        "language": "sv",
        "gpc": False,
        "client_ts": None,
        "visitor_id": f"visitor-{n % 97:04d}",
        "page_path": "/kassa",
        "ip_truncated": "192.0.2.0/24",
        "browser_family": "Firefox",
        "browser_major": "133",
        "os_family": "Linux",
        "device_type": "desktop",
        "country": "SE",
        "user_agent": None,
    }
    base.update(over)
    return base


def memory_log(records: int, batch: int, site: str = "demo") -> MemoryLog:
    """A sealed in-memory log of ``records`` records in batches of ``batch``."""
    log = MemoryLog(site=site, key=keys.generate())
    log.policies[1] = (hashlib.sha256(canonical(POLICY)).hexdigest(), POLICY)
    for n in range(records):
        log.add(record(n))
        if len(log.pending) == batch:
            log.seal("2026-11-25T11:00:00.000000Z")
    if log.pending:
        log.seal("2026-11-25T11:00:00.000000Z")
    return log
