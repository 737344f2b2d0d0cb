"""Current states served from memory on SQLite: never older than a completed commit, in any process."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete

from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.policies import current_policy, publish_policy
from consent_server.signing import keys_cli
from consent_server.sites import create_key, get_site
from consent_server.state_cache import SLOTS, StateCache, StateStamps, next_stamp, stamps_path
from tests.conftest import PG_URL, SITE_ORIGIN

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="PostgreSQL has no state cache (nodes share no memory)")
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


def test_stamps_written_by_another_process_are_seen(tmp_path):
    path = str(tmp_path / "db.sqlite-state-stamps")
    stamps = StateStamps(path)
    slot = StateStamps.bucket(1, "visitor-0000000001")
    assert 1 <= slot <= SLOTS
    before_slot, before_global = stamps.read(slot), stamps.read(0)
    child = (f"from consent_server.state_cache import StateStamps; s = StateStamps({path!r}); "
             f"s.touch([{slot}]); s.touch_all()")
    subprocess.run([sys.executable, "-c", child], check=True, cwd=Path(__file__).resolve().parent.parent)
    assert stamps.read(slot) != before_slot and stamps.read(0) != before_global
    # The bucket of a (site, visitor) is the same in every process (no per-process hash seed).
    assert subprocess.run(
        [sys.executable, "-c", "from consent_server.state_cache import StateStamps; "
                               "print(StateStamps.bucket(1, 'visitor-0000000001'))"],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    ).stdout.strip() == str(slot)


def test_a_full_cache_forgets_its_oldest_answer_first(tmp_path):
    cache = StateCache(StateStamps(str(tmp_path / "stamps")), read=lambda site_id, visitor_id: None, max_entries=2)
    for visitor in ("first-visitor-0001", "second-visitor-001", "third-visitor-0001"):
        cache.put(1, visitor, cache.stamps_of(1, visitor), {"visitor": visitor})
    assert cache.get(1, "first-visitor-0001", cache.stamps_of(1, "first-visitor-0001")) == (False, None)
    assert cache.get(1, "third-visitor-0001", cache.stamps_of(1, "third-visitor-0001")) == (
        True, {"visitor": "third-visitor-0001"})
    cache.stamps.touch([StateStamps.bucket(1, "third-visitor-0001")])
    assert cache.get(1, "third-visitor-0001", cache.stamps_of(1, "third-visitor-0001")) == (False, None)


def test_a_forked_child_never_repeats_its_parents_stamps():
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
    return app.test_client(), reader_app.test_client(), reader_app


def kept_state(writer, reader, visitor: str) -> dict:
    """Decide for `visitor` through the writer, and let the reader read (and keep) the state."""
    decide(writer, visitor, True)
    response = read(reader, visitor)
    assert response.status_code == 200
    return response.json


@sqlite_only
def test_a_decision_made_elsewhere_replaces_the_kept_state(apps):
    writer, reader, _ = apps
    visitor = "cache-visitor-000001"
    assert read(reader, visitor).status_code == 404  # a kept "no decision" must not outlive one
    assert kept_state(writer, reader, visitor)["choices"]["analytics"] is True
    assert read(reader, visitor).json["choices"]["analytics"] is True
    decide(writer, visitor, False)
    assert read(reader, visitor).json["choices"]["analytics"] is False


@sqlite_only
def test_a_kept_state_outlives_another_visitors_decision(apps, site):
    writer, reader, reader_app = apps
    first = kept_state(writer, reader, "cache-visitor-000002")
    decide(writer, "cache-visitor-000099", True)  # another bucket: the kept answer stays valid
    cache = reader_app.extensions["consent.state_read"]
    assert StateStamps.bucket(site.id, "cache-visitor-000002") != StateStamps.bucket(site.id, "cache-visitor-000099")
    assert cache.get(site.id, "cache-visitor-000002", cache.stamps_of(site.id, "cache-visitor-000002"))[0]
    assert read(reader, "cache-visitor-000002").json == first


@sqlite_only
def test_erasure_elsewhere_makes_the_state_404(apps, owner_key, runner):
    assert runner.invoke(keys_cli, ["init"]).exit_code == 0  # erasure keys its hash with the signing key
    writer, reader, _ = apps
    kept_state(writer, reader, "cache-visitor-000003")
    erased = writer.delete("/api/v1/sites/shop/visitors/cache-visitor-000003",
                           headers={"Authorization": f"Bearer {owner_key}"})
    assert erased.status_code == 200
    assert read(reader, "cache-visitor-000003").status_code == 404


@sqlite_only
def test_a_bulk_delete_through_the_session_drops_kept_states(apps):
    writer, reader, _ = apps
    kept_state(writer, reader, "cache-visitor-000004")
    db.session.execute(delete(Consent).where(Consent.visitor_id == "cache-visitor-000004"))
    db.session.commit()
    assert read(reader, "cache-visitor-000004").status_code == 404


@sqlite_only
def test_a_material_policy_change_elsewhere_asks_again(apps):
    writer, reader, _ = apps
    assert kept_state(writer, reader, "cache-visitor-000005")["reconsent_required"] is False
    record = get_site("shop")
    content = copy.deepcopy(current_policy(record).content)
    content["inventory"]["sections"][1]["description"]["en"] += " (edited)"
    publish_policy(site=record, content=content, material=True)
    db.session.commit()
    state = read(reader, "cache-visitor-000005").json
    assert state["current_policy_version"] == 2 and state["reconsent_required"] is True


@sqlite_only
def test_a_rolled_back_change_is_not_a_change(apps, site):
    writer, reader, reader_app = apps
    kept_state(writer, reader, "cache-visitor-000006")
    stamps = reader_app.extensions["consent.state_read"].stamps
    before = stamps.read(0)
    db.session.execute(delete(Consent).where(Consent.visitor_id == "cache-visitor-000006"))
    db.session.rollback()
    create_key(site=site, role="auditor")  # an unrelated commit afterwards
    db.session.commit()
    assert stamps.read(0) == before
    assert read(reader, "cache-visitor-000006").status_code == 200


@sqlite_only
def test_every_worker_answers_the_latest_decision(live_server):
    """gunicorn with 2 workers: after a change, no read from any worker shows the old state."""
    session = requests.Session()
    url = f"{live_server.url}/api/v1/sites/demo"
    visitor = "cache-visitor-live-01"

    def decide_live(analytics: bool) -> None:
        body = {"visitor_id": visitor, "policy_version": 1, "choices": {"analytics": analytics},
                "action": "custom", "language": "sv"}
        assert session.post(f"{url}/consents", json=body, timeout=10).status_code == 201

    def reads() -> list:
        # Fresh connections, so both workers answer some of them.
        return [requests.get(f"{url}/visitors/{visitor}/consent", timeout=10).json()["choices"]["analytics"]
                for _ in range(30)]

    decide_live(True)
    assert set(reads()) == {True}  # now kept by the workers that answered
    decide_live(False)
    assert set(reads()) == {False}
    decide_live(True)
    assert set(reads()) == {True}
