"""`consent-server purge`: whole sealed batches past retention go, a signed checkpoint keeps the rest verifiable."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consent_server.cli.purge import purge_command
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.models.seals import ConsentLeaf, SealBatch, SealCheckpoint
from consent_server.models.types import utcnow


def _old_and_new(log, site):
    old = log.post(3)
    db.session.execute(sa.update(Consent).where(Consent.receipt_id.in_(old))
                       .values(recorded_at=utcnow() - timedelta(days=3700)))
    db.session.commit()
    log.seal()
    new = log.post(2)
    log.seal()
    return old, new


def _rows(table, where):
    return [dict(row) for row in db.session.execute(sa.select(table).where(where)).mappings()]


def test_dry_run_reports_and_changes_nothing(app, site, signed, log, runner):
    _old_and_new(log, site)
    result = runner.invoke(purge_command, ["--dry-run"])
    assert result.exit_code == 0, result.output
    assert "shop: would remove 1 batches, 3 records" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 5


def test_purge_removes_old_batches_and_the_rest_verifies(app, site, signed, log, runner):
    old, new = _old_and_new(log, site)
    result = runner.invoke(purge_command, [])
    assert result.exit_code == 0, result.output
    assert "shop: removed 1 batches, 3 records" in result.output
    remaining = db.session.scalars(sa.select(Consent.receipt_id)).all()
    assert sorted(remaining) == sorted(new)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealCheckpoint)) == 1
    verified = log.verify(log.export(site))
    assert verified.exit_code == 0, verified.output
    assert "log purged before leaf 3 (batch 1" in verified.output
    # New records after a purge keep chaining from the checkpoint.
    log.post(1)
    log.seal()
    assert log.verify(log.export(site, "later.jsonl")).exit_code == 0


def test_a_purged_batch_put_back_fails_verify(app, site, signed, log, runner):
    old, _ = _old_and_new(log, site)
    saved = {
        "batches": _rows(SealBatch.__table__, SealBatch.batch == 1),
        "consents": _rows(Consent.__table__, Consent.receipt_id.in_(old)),
    }
    saved["leaves"] = _rows(ConsentLeaf.__table__, ConsentLeaf.batch_id == saved["batches"][0]["id"])
    assert runner.invoke(purge_command, []).exit_code == 0
    db.session.execute(sa.insert(SealBatch.__table__), saved["batches"])
    db.session.execute(sa.insert(Consent.__table__), saved["consents"])
    db.session.execute(sa.insert(ConsentLeaf.__table__), saved["leaves"])
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert "purged at the checkpoint" in result.output


def test_purged_records_put_back_without_their_seal_fail_verify(app, site, signed, log, runner):
    old, _ = _old_and_new(log, site)
    saved = _rows(Consent.__table__, Consent.receipt_id.in_(old))
    assert runner.invoke(purge_command, []).exit_code == 0
    db.session.execute(sa.insert(Consent.__table__), saved)
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert "purged at the checkpoint" in result.output and f"first bad record: {old[0]}" in result.output


def test_a_forged_checkpoint_fails_verify(app, site, signed, log, runner):
    _old_and_new(log, site)
    assert runner.invoke(purge_command, []).exit_code == 0
    db.session.execute(sa.update(SealCheckpoint).values(
        statement=sa.func.replace(SealCheckpoint.statement, '"retention_days":3650', '"retention_days":30')))
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1 and "checkpoint's signature" in result.output


def test_nothing_to_purge(app, site, signed, log, runner):
    log.post(2)
    log.seal()
    result = runner.invoke(purge_command, [])
    assert "shop: removed 0 batches, 0 records" in result.output
    assert log.verify(log.export(site)).exit_code == 0
