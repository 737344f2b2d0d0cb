"""Erased means gone from disk: after DELETE .../visitors/{id} answers, no SQLite file holds the erased values.

A real gunicorn (two workers, their kept reading and inserting connections, the background
sealer) serves steady load while the erasure runs; the files are read the moment the DELETE
has answered.
"""
from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from consent_server.domain.sites import create_key, create_site
from consent_server.extensions import db
from tests.builders import eventually
from tests.servers import PG_URL, make_live_server

from .builders import consent_body

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(PG_URL), reason="SQLite files; PostgreSQL: tests/proofs/test_disk_erasure.py"),
]


def database_files(database_url: str) -> list[Path]:
    """The database file and its WAL and shared-memory files (those that exist)."""
    main = Path(sa.engine.make_url(database_url).database)
    return [path for path in (main, Path(f"{main}-wal"), Path(f"{main}-shm")) if path.exists()]


def files_holding(database_url: str, values: list[str]) -> dict[str, list[str]]:
    """Which of `values` each database file contains, byte for byte."""
    found = {}
    for path in database_files(database_url):
        content = path.read_bytes()
        hits = [value for value in values if value.encode("utf-8") in content]
        if hits:
            found[path.name] = hits
    return found


class Traffic:
    """Threads posting other visitors' consents and reading the erased visitor's state, until stopped."""

    def __init__(self, url: str, visitor: str) -> None:
        self.url, self.visitor = url, visitor
        self.stop = threading.Event()
        self.statuses: list[int] = []
        self.threads = [threading.Thread(target=self._post, daemon=True), threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=self._read, daemon=True)]

    def _post(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                response = session.post(f"{self.url}/api/v1/sites/demo/consents", json=consent_body(),
                                        headers={"Origin": self.url}, timeout=30)
                self.statuses.append(response.status_code)

    def _read(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                response = session.get(f"{self.url}/api/v1/sites/demo/visitors/{self.visitor}/consent", timeout=30)
                self.statuses.append(response.status_code)

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def _salts(database_url: str, receipts: list[str]) -> list[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT l.salt FROM consent_leaves l JOIN consents c ON c.id = l.consent_id "
                "WHERE c.receipt_id IN :r AND l.salt IS NOT NULL").bindparams(sa.bindparam("r", expanding=True)),
                {"r": receipts}).scalars().all()
    finally:
        engine.dispose()


def test_no_file_of_the_database_holds_erased_values_once_the_delete_answers(app, database_url, instance):
    server = make_live_server(database_url, instance, CONSENT_SEAL_INTERVAL="0.2", CONSENT_SEAL_GRACE="0")
    site = create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    _, owner = create_key(site=site, role="owner")
    db.session.commit()
    server.start()
    try:
        visitor = secrets.token_urlsafe(16)
        page = f"/kassa-{secrets.token_hex(8)}"
        receipts = []
        for _ in range(3):
            response = requests.post(f"{server.url}/api/v1/sites/demo/consents", headers={"Origin": server.url},
                                     json=consent_body(visitor_id=visitor, page_url=f"{server.url}{page}?q=1"),
                                     timeout=30)
            assert response.status_code == 201, response.text
            receipts.append(response.json()["receipt_id"])
        assert eventually(lambda: len(_salts(database_url, receipts)) == len(receipts), 60), \
            "the background sealer did not seal within a minute"  # it gave each a salt
        salts = _salts(database_url, receipts)
        erased = [visitor, page, *salts]
        assert set().union(*files_holding(database_url, erased).values()) == set(erased)  # the check sees them

        with Traffic(server.url, visitor) as traffic:
            assert eventually(lambda: len(traffic.statuses) >= 50, 60), "no traffic"  # both workers busy
            response = requests.delete(f"{server.url}/api/v1/sites/demo/visitors/{visitor}",
                                       headers={"Authorization": f"Bearer {owner}"}, timeout=60)
            left = files_holding(database_url, erased)
        assert response.status_code == 200, response.text
        assert left == {}
        assert set(traffic.statuses) <= {200, 201, 404}
    finally:
        server.stop()
    assert files_holding(database_url, erased) == {}  # nor after the server stopped
