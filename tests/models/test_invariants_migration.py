"""Migration 0010_consent_invariants on a database holding what the schema of 0009 allowed."""
from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from consent_server import create_app
from consent_server.extensions import db
from consent_server.models import Consent, PolicyVersion, Site
from consent_server.models.seals import ConsentLeaf, Erasure, SealBatch
from tests.servers import PG_URL

BEFORE = "0009_recorder_role"
AFTER = "0010_consent_invariants"
CONSTRAINTS = {"ck_consents_action", "ck_consents_language", "fk_consents_site_id_policy_versions"}
NOON = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)
TABLES = (Site.__table__, PolicyVersion.__table__, Consent.__table__, SealBatch.__table__, ConsentLeaf.__table__,
          Erasure.__table__)


@contextlib.contextmanager
def database_at(url: str, instance: Path, revision: str) -> Iterator[Flask]:
    """An app (context pushed) on `url`, its schema migrated to `revision`."""
    app = create_app({"CONSENT_DATABASE_URL": url, "CONSENT_INSTANCE_DIR": str(instance)})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision=revision)
        try:
            yield app
        finally:
            db.engine.dispose()


def migrate(app: Flask, revision: str, down: bool = False) -> None:
    (downgrade if down else upgrade)(directory=app.extensions["migrate"].directory, revision=revision)


def consent(n: int, site_id: int = 1, **over) -> dict:
    """A consent row as the 0009 schema took it, distinct per `n`."""
    values = {
        "site_id": site_id, "visitor_id": f"visitor-{n}", "receipt_id": f"receipt-{n:04d}", "policy_version": 1,
        "choices": {"necessary": True, "analytics": n % 2 == 0}, "action": "custom", "language": "sv",
        "page_path": "/kassa", "ip_truncated": "192.0.2.0/24", "browser_family": "Firefox", "browser_major": "133",
        "os_family": "Linux", "device_type": "desktop", "country": "SE", "gpc": False,
        "recorded_at": NOON + timedelta(seconds=n), "client_ts": None, "user_agent": None,
    }
    return values | over


def policy(site_id: int, version: int) -> dict:
    return {"site_id": site_id, "version": version, "content": {"inventory": {"sections": []}, "texts": {}},
            "content_hash": f"{site_id:032x}{version:032x}", "material": True, "consent_floor": version,
            "created_at": NOON}


def seed_todays_data() -> None:
    """Two sites, their versions, decisions of every action and language, one sealed batch, one erasure."""
    actions = ("accept_all", "reject_all", "custom", "withdraw", "gpc", "placeholder")
    with db.engine.begin() as connection:
        connection.execute(sa.insert(Site.__table__), [
            {"id": 1, "key": "shop", "name": "Butik", "default_language": "sv", "created_at": NOON},
            {"id": 2, "key": "other", "name": "Other", "default_language": "en", "created_at": NOON}])
        connection.execute(sa.insert(PolicyVersion.__table__), [policy(1, 1), policy(1, 2), policy(2, 1)])
        connection.execute(sa.insert(Consent.__table__), [
            consent(n, action=actions[n % len(actions)], language=("sv", "en")[n % 2], policy_version=1 + n // 6)
            for n in range(1, 11)] + [
            consent(11, site_id=2),
            # erased: pseudonymous visitor, personal fields gone
            consent(12, visitor_id="e" * 64, page_path=None, ip_truncated=None, country=None, browser_family=None)])
        connection.execute(sa.insert(SealBatch.__table__), {
            "id": 1, "site_id": 1, "batch": 1, "first_index": 0, "size": 3, "head": "{}", "signature": "s",
            "first_recorded_at": NOON, "last_recorded_at": NOON, "sealed_at": NOON})
        connection.execute(sa.insert(ConsentLeaf.__table__), [
            {"consent_id": n, "site_id": 1, "batch_id": 1, "leaf_index": n - 1, "leaf_hash": f"{n:064x}",
             "salt": None if n == 3 else f"{n:032x}", "personal_digest": f"{n:064x}"} for n in (1, 2, 3)])
        connection.execute(sa.insert(Erasure.__table__), {
            "site_id": 1, "visitor_hmac": "e" * 64, "records": 1, "erased_at": NOON, "batch_id": 1, "leaf_index": 3,
            "leaf_hash": "f" * 64})


def snapshot() -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))]
                for table in TABLES}


def constraints() -> set[str]:
    """The names of the new constraints the database holds (validated ones, on PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            return set(connection.execute(sa.text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'consents'::regclass AND convalidated"
            )).scalars()) & CONSTRAINTS
    inspector = sa.inspect(db.engine)
    names = {check["name"] for check in inspector.get_check_constraints("consents")}
    names |= {key["name"] for key in inspector.get_foreign_keys("consents")}
    return names & CONSTRAINTS


def schema_objects() -> set[tuple[str, str]]:
    """Indexes and triggers of the tables the migration touches (and those that refer to consents)."""
    if db.engine.dialect.name == "postgresql":
        sql = ("SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal UNION ALL "
               "SELECT 'index', indexname FROM pg_indexes WHERE schemaname = 'public'")
    else:
        sql = "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger', 'table')"
    with db.engine.connect() as connection:
        return {tuple(row) for row in connection.execute(sa.text(sql))}


def pooled_foreign_keys() -> set[int]:
    """SQLite's foreign_keys setting on every connection the pool holds (all checked out at once)."""
    with contextlib.ExitStack() as stack:
        connections = [stack.enter_context(db.engine.connect()) for _ in range(max(1, db.engine.pool.checkedin()))]
        return {connection.exec_driver_sql("PRAGMA foreign_keys").scalar() for connection in connections}


def insert_consent(**over) -> int:
    with db.engine.begin() as connection:
        return connection.execute(sa.insert(Consent.__table__).returning(Consent.id), consent(99, **over)).scalar()


def test_the_upgrade_keeps_every_record_and_then_refuses_broken_ones(blank_database_url, tmp_path):
    with database_at(blank_database_url, tmp_path, BEFORE) as app:
        seed_todays_data()
        before, objects = snapshot(), schema_objects()
        assert constraints() == set()
        migrate(app, AFTER)

        assert snapshot() == before
        assert schema_objects() == objects  # indexes rebuilt, triggers kept (policy versions, PostgreSQL's notices)
        assert constraints() == CONSTRAINTS
        for broken in ({"action": "click"}, {"language": "de"}, {"policy_version": 3},
                       {"site_id": 2, "policy_version": 2}):
            with pytest.raises(IntegrityError):
                insert_consent(**broken)
        with pytest.raises(sa.exc.DBAPIError, match="immutable"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE policy_versions SET material = false"))
        assert insert_consent(policy_version=2) > before["consents"][-1][0]  # the ids go on after the kept ones

        if db.engine.dialect.name == "sqlite":
            assert pooled_foreign_keys() == {1}  # the migration's connection went back to the pool as it came

        migrate(app, BEFORE, down=True)
        assert constraints() == set()
        insert_consent(action="click", receipt_id="after-downgrade")
        assert snapshot()["consents"][:12] == before["consents"]


def test_the_upgrade_stops_on_broken_records_naming_them_and_changes_nothing(blank_database_url, tmp_path, caplog):
    """A consent log is evidence: the migration repairs nothing, it names what an operator must decide."""
    with database_at(blank_database_url, tmp_path, BEFORE) as app:
        seed_todays_data()
        insert_consent(action="click", receipt_id="bad-action")
        insert_consent(language="de", receipt_id="bad-language")
        insert_consent(policy_version=7, receipt_id="bad-version")
        insert_consent(site_id=2, policy_version=2, action="CUSTOM", receipt_id="bad-twice")
        before, objects = snapshot(), schema_objects()

        with caplog.at_level(logging.ERROR), pytest.raises(SystemExit) as stopped:
            migrate(app, AFTER)
        assert stopped.value.code == 1
        assert "0010_consent_invariants: consent records break the new constraints; nothing was changed" in caplog.text
        for line in (
            "consent id 13 (receipt bad-action): action 'click' is none of accept_all, reject_all, custom, withdraw, "
            "gpc, placeholder",
            "consent id 14 (receipt bad-language): language 'de' is none of sv, en",
            "consent id 15 (receipt bad-version): site 1 has no policy version 7",
            "consent id 16 (receipt bad-twice): action 'CUSTOM' is none of",
            "; site 2 has no policy version 2",
        ):
            assert line in caplog.text
        assert "receipt-0001" not in caplog.text  # only the broken ones

        with db.engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == BEFORE
        assert snapshot() == before and schema_objects() == objects and constraints() == set()

        with db.engine.begin() as connection:  # the operator decides: here, the broken rows go
            connection.execute(sa.text("DELETE FROM consents WHERE receipt_id LIKE 'bad-%'"))
        migrate(app, AFTER)
        assert constraints() == CONSTRAINTS


def test_a_sqlite_upgrade_checks_every_reference_before_it_commits(tmp_path, caplog):
    """Foreign keys are off while SQLite migrations rebuild tables: a dangling reference stops the run, undone."""
    url = f"sqlite:///{tmp_path / 'consent.db'}"
    with database_at(url, tmp_path, BEFORE) as app:
        seed_todays_data()
        with db.engine.connect() as connection:  # as a writer without foreign keys could have left it
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(sa.text("UPDATE consent_leaves SET consent_id = 404 WHERE consent_id = 2"))
            connection.commit()
            connection.invalidate()
        before, objects = snapshot(), schema_objects()

        with caplog.at_level(logging.ERROR), pytest.raises(SystemExit):
            migrate(app, AFTER)
        assert "rows that refer to missing rows; nothing was changed" in caplog.text
        assert "consent_leaves row 404: no row in consents" in caplog.text
        with db.engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == BEFORE
        assert pooled_foreign_keys() == {1}
        assert snapshot() == before and schema_objects() == objects and constraints() == set()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL adds the constraints NOT VALID, then validates them")
def test_a_postgresql_upgrade_stopped_after_adding_the_constraints_runs_again(blank_database_url, tmp_path):
    """The ALTER is committed before the VALIDATEs: a run stopped between them left NOT VALID constraints."""
    with database_at(blank_database_url, tmp_path, BEFORE) as app:
        seed_todays_data()
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "ALTER TABLE consents ADD CONSTRAINT ck_consents_action CHECK (action IN ('custom')) NOT VALID, "
                "ADD CONSTRAINT fk_consents_site_id_policy_versions FOREIGN KEY (site_id, policy_version) "
                "REFERENCES policy_versions (site_id, version) NOT VALID"))
        migrate(app, AFTER)
        assert constraints() == CONSTRAINTS
        insert_consent(action="accept_all")  # the action check is the migration's, not the one left behind
