"""DELETE /api/v1/sites/{site}/visitors/{id}: personal fields go, the log still verifies, the erasure is sealed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from consent_server.extensions import db
from consent_server.ledger import KeyRing, verify_receipt
from consent_server.ledger.parallel import verify_file
from tests.builders import visitor_id


def _erase(client, visitor, token):
    return client.delete(f"/api/v1/sites/shop/visitors/{visitor}", headers={"Authorization": f"Bearer {token}"})


def test_erasure_redacts_and_the_export_still_verifies(client, site, signed, log, owner_key):
    visitor = visitor_id()
    erased = log.post(2, visitor_id=visitor)
    kept = log.post(2)
    log.seal()
    response = _erase(client, visitor, owner_key)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["records"] == 2 and len(body["visitor_hmac"]) == 64
    row = db.session.execute(sa.text(
        "SELECT visitor_id, page_path, ip_truncated, browser_family, os_family, device_type, country, user_agent "
        "FROM consents WHERE receipt_id = :r"), {"r": erased[0]}).one()
    assert row[0] == body["visitor_hmac"] and all(value is None for value in row[1:])
    assert db.session.execute(sa.text("SELECT count(*) FROM consents WHERE visitor_id = :v"), {"v": visitor}).scalar() == 0
    # Unsealed erasure: the export explains the redaction and says it is not proven yet.
    first = log.verify(log.export(site, "before.jsonl"))
    assert first.exit_code == 0, first.output
    log.seal()
    path = log.export(site)
    result = log.verify(path)
    assert result.exit_code == 0, result.output
    assert "1 erasure events, 2 redacted records" in result.output
    ring = KeyRing.from_document(client.get("/.well-known/consent-server/keys.json").get_json())
    summary = verify_file(str(path), ring, workers=2, chunk=2, min_bytes=0)
    assert (summary.records, summary.redacted, summary.erasures) == (4, 2, 1)
    assert kept


def test_erased_receipt_still_verifies(client, site, signed, log, owner_key):
    visitor = visitor_id()
    (receipt,) = log.post(1, visitor_id=visitor)
    log.seal()
    assert _erase(client, visitor, owner_key).status_code == 200
    doc = client.get(f"/api/v1/receipts/{receipt}").get_json()
    assert doc["record"]["ip_truncated"] is None and doc["proof"]["salt"] is None
    verify_receipt(doc, KeyRing.from_document(client.get("/.well-known/consent-server/keys.json").get_json()))


def test_redaction_without_an_erasure_event_fails_verify(client, site, signed, log):
    (receipt,) = log.post(1)
    log.seal()
    db.session.execute(sa.text("UPDATE consents SET country = NULL, page_path = NULL, ip_truncated = NULL, "
                               "browser_family = NULL, browser_major = NULL, os_family = NULL, device_type = NULL "
                               "WHERE receipt_id = :r"), {"r": receipt})
    db.session.execute(sa.text("UPDATE consent_leaves SET salt = NULL"))
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert f"first bad record: {receipt}" in result.output


def test_erasure_needs_the_owner_key(client, site, signed, log, auditor_key):
    visitor = visitor_id()
    log.post(1, visitor_id=visitor)
    assert client.delete(f"/api/v1/sites/shop/visitors/{visitor}").status_code == 401
    assert _erase(client, visitor, auditor_key).status_code == 403


def test_erasure_of_another_sites_visitor_is_refused(client, site, signed, log, other_owner_key):
    visitor = visitor_id()
    log.post(1, visitor_id=visitor)
    assert _erase(client, visitor, other_owner_key).status_code == 403


@pytest.mark.parametrize("visitor, status", [("x" * 20, 404), ("bad id!", 422)])
def test_erasure_of_unknown_or_invalid_visitor(client, site, signed, owner_key, visitor, status):
    response = _erase(client, visitor, owner_key)
    assert response.status_code == status
    assert set(response.get_json()) == {"status", "code", "message", "errors"}
