"""A consent answered 201 survives kill -9 of the whole gunicorn (master and workers) under load."""
from __future__ import annotations

import threading

import pytest
import requests

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.servers import make_live_server

from .builders import consent_body, stored_receipts

THREADS = 8
KILL_AFTER = 300  # acknowledged consents before the kill: enough that many commits race the signal


class Load:
    """Threads POSTing consents until the server stops answering; keeps every acknowledged receipt."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/api/v1/sites/demo/consents"
        self.origin = url
        self.lock = threading.Lock()
        self.acknowledged: dict[str, str] = {}  # receipt_id -> visitor_id
        self.enough = threading.Event()
        self.ended_by_error: list[str] = []
        self.unexpected: list[int] = []

    def run(self) -> None:
        session = requests.Session()
        session.headers["Origin"] = self.origin  # a browser on the site's pages
        while True:
            body = consent_body()
            try:
                response = session.post(self.url, json=body, timeout=30)
            except requests.RequestException as error:
                with self.lock:
                    self.ended_by_error.append(type(error).__name__)
                return
            with self.lock:
                if response.status_code == 201:
                    self.acknowledged[response.json()["receipt_id"]] = body["visitor_id"]
                    if len(self.acknowledged) >= KILL_AFTER:
                        self.enough.set()
                else:
                    self.unexpected.append(response.status_code)


@pytest.mark.slow
def test_every_201_survives_kill_9_of_the_whole_server(app, database_url, instance):
    server = make_live_server(database_url, instance)
    create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    db.session.commit()
    server.start()
    load = Load(server.url)
    threads = [threading.Thread(target=load.run, daemon=True) for _ in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        assert load.enough.wait(timeout=120), "the load never reached the kill point"
        server.kill()  # SIGKILL to the process group: master and every worker, mid-load
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.kill()

    # Every thread was still sending when the server died: each loop ends only on a failed request.
    assert len(load.ended_by_error) == THREADS
    assert load.unexpected == []
    acknowledged = dict(load.acknowledged)
    assert len(acknowledged) >= KILL_AFTER

    restarted = make_live_server(database_url, instance).start()
    try:
        missing = set(acknowledged) - set(stored_receipts(database_url))
        assert missing == set()
        # The restarted server serves what was acknowledged before the kill.
        receipt, visitor = next(iter(acknowledged.items()))
        state = requests.get(f"{restarted.url}/api/v1/sites/demo/visitors/{visitor}/consent", timeout=10)
        assert state.status_code == 200
        stored = requests.get(f"{restarted.url}/api/v1/receipts/{receipt}", timeout=10).json()
        assert stored["record"]["receipt_id"] == receipt
    finally:
        restarted.stop()
