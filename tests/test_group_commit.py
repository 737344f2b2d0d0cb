"""The group committer: every row is committed before commit() returns, many rows share a transaction."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import IntegrityError

from consent_server.consents import consent_committer, new_receipt_id
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.models.types import utcnow


def row(site_id: int, receipt_id: str | None = None) -> dict:
    return {
        "site_id": site_id, "visitor_id": "v" * 20, "receipt_id": receipt_id or new_receipt_id(),
        "policy_version": 1, "choices": {"necessary": True}, "action": "reject_all", "language": "sv",
        "page_path": None, "ip_truncated": None, "browser_family": None, "browser_major": None,
        "os_family": None, "device_type": None, "country": None, "gpc": False, "recorded_at": utcnow(),
        "client_ts": None, "user_agent": None,
    }


def committed(database_url: str, receipt_id: str) -> bool:
    """Seen from a separate engine: only committed rows are visible there."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).where(Consent.receipt_id == receipt_id)) == 1
    finally:
        engine.dispose()


def test_commit_returns_only_after_the_row_is_committed(app, site, database_url):
    committer = consent_committer(db.engine)
    receipt = new_receipt_id()
    committer.commit(row(site.id, receipt))
    assert committed(database_url, receipt)


def test_concurrent_rows_are_all_committed(app, site):
    committer = consent_committer(db.engine)
    site_id = site.id  # read here: ORM attributes need the app context the threads lack
    receipts = [new_receipt_id() for _ in range(60)]
    errors = []

    def submit(receipt: str) -> None:
        try:
            committer.commit(row(site_id, receipt))
        except Exception as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(r,)) for r in receipts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = set(db.session.scalars(select(Consent.receipt_id)))
    assert stored == set(receipts)


def test_a_bad_row_fails_alone(app, site):
    committer = consent_committer(db.engine)
    duplicate = new_receipt_id()
    site_id = site.id
    committer.commit(row(site_id, duplicate))
    results: dict[str, object] = {}
    barrier = threading.Barrier(5)

    def submit(name: str, receipt: str) -> None:
        barrier.wait()
        try:
            committer.commit(row(site_id, receipt))
            results[name] = "ok"
        except IntegrityError:
            results[name] = "refused"

    threads = [threading.Thread(target=submit, args=("dup", duplicate))]
    threads += [threading.Thread(target=submit, args=(f"good{i}", new_receipt_id())) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.pop("dup") == "refused"
    assert set(results.values()) == {"ok"}
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 5


def test_a_stuck_database_times_out(app, site):
    from consent_server.group_commit import CommitTimeout, GroupCommitter

    def never(rows):
        """A database that does not answer in time."""
        threading.Event().wait(5)
        raise RuntimeError("gone")

    committer = GroupCommitter(never, timeout=0.2)
    with pytest.raises(CommitTimeout):
        committer.commit({})


def test_sqlite_committers_take_turns_through_the_writer_lock(app, site, database_url):
    from consent_server.thread_connections import writer_lock, writer_lock_path

    path = writer_lock_path(db.engine)
    if db.engine.dialect.name != "sqlite":
        assert path is None  # PostgreSQL commits concurrently: no lock
        return
    committer = consent_committer(db.engine)
    receipt = new_receipt_id()
    site_id = site.id
    done = threading.Event()
    # Another process's committer holds the lock (an open file description of its own).
    with writer_lock(path):
        writer = threading.Thread(target=lambda: (committer.commit(row(site_id, receipt)), done.set()))
        writer.start()
        assert not done.wait(0.5)  # waiting on the lock, not polling the database
        assert not committed(database_url, receipt)
    assert done.wait(10)
    writer.join()
    assert committed(database_url, receipt)
