"""Tampering with the database is caught by `verify` on the export, naming the first bad record."""
from __future__ import annotations

import sqlalchemy as sa

from consent_server.extensions import db


def _ids(receipts):
    rows = db.session.execute(sa.text("SELECT id, receipt_id FROM consents ORDER BY id")).all()
    by_receipt = {r: i for i, r in rows}
    return [by_receipt[r] for r in receipts]


def _sealed_log(log, site):
    receipts = log.post(6)
    log.seal()
    receipts += log.post(4, action="accept_all", choices={"analytics": True, "ads": True})
    log.seal()
    return receipts


def test_untouched_log_verifies(app, site, signed, log):
    _sealed_log(log, site)
    result = log.verify(log.export(site))
    assert result.exit_code == 0, result.output
    assert "10 records" in result.output and "2 signed tree heads" in result.output


def test_altered_row_is_named(app, site, signed, log):
    receipts = _sealed_log(log, site)
    target = _ids(receipts)[3]
    db.session.execute(sa.text("UPDATE consents SET action = 'accept_all' WHERE id = :id"), {"id": target})
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert f"first bad record: {receipts[3]}" in result.output


def test_altered_personal_field_is_named(app, site, signed, log):
    receipts = _sealed_log(log, site)
    db.session.execute(sa.text("UPDATE consents SET country = 'DK' WHERE receipt_id = :r"), {"r": receipts[7]})
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert f"first bad record: {receipts[7]}" in result.output


def test_deleted_row_is_named(app, site, signed, log):
    receipts = _sealed_log(log, site)
    target = _ids(receipts)[2]
    db.session.execute(sa.text("DELETE FROM consent_leaves WHERE consent_id = :id"), {"id": target})
    db.session.execute(sa.text("DELETE FROM consents WHERE id = :id"), {"id": target})
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert "leaf 2 is missing" in result.output
    assert f"first bad record: {receipts[3]}" in result.output


def test_swapped_rows_are_named(app, site, signed, log):
    receipts = _sealed_log(log, site)
    a, b = _ids(receipts)[1], _ids(receipts)[8]
    columns = "receipt_id, visitor_id, choices, action, recorded_at"
    rows = {r.id: r for r in db.session.execute(sa.text(f"SELECT id, {columns} FROM consents WHERE id IN (:a, :b)"),
                                                 {"a": a, "b": b})}
    # Park one receipt id first: receipt_id is unique.
    db.session.execute(sa.text("UPDATE consents SET receipt_id = 'parked' WHERE id = :a"), {"a": a})
    for target, source in ((b, rows[a]), (a, rows[b])):
        db.session.execute(
            sa.text("UPDATE consents SET receipt_id = :r, visitor_id = :v, choices = :c, action = :ac, recorded_at = :t "
                    "WHERE id = :id"),
            {"r": source.receipt_id, "v": source.visitor_id, "c": source.choices if isinstance(source.choices, str)
             else __import__("json").dumps(source.choices), "ac": source.action, "t": source.recorded_at, "id": target},
        )
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert f"first bad record: {receipts[8]}" in result.output


def test_swapped_leaf_positions_are_named(app, site, signed, log):
    receipts = _sealed_log(log, site)
    a, b = _ids(receipts)[0], _ids(receipts)[1]
    db.session.execute(sa.text("UPDATE consent_leaves SET leaf_index = -1 WHERE consent_id = :a"), {"a": a})
    db.session.execute(sa.text("UPDATE consent_leaves SET leaf_index = 0 WHERE consent_id = :b"), {"b": b})
    db.session.execute(sa.text("UPDATE consent_leaves SET leaf_index = 1 WHERE consent_id = :a"), {"a": a})
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 1
    assert f"first bad record: {receipts[1]}" in result.output


def test_inserted_row_shows_as_unsealed_not_as_proven(app, site, signed, log):
    _sealed_log(log, site)
    db.session.execute(sa.text(
        "INSERT INTO consents (site_id, visitor_id, receipt_id, policy_version, choices, action, language, gpc, "
        "recorded_at) SELECT site_id, visitor_id, 'forged', policy_version, choices, action, language, gpc, recorded_at "
        "FROM consents ORDER BY id LIMIT 1"))
    db.session.commit()
    result = log.verify(log.export(site))
    assert result.exit_code == 0
    assert "WARNING 1 records or erasure events not sealed yet" in result.output
