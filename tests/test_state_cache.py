"""Current states served from a worker's memory: never older than a completed commit on SQLite, in any
process; on PostgreSQL as soon as the database's notice arrives (the same tests, waiting for it)."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import delete

from consent_server.cli.keys import keys_cli
from consent_server.domain.policies import current_policy, publish_policy
from consent_server.domain.sites import create_key, get_site
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.storage.state_cache import SLOTS, StateCache, StateStamps, bucket, next_stamp, stamps_path
from consent_server.storage.state_notify import ListenedStamps
from tests.builders import SITE_ORIGIN, consent_row, eventually
from tests.servers import PG_URL, make_live_server

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's stamp file")
postgres_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's change notices")
# On SQLite a commit stamps the shared file before it returns; on PostgreSQL the other app (the
# other node) hears of it by a notice a moment later, delivered to its listening thread.
SETTLE_SECONDS = 5.0 if PG_URL else 0.0
CONSENTS = "/api/v1/sites/shop/consents"


def state_url(visitor: str) -> str:
    return f"/api/v1/sites/shop/visitors/{visitor}/consent"


def decide(client, visitor: str, analytics: bool) -> None:
    body = {"visitor_id": visitor, "policy_version": 1, "choices": {"analytics": analytics},
            "action": "custom", "language": "sv"}
    response = client.post(CONSENTS, json=body, headers={"Origin": SITE_ORIGIN})
    assert response.status_code == 201, response.json


def read(client, visitor: str):
    return client.get(state_url(visitor), headers={"Origin": SITE_ORIGIN})


def settled(check, seconds: float = SETTLE_SECONDS) -> bool:
    """`check()` until it holds or `seconds` pass (by default: at once on SQLite, 5 s on PostgreSQL)."""
    return eventually(check, seconds)


def listening(stamps) -> None:
    """Wait until the stamps are live (PostgreSQL: the listener has subscribed)."""
    assert settled(lambda: stamps.live, seconds=10), "the state listener never came up"


def test_stamps_written_by_another_process_are_seen(tmp_path):
    path = str(tmp_path / "db.sqlite-state-stamps")
    stamps = StateStamps(path)
    slot = bucket(1, "visitor-0000000001")
    assert 1 <= slot <= SLOTS
    before_slot, before_global = stamps.read(slot), stamps.read(0)
    child = (f"from consent_server.storage.state_cache import StateStamps; s = StateStamps({path!r}); "
             f"s.touch([{slot}]); s.touch_all()")
    subprocess.run([sys.executable, "-c", child], check=True, cwd=Path(__file__).resolve().parent.parent)
    assert stamps.read(slot) != before_slot and stamps.read(0) != before_global
    # The bucket of a (site, visitor) is the same in every process (no per-process hash seed).
    assert subprocess.run(
        [sys.executable, "-c", "from consent_server.storage.state_cache import bucket; "
                               "print(bucket(1, 'visitor-0000000001'))"],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    ).stdout.strip() == str(slot)


def test_a_full_cache_forgets_its_oldest_answer_first(tmp_path):
    cache = StateCache(StateStamps(str(tmp_path / "stamps")), read=lambda site_id, visitor_id: None, max_entries=2)
    for visitor in ("first-visitor-0001", "second-visitor-001", "third-visitor-0001"):
        cache.put(1, visitor, cache.stamps_of(1, visitor), {"visitor": visitor})
    assert cache.get(1, "first-visitor-0001", cache.stamps_of(1, "first-visitor-0001")) == (False, None)
    assert cache.get(1, "third-visitor-0001", cache.stamps_of(1, "third-visitor-0001")) == (
        True, {"visitor": "third-visitor-0001"})
    cache.stamps.touch([bucket(1, "third-visitor-0001")])
    assert cache.get(1, "third-visitor-0001", cache.stamps_of(1, "third-visitor-0001")) == (False, None)


def test_a_forked_child_never_repeats_its_parents_stamps(app):
    """The app asked for the fork hook (storage.init_app): a child's stamps start elsewhere."""
    next_stamp()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report its next stamp and leave without running pytest's teardown
        os.write(writer, str(next_stamp()).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    childs = int(os.read(reader, 64))
    os.close(reader)
    assert childs != next_stamp()  # without the reseed both would be the same count


def test_postgres_and_memory_databases_have_no_stamp_file(app):
    if PG_URL:
        assert stamps_path(db.engine) is None
    else:
        assert stamps_path(db.engine) == f"{db.engine.url.database}-state-stamps"


@pytest.fixture
def apps(app, make_app, site):
    """(writer client, reader client, reader app): two apps on one database have two caches, like two workers."""
    reader_app = make_app()
    reader = reader_app.test_client()
    assert read(reader, "cache-visitor-nobody").status_code == 404  # makes the reader's cache
    listening(reader_app.extensions["consent.state_read"].stamps)
    return app.test_client(), reader, reader_app


def kept_state(writer, reader, visitor: str) -> dict:
    """Decide for `visitor` through the writer, and let the reader read (and keep) the state."""
    decide(writer, visitor, True)
    assert settled(lambda: read(reader, visitor).status_code == 200)  # a kept "no decision" is replaced
    return read(reader, visitor).json


def test_a_decision_made_elsewhere_replaces_the_kept_state(apps):
    writer, reader, _ = apps
    visitor = "cache-visitor-000001"
    assert read(reader, visitor).status_code == 404  # a kept "no decision" must not outlive one
    assert kept_state(writer, reader, visitor)["choices"]["analytics"] is True
    assert read(reader, visitor).json["choices"]["analytics"] is True
    decide(writer, visitor, False)
    assert settled(lambda: read(reader, visitor).json["choices"]["analytics"] is False)


def test_a_kept_state_outlives_another_visitors_decision(apps, site):
    writer, reader, reader_app = apps
    first = kept_state(writer, reader, "cache-visitor-000002")
    cache = reader_app.extensions["consent.state_read"]
    other = bucket(site.id, "cache-visitor-000099")
    assert bucket(site.id, "cache-visitor-000002") != other
    before = cache.stamps.read(other)
    decide(writer, "cache-visitor-000099", True)  # another bucket: the kept answer stays valid
    assert settled(lambda: cache.stamps.read(other) != before)  # the other visitor's change was heard
    assert cache.get(site.id, "cache-visitor-000002", cache.stamps_of(site.id, "cache-visitor-000002"))[0]
    assert read(reader, "cache-visitor-000002").json == first


def test_erasure_elsewhere_makes_the_state_404(apps, owner_key, runner):
    assert runner.invoke(keys_cli, ["init"]).exit_code == 0  # erasure keys its hash with the signing key
    writer, reader, _ = apps
    kept_state(writer, reader, "cache-visitor-000003")
    erased = writer.delete("/api/v1/sites/shop/visitors/cache-visitor-000003",
                           headers={"Authorization": f"Bearer {owner_key}"})
    assert erased.status_code == 200
    assert settled(lambda: read(reader, "cache-visitor-000003").status_code == 404)


def test_a_bulk_delete_through_the_session_drops_kept_states(apps):
    writer, reader, _ = apps
    kept_state(writer, reader, "cache-visitor-000004")
    db.session.execute(delete(Consent).where(Consent.visitor_id == "cache-visitor-000004"))
    db.session.commit()
    assert settled(lambda: read(reader, "cache-visitor-000004").status_code == 404)


def test_a_material_policy_change_elsewhere_asks_again(apps):
    writer, reader, _ = apps
    assert kept_state(writer, reader, "cache-visitor-000005")["reconsent_required"] is False
    record = get_site("shop")
    content = copy.deepcopy(current_policy(record).content)
    content["inventory"]["sections"][1]["description"]["en"] += " (edited)"
    publish_policy(site=record, content=content, material=True)
    db.session.commit()
    assert settled(lambda: read(reader, "cache-visitor-000005").json["current_policy_version"] == 2)
    assert read(reader, "cache-visitor-000005").json["reconsent_required"] is True


def test_a_rolled_back_change_is_not_a_change(apps, site):
    writer, reader, reader_app = apps
    kept_state(writer, reader, "cache-visitor-000006")
    stamps = reader_app.extensions["consent.state_read"].stamps
    before = stamps.read(0)
    db.session.execute(delete(Consent).where(Consent.visitor_id == "cache-visitor-000006"))
    db.session.rollback()
    create_key(site=site, role="auditor")  # an unrelated commit afterwards
    db.session.commit()
    # A later decision, once heard, shows that nothing before it was (notices arrive in commit order).
    later = bucket(site.id, "cache-visitor-000098")
    before_later = stamps.read(later)
    decide(writer, "cache-visitor-000098", True)
    assert settled(lambda: stamps.read(later) != before_later)
    assert stamps.read(0) == before
    assert read(reader, "cache-visitor-000006").status_code == 200


def test_every_worker_answers_the_latest_decision(live_server):
    """gunicorn with 2 workers: after a change, no read from any worker shows the old state."""
    session = requests.Session()
    url = f"{live_server.url}/api/v1/sites/demo"
    visitor = "cache-visitor-live-01"

    def decide_live(analytics: bool) -> None:
        body = {"visitor_id": visitor, "policy_version": 1, "choices": {"analytics": analytics},
                "action": "custom", "language": "sv"}
        assert session.post(f"{url}/consents", json=body, headers={"Origin": live_server.url},
                            timeout=10).status_code == 201

    def reads() -> list:
        # Fresh connections, so both workers answer some of them.
        return [requests.get(f"{url}/visitors/{visitor}/consent", timeout=10).json()["choices"]["analytics"]
                for _ in range(30)]

    def answers(expected: bool) -> bool:
        # SQLite: the commit stamps the file every worker reads, so the very next read is new.
        # PostgreSQL: a worker learns of the commit by a notice a few milliseconds later (README,
        # "API for plugin authors"), so the reads must settle on the new state, and stay there.
        if not PG_URL:
            return set(reads()) == {expected}
        return bool(eventually(lambda: set(reads()) == {expected}, 10)) and set(reads()) == {expected}

    decide_live(True)
    assert answers(True)  # now kept by the workers that answered
    decide_live(False)
    assert answers(False)
    decide_live(True)
    assert answers(True)


def test_a_switched_off_cache_reads_every_state_from_the_database(make_app, site):
    reader_app = make_app(CONSENT_STATE_CACHE=False)
    reader, writer = reader_app.test_client(), make_app().test_client()
    kept_state(writer, reader, "cache-visitor-000007")
    assert not isinstance(reader_app.extensions["consent.state_read"], StateCache)
    decide(writer, "cache-visitor-000007", False)
    assert read(reader, "cache-visitor-000007").json["choices"]["analytics"] is False  # no wait, even on PostgreSQL


def test_a_notice_moves_its_visitors_bucket_or_every_state():
    stamps = ListenedStamps(sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    slot = bucket(12, "visitor-with space")
    before_slot, before_all = stamps.read(slot), stamps.read(0)
    other = bucket(3, "another-visitor")
    before_other = stamps.read(other)
    stamps.heard("12 visitor-with space\n3 another-visitor")  # one notice per statement, a visitor a line
    assert stamps.read(slot) != before_slot and stamps.read(other) != before_other and stamps.read(0) == before_all
    for payload in ("*", "not-a-site visitor", "3 v\n*"):  # anything unexpected counts as "everything changed"
        before_all = stamps.read(0)
        stamps.heard(payload)
        assert stamps.read(0) != before_all


def listener_backends(url: str) -> list[int]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        pids = connection.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN consent_state'"
        )).scalars().all()
    engine.dispose()
    return pids


@postgres_only
def test_a_change_made_by_hand_is_heard(apps, database_url):
    writer, reader, _ = apps
    kept_state(writer, reader, "cache-visitor-000008")
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:  # not through the server: the trigger tells the listeners
        connection.execute(sa.text("DELETE FROM consents WHERE visitor_id = 'cache-visitor-000008'"))
    engine.dispose()
    assert settled(lambda: read(reader, "cache-visitor-000008").status_code == 404)


@postgres_only
def test_while_nothing_is_heard_states_come_from_the_database(apps, database_url):
    writer, reader, reader_app = apps
    stamps = reader_app.extensions["consent.state_read"].stamps
    assert kept_state(writer, reader, "cache-visitor-000009")["choices"]["analytics"] is True
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        for pid in listener_backends(database_url):
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()
    assert settled(lambda: not stamps.live, seconds=10)  # the listener notices its connection is gone
    for analytics in (False, True):  # their notices reach nobody (the retry waits a second)
        decide(writer, "cache-visitor-000009", analytics)
        assert read(reader, "cache-visitor-000009").json["choices"]["analytics"] is analytics
    listening(stamps)  # back after the retry, and caching again
    decide(writer, "cache-visitor-000009", False)
    assert settled(lambda: read(reader, "cache-visitor-000009").json["choices"]["analytics"] is False)
    # One listener per app (per engine), not one more per reconnect: the reader's, and the writer's
    # (its site lookups check the same stamps, lookup_cache.py).
    assert settled(lambda: len(listener_backends(database_url)) == 2, seconds=10)


@postgres_only
def test_an_insert_statement_sends_its_visitors_in_notices_of_at_most_8000_bytes(app, site, database_url):
    import psycopg

    from consent_server.domain.consents import ROW_COLUMNS
    from consent_server.storage.thread_connections import ProcessInsert

    listener = psycopg.connect(sa.engine.make_url(database_url).set(drivername="postgresql")
                               .render_as_string(hide_password=False), autocommit=True)
    try:
        listener.execute("LISTEN consent_state")
        visitors = [f"{n:04d}-" + "v" * 59 for n in range(300)]  # 64 characters: ~21 KB of lines
        ProcessInsert(db.engine, Consent.__table__, ROW_COLUMNS).insert_many(
            [consent_row(site.id) | {"visitor_id": visitor} for visitor in visitors])
        payloads = [notice.payload for notice in listener.notifies(timeout=5, stop_after=3)]
    finally:
        listener.close()
    assert len(payloads) == 3 and all(len(payload.encode()) <= 8000 for payload in payloads)
    assert sorted(line for payload in payloads for line in payload.split("\n")) == [
        f"{site.id} {visitor}" for visitor in visitors]


def listening_as(database_url: str, application: str) -> bool:
    """Whether a connection named `application` listens for state notices (always true on SQLite: no listener)."""
    if not PG_URL:
        return True
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND query ILIKE 'LISTEN %'"),
                {"name": application}))
    finally:
        engine.dispose()


def test_another_node_on_the_same_database_answers_the_latest_decision(live_server, database_url, instance, tmp_path):
    """Two gunicorn nodes share only the database (and, as every cluster, the keys): a decision on one
    replaces what the other kept."""
    elsewhere = tmp_path / "node-b"
    elsewhere.mkdir()
    node_b_url = database_url
    if PG_URL:  # named, so that its listening connection can be told from node A's
        node_b_url = sa.engine.make_url(database_url).update_query_dict({"application_name": "node-b"}) \
            .render_as_string(hide_password=False)
    node_b = make_live_server(node_b_url, elsewhere, CONSENT_WORKERS="1",  # one worker: it keeps every read
                              CONSENT_SIGNING_KEY=str(instance / "signing_key.pem"),
                              CONSENT_ERASURE_KEY=str(instance / "erasure_key")).start()
    visitor = "cache-visitor-node-01"
    state_b = f"{node_b.url}/api/v1/sites/demo/visitors/{visitor}/consent"
    try:
        assert requests.get(state_b, timeout=10).status_code == 404
        assert eventually(lambda: listening_as(database_url, "node-b"), 10), "node B never listened"
        # its listener is up (on SQLite there is none: the stamps are a file): from now on node B keeps what it reads
        assert requests.get(state_b, timeout=10).status_code == 404  # "no decision yet", kept
        for analytics in (True, False, True):
            body = {"visitor_id": visitor, "policy_version": 1, "choices": {"analytics": analytics},
                    "action": "custom", "language": "sv"}
            assert requests.post(f"{live_server.url}/api/v1/sites/demo/consents", json=body,
                                 headers={"Origin": live_server.url}, timeout=10).status_code == 201
            assert settled(lambda: requests.get(state_b, timeout=10).json().get("choices", {}).get("analytics")
                           is analytics)
    finally:
        node_b.stop()


def test_each_engine_has_one_set_of_stamps_however_many_threads_ask_first():
    from concurrent.futures import ThreadPoolExecutor

    from consent_server.storage.state_notify import cache_stamps

    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected: not live-checked
    with ThreadPoolExecutor(8) as pool:
        made = set(map(id, pool.map(lambda _: cache_stamps(engine), range(32))))
    assert len(made) == 1 and isinstance(cache_stamps(engine), ListenedStamps)
    assert cache_stamps(sa.create_engine("sqlite://")) is None  # a memory database: nothing to share
