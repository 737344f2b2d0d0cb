"""The sealer: off the request path, in id order, in bounded batches, never skipping a late commit."""
from __future__ import annotations

import fcntl
import json
import os
import threading

import pytest
import sqlalchemy as sa

from consent_server.cli.seal import seal_command
from consent_server.extensions import db
from consent_server.models.seals import SealBatch
from consent_server.proofs.sealing import RECENT_BATCHES, seal_all, unsealed_count
from consent_server.storage.thread_connections import writer_lock_path


def test_posting_a_consent_does_not_seal_it(app, site, signed, log):
    log.post(3)
    assert unsealed_count(site.id) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealBatch)) == 0


def test_records_younger_than_the_grace_period_wait(app, site, signed, log):
    log.post(2)
    assert seal_all(grace=3600) == []
    assert unsealed_count(site.id) == 2


def test_sealing_follows_id_order_and_chains_heads(app, site, signed, log):
    receipts = log.post(5)
    (first,) = log.seal()
    receipts += log.post(2)
    (second,) = log.seal()
    assert (first.batch, first.size, second.batch, second.tree_size) == (1, 5, 2, 7)
    order = db.session.execute(sa.text(
        "SELECT c.receipt_id FROM consent_leaves l JOIN consents c ON c.id = l.consent_id ORDER BY l.leaf_index"
    )).scalars().all()
    assert order == receipts
    heads = [json.loads(h) for h in db.session.scalars(sa.select(SealBatch.head).order_by(SealBatch.batch))]
    assert heads[0]["prev"] == "0" * 64 and heads[1]["prev"] != heads[0]["prev"]


def test_batches_are_bounded(app, site, signed, log):
    app.config["CONSENT_SEAL_BATCH"] = 4
    log.post(10)
    assert [r.size for r in log.seal()] == [4, 4, 2]
    assert log.verify(log.export(site)).exit_code == 0


def test_a_late_commit_with_a_lower_id_is_sealed_next_time(app, site, signed, log):
    receipts = log.post(3)
    # Hide record 2 from the first seal, as if its transaction had not committed yet (PostgreSQL can
    # commit id N after N+1): a future recorded_at keeps it out of the sealer's grace cutoff.
    original = db.session.execute(sa.text("SELECT recorded_at FROM consents WHERE receipt_id = :r"),
                                  {"r": receipts[1]}).scalar()
    db.session.execute(sa.text("UPDATE consents SET recorded_at = :t WHERE receipt_id = :r"),
                       {"t": "2999-01-01 00:00:00" if db.engine.dialect.name == "sqlite" else "2999-01-01T00:00:00Z",
                        "r": receipts[1]})
    db.session.commit()
    assert [r.size for r in log.seal()] == [2]
    db.session.execute(sa.text("UPDATE consents SET recorded_at = :t WHERE receipt_id = :r"),
                       {"t": original, "r": receipts[1]})
    db.session.commit()
    assert [r.size for r in log.seal()] == [1]
    order = db.session.execute(sa.text(
        "SELECT c.receipt_id FROM consent_leaves l JOIN consents c ON c.id = l.consent_id ORDER BY l.leaf_index"
    )).scalars().all()
    assert order == [receipts[0], receipts[2], receipts[1]]
    assert log.verify(log.export(site)).exit_code == 0


def test_seal_command(app, site, signed, log, runner):
    log.post(2)
    result = runner.invoke(seal_command, ["--grace", "0"])
    assert result.exit_code == 0, result.output
    assert "shop: batch 1, 2 leaves" in result.output


def test_seal_command_without_a_key_says_what_to_do(app, site, log, runner):
    log.post(1)
    result = runner.invoke(seal_command, ["--grace", "0"])
    assert result.exit_code != 0
    assert "keys init" in result.output


def test_a_very_late_commit_is_found_by_a_sweep(app, site, signed, log, runner):
    (late,) = log.post(1)
    original = db.session.execute(sa.text("SELECT recorded_at FROM consents WHERE receipt_id = :r"), {"r": late}).scalar()
    db.session.execute(sa.text("UPDATE consents SET recorded_at = :t WHERE receipt_id = :r"),
                       {"t": "2999-01-01 00:00:00" if db.engine.dialect.name == "sqlite" else "2999-01-01T00:00:00Z",
                        "r": late})
    db.session.commit()
    for _ in range(RECENT_BATCHES + 1):
        log.post(1)
        log.seal()
    db.session.execute(sa.text("UPDATE consents SET recorded_at = :t WHERE receipt_id = :r"), {"t": original, "r": late})
    db.session.commit()
    assert log.seal() == []
    result = runner.invoke(seal_command, ["--grace", "0", "--sweep"])
    assert result.exit_code == 0 and "1 leaves" in result.output, result.output
    assert unsealed_count(site.id) == 0
    assert log.verify(log.export(site)).exit_code == 0


def test_concurrent_sealers_never_seal_a_record_twice(app, site, signed, log):
    import threading

    app.config["CONSENT_SEAL_BATCH"] = 8
    log.post(60)
    barrier = threading.Barrier(4)
    sealed: list[int] = []

    def sealer():
        with app.app_context():
            barrier.wait()
            sealed.extend(r.size for r in seal_all(grace=0))
            db.session.remove()

    threads = [threading.Thread(target=sealer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seal_all(grace=0)  # whatever a sealer that lost a race left behind
    leaves = db.session.execute(sa.text("SELECT count(*), count(DISTINCT consent_id) FROM consent_leaves")).one()
    assert tuple(leaves) == (60, 60)
    assert unsealed_count(site.id) == 0
    result = log.verify(log.export(site))
    assert result.exit_code == 0, result.output


def test_on_sqlite_the_sealer_writes_in_turn_with_the_consent_committers(app, site, signed, log):
    """The sealer's write waits on the committers' lock file, so committers wait in turn for it."""
    path = writer_lock_path(db.engine)
    if path is None:
        pytest.skip("PostgreSQL: no writer lock, commits run concurrently")
    log.post(3)
    held = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a committer holds it while it writes
    sealed: list = []

    def seal() -> None:
        with app.app_context():
            sealed.extend(seal_all(grace=0))
            db.session.remove()

    sealer = threading.Thread(target=seal)
    try:
        sealer.start()
        sealer.join(0.5)
        assert sealer.is_alive() and unsealed_count(site.id) == 3  # waiting for its turn, nothing written
    finally:
        os.close(held)
    sealer.join(30)
    assert not sealer.is_alive() and [r.size for r in sealed] == [3]
