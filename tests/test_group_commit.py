"""The group committer: every row is committed before commit() returns, many rows share a transaction."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import IntegrityError

from consent_server.domain.consents import consent_committer, new_receipt_id
from consent_server.extensions import db
from consent_server.models import Consent
from tests.builders import consent_row, eventually


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
    committer.commit(consent_row(site.id, receipt))
    assert committed(database_url, receipt)


def test_concurrent_rows_are_all_committed(app, site):
    committer = consent_committer(db.engine)
    site_id = site.id  # read here: ORM attributes need the app context the threads lack
    receipts = [new_receipt_id() for _ in range(60)]
    errors = []

    def submit(receipt: str) -> None:
        try:
            committer.commit(consent_row(site_id, receipt))
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
    committer.commit(consent_row(site_id, duplicate))
    results: dict[str, object] = {}
    barrier = threading.Barrier(5)

    def submit(name: str, receipt: str) -> None:
        barrier.wait()
        try:
            committer.commit(consent_row(site_id, receipt))
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


def test_a_stuck_database_times_out_the_waiting_requests(app, site):
    from consent_server.storage.group_commit import CommitTimeout, GroupCommitter

    release = threading.Event()
    written: list[list[dict]] = []

    def stuck(rows):
        """A database that does not answer until released."""
        release.wait(10)
        written.append(rows)

    committer = GroupCommitter(stuck, timeout=0.2)
    writer = threading.Thread(target=committer.commit, args=({"n": 1},))
    writer.start()  # the first request writes, and hangs in the database
    assert eventually(lambda: committer._writing, 10), "the committer's threads never got there"
    with pytest.raises(CommitTimeout):
        committer.commit({"n": 2})  # queued behind it, never taken
    release.set()
    writer.join(10)
    assert written == [[{"n": 1}]]  # the timed-out row was never written
    committer.commit({"n": 3})  # the turn was handed back: the next request writes
    assert written[-1] == [{"n": 3}]


def test_rows_queued_behind_a_write_share_the_next_one(app, site):
    from consent_server.storage.group_commit import GroupCommitter

    first_started, release = threading.Event(), threading.Event()
    batches: list[list[dict]] = []

    def write(rows):
        batches.append(rows)
        if len(batches) == 1:
            first_started.set()
            release.wait(10)

    committer = GroupCommitter(write)
    threads = [threading.Thread(target=committer.commit, args=({"n": 0},))]
    threads[0].start()
    assert first_started.wait(10)
    for n in range(1, 6):
        threads.append(threading.Thread(target=committer.commit, args=({"n": n},)))
        threads[-1].start()
    assert eventually(lambda: len(committer._queued) == 5, 10), "the committer's threads never got there"
    release.set()
    for thread in threads:
        thread.join(10)
    assert batches[0] == [{"n": 0}]
    assert sorted(row["n"] for row in batches[1]) == [1, 2, 3, 4, 5]  # one transaction for the five
    assert len(batches) == 2


def test_an_interrupted_write_reports_every_row_as_not_committed(app, site):
    from consent_server.storage.group_commit import CommitTimeout, GroupCommitter

    class Interrupted(BaseException):
        pass

    first_started, release = threading.Event(), threading.Event()
    calls = []

    def write(rows):
        calls.append(rows)
        if len(calls) == 1:
            first_started.set()
            release.wait(10)
            return
        raise Interrupted()

    committer = GroupCommitter(write)
    outcomes: dict[int, object] = {}

    def submit(n: int) -> None:
        try:
            committer.commit({"n": n})
            outcomes[n] = "ok"
        except CommitTimeout:
            outcomes[n] = "not committed"
        except Interrupted:
            outcomes[n] = "interrupted"

    threads = [threading.Thread(target=submit, args=(0,))]
    threads[0].start()
    assert first_started.wait(10)
    threads += [threading.Thread(target=submit, args=(n,)) for n in (1, 2)]
    for thread in threads[1:]:
        thread.start()
    assert eventually(lambda: len(committer._queued) == 2, 10), "the committer's threads never got there"
    release.set()
    for thread in threads:
        thread.join(10)
    # The second batch's writer sees its own interruption; the row queued with it is not told "ok".
    assert outcomes[0] == "ok"
    assert sorted(outcomes[n] for n in (1, 2)) == ["interrupted", "not committed"]
    assert not committer._writing  # the turn was given back


def test_sqlite_committers_take_turns_through_the_writer_lock(app, site, database_url):
    from consent_server.storage.thread_connections import writer_lock, writer_lock_path

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
        writer = threading.Thread(target=lambda: (committer.commit(consent_row(site_id, receipt)), done.set()))
        writer.start()
        assert not done.wait(0.5)  # waiting on the lock, not polling the database
        assert not committed(database_url, receipt)
    assert done.wait(10)
    writer.join()
    assert committed(database_url, receipt)
