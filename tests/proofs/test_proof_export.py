"""The proof export's shape: header, policies, leaves and heads, range exports with hash-only leaves."""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.models.types import utcnow


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_export_lines_in_order(app, site, signed, log):
    log.post(3)
    log.seal()
    log.post(1)
    kinds = [line["type"] for line in _lines(log.export(site))]
    assert kinds[0] == "header" and kinds[1] == "policy"
    assert kinds[2:] == ["record", "record", "record", "tree_head", "record", "end"]


def test_header_carries_keys_and_no_checkpoint(app, site, signed, log):
    log.post(1)
    log.seal()
    header = _lines(log.export(site))[0]
    assert header["site"] == "shop" and header["checkpoint"] is None
    assert header["keys"][0]["alg"] == "Ed25519"


def test_range_export_elides_records_outside_and_still_verifies(app, site, signed, log):
    early = log.post(2)
    db.session.execute(sa.update(Consent).where(Consent.receipt_id.in_(early))
                       .values(recorded_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    late = log.post(2)
    log.seal()
    path = log.export(site, from_=utcnow() - timedelta(days=1))
    lines = _lines(path)
    assert [line["receipt_id"] for line in lines if line["type"] == "record"] == late
    assert len([line for line in lines if line["type"] == "leaf"]) == 2
    result = log.verify(path)
    assert result.exit_code == 0, result.output
    assert "2 leaves outside the exported time range" in result.output


def test_truncated_file_fails(app, site, signed, log):
    log.post(2)
    log.seal()
    path = log.export(site)
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    result = log.verify(path)
    assert result.exit_code == 1 and "truncated" in result.output
