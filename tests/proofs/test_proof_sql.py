"""The record lines the database builds (exports/proof_sql.py) are byte for byte the Python-built ones."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from consent_server.exports.proof_sql import record_body_sql
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.models.seals import ConsentLeaf
from consent_server.proofs.proof_export import iter_jsonl_lines
from tests.builders import visitor_id

# Every control character, the two JSON escapes, and non-ASCII text (kept as is: ensure_ascii=False).
NASTY = "".join(chr(c) for c in range(1, 32)) + '"\\/ \x7f åäö Ω ☃ 😀 \u2028\u2029 </script>'


def _both(site, **kwargs) -> tuple[list[str], list[str]]:
    new = list(iter_jsonl_lines(site, **kwargs))
    db.session.rollback()
    old = list(iter_jsonl_lines(site, sql_lines=False, **kwargs))
    db.session.rollback()
    # The header carries the time of the export; everything after it must match exactly.
    return "".join(new[1:]).split("\n"), "".join(old[1:]).split("\n")


def _set(receipt: str, **values) -> None:
    db.session.execute(sa.update(Consent).where(Consent.receipt_id == receipt).values(**values))
    db.session.commit()


def test_sql_lines_are_the_python_lines(app, client, site, signed, log, owner_key):
    nul = "\x00" if db.engine.dialect.name == "sqlite" else "\x01"  # PostgreSQL text cannot hold NUL
    plain = log.post(2)
    nasty, empty, nulls, client_time = log.post(4)
    _set(nasty, page_path="/" + NASTY, browser_family=NASTY, browser_major="1\n2", os_family="\\", device_type='"',
         country=nul + "x", user_agent=NASTY + "\u00e9", visitor_id=NASTY[:60])
    _set(empty, page_path="", browser_family="", os_family="", device_type="", country="", user_agent="")
    _set(nulls, page_path=None, ip_truncated=None, browser_family=None, browser_major=None, os_family=None,
         device_type=None, country=None, user_agent=None, gpc=True,
         choices={"necessary": True, "a\"b": False, "ö\n": True})
    _set(client_time, client_ts=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
         recorded_at=datetime(2025, 1, 2, 3, 4, 6, 7, tzinfo=timezone.utc))
    erased = log.post(2, visitor_id=visitor_id())
    log.seal()
    response = client.delete(f"/api/v1/sites/shop/visitors/{_visitor(erased[0])}",
                             headers={"Authorization": f"Bearer {owner_key}"})
    assert response.status_code == 200, response.get_json()
    log.post(1)
    log.seal()
    log.post(1)  # unsealed
    new, old = _both(site)
    assert new == old
    records = [json.loads(line) for line in new if '"type":"record"' in line]
    assert len(records) == 10 and {r["receipt_id"] for r in records} >= {*plain, nasty, empty, nulls, client_time}
    by_receipt = {r["receipt_id"]: r for r in records}
    assert by_receipt[nasty]["browser_family"] == NASTY and by_receipt[nulls]["gpc"] is True
    assert by_receipt[client_time]["recorded_at"] == "2025-01-02T03:04:06.000007Z"
    assert sum(r["salt"] is None for r in records if r["index"] is not None) == 2  # erased: no salt
    result = log.verify(log.export(site))
    assert result.exit_code == 0, result.output
    # ...and they were built by the database, none left to Python.
    assert None not in _bodies(site)


def _bodies(site) -> list[str | None]:
    rows = db.session.execute(sa.text(record_body_sql(db.engine.dialect.name)),
                              {"site": site.id, "lo": 0, "hi": 10**9}).all()
    db.session.rollback()
    assert rows
    return [row[3] for row in rows]


def test_sql_lines_match_in_a_range_export(app, site, signed, log):
    early = log.post(2)
    for receipt in early:
        _set(receipt, recorded_at=datetime.now(timezone.utc) - timedelta(days=3))
    log.post(2)
    log.seal()
    since = datetime.now(timezone.utc) - timedelta(days=1)
    new, old = _both(site, from_=since)
    assert new == old
    assert sum('"type":"leaf"' in line for line in new) == 2


def test_a_value_outside_the_sql_form_is_built_in_python(app, site, signed, log):
    receipt, other = log.post(2)
    log.seal()
    if db.engine.dialect.name == "sqlite":  # a time stored without microseconds: not the SQL form
        db.session.execute(sa.text("UPDATE consents SET client_ts = '2025-01-02 03:04:05' WHERE receipt_id = :r"),
                           {"r": receipt})
    else:  # a time before year 1000: the SQL form leaves the line to Python
        _set(receipt, client_ts=datetime(999, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    db.session.commit()
    leaf = db.session.scalar(sa.select(ConsentLeaf.leaf_index).join(Consent, Consent.id == ConsentLeaf.consent_id)
                             .where(Consent.receipt_id == receipt))
    assert leaf is not None
    assert _bodies(site).count(None) == 1
    new, old = _both(site)
    assert new == old
    assert [json.loads(line)["receipt_id"] for line in new if '"type":"record"' in line] == [receipt, other]


def _visitor(receipt: str) -> str:
    return db.session.scalar(sa.select(Consent.visitor_id).where(Consent.receipt_id == receipt))

