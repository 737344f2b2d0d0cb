"""The consent log's invariants hold in the database itself: every writer (ORM, Core, the fast path, SQL) is refused."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consent_server.domain.consents import ROW_COLUMNS, consent_committer, new_receipt_id
from consent_server.extensions import db
from consent_server.models import ACTIONS, LANGUAGES, Consent, PolicyVersion, Site
from consent_server.models.types import utcnow
from consent_server.storage.thread_connections import ProcessInsert

CONSENTS = Consent.__table__


def consent_row(site_id: int, **over) -> dict:
    """Every column the committer writes, valid for version 1 of `site_id`; override any."""
    values = {
        "site_id": site_id, "visitor_id": "v" * 20, "receipt_id": new_receipt_id(), "policy_version": 1,
        "choices": {"necessary": True}, "action": "reject_all", "language": "sv", "page_path": None,
        "ip_truncated": None, "browser_family": None, "browser_major": None, "os_family": None,
        "device_type": None, "country": None, "gpc": False, "recorded_at": utcnow(), "client_ts": None,
        "user_agent": None,
    }
    return values | over


# What each invariant refuses: a value no API client can send, and a version the site never published.
BROKEN = {
    "action": {"action": "click"},
    "action in capitals": {"action": "ACCEPT_ALL"},
    "language": {"language": "de"},
    "unknown policy version": {"policy_version": 99},
}


def _count() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(CONSENTS))


def test_a_valid_row_goes_in(app, site):
    with db.engine.begin() as connection:
        connection.execute(sa.insert(CONSENTS), consent_row(site.id))
    assert _count() == 1


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_a_core_insert_that_breaks_an_invariant_is_refused(app, site, broken):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(sa.insert(CONSENTS), consent_row(site.id, **broken))
    assert _count() == 0


def test_a_version_only_another_site_published_is_refused(app, site, other_site):
    """The key is the pair (site, version): version 2 of one site is no version of another."""
    with db.engine.begin() as connection:
        connection.execute(sa.insert(PolicyVersion.__table__), {
            "site_id": other_site.id, "version": 2, "content": {"inventory": {"sections": []}, "texts": {}},
            "content_hash": "0" * 64, "material": True, "consent_floor": 2, "created_at": utcnow()})
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(sa.insert(CONSENTS), consent_row(site.id, policy_version=2))
    with db.engine.begin() as connection:
        connection.execute(sa.insert(CONSENTS), consent_row(other_site.id, policy_version=2))
    assert _count() == 1


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_the_fast_path_insert_is_refused_too(app, site, broken):
    """The committer's kept DBAPI connection enforces the same constraints (SQLite: foreign keys on)."""
    insert = ProcessInsert(db.engine, CONSENTS, ROW_COLUMNS)
    with pytest.raises(IntegrityError):
        insert.insert_many([consent_row(site.id), consent_row(site.id, **broken)])
    assert _count() == 0  # all rows or none
    insert.insert_many([consent_row(site.id)])
    assert _count() == 1


def test_the_group_committer_reraises_the_refusal(app, site):
    committer = consent_committer(db.engine)
    with pytest.raises(IntegrityError):
        committer.commit(consent_row(site.id, policy_version=99))
    committer.commit(consent_row(site.id))
    assert _count() == 1


def test_a_site_language_outside_the_languages_is_refused(app):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(sa.insert(Site.__table__), {"key": "shop", "name": "Butik", "default_language": "de",
                                                           "created_at": utcnow()})


def test_a_version_with_consents_is_never_deleted_with_them(app, site):
    """Policy versions are never deleted (a trigger refuses it); without that trigger, the key still refuses.

    ON DELETE RESTRICT: a consent never disappears because its version went.
    """
    with db.engine.begin() as connection:
        connection.execute(sa.insert(CONSENTS), consent_row(site.id))
    trigger = {"postgresql": "DROP TRIGGER policy_versions_no_change ON policy_versions",
               "sqlite": "DROP TRIGGER policy_versions_no_delete"}[db.engine.dialect.name]
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # else Python's sqlite3 runs the DDL outside the transaction
        connection.exec_driver_sql(trigger)  # undone by the rollback below
        with pytest.raises(IntegrityError):
            connection.execute(sa.text("DELETE FROM policy_versions WHERE site_id = :s"), {"s": site.id})
        connection.rollback()
    with db.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(PolicyVersion.__table__)) == 1
        with pytest.raises(sa.exc.DBAPIError, match="immutable"):  # the trigger is back
            connection.execute(sa.text("DELETE FROM policy_versions"))
    assert _count() == 1


def _listed(sql: str) -> set[str]:
    """The quoted values of a reflected CHECK's SQL, on either database
    ("action IN ('a', 'b')" on SQLite, "... ARRAY['a'::character varying, ...]" on PostgreSQL)."""
    return set(re.findall(r"'([^']*)'", sql))


def test_the_migrated_checks_allow_exactly_the_python_definitions(app):
    """The migrations spell the values out (frozen history); they must equal ACTIONS and LANGUAGES."""
    inspector = sa.inspect(db.engine)
    checks = {(table, check["name"]): _listed(check["sqltext"])
              for table in ("consents", "sites") for check in inspector.get_check_constraints(table)}
    assert checks == {
        ("consents", "ck_consents_action"): set(ACTIONS),
        ("consents", "ck_consents_language"): set(LANGUAGES),
        ("sites", "ck_sites_language"): set(LANGUAGES),
    }


def test_the_migrated_foreign_key_is_the_models_one(app):
    keys = {key["name"]: key for key in sa.inspect(db.engine).get_foreign_keys("consents")}
    version = keys["fk_consents_site_id_policy_versions"]
    assert (version["constrained_columns"], version["referred_table"], version["referred_columns"]) == (
        ["site_id", "policy_version"], "policy_versions", ["site_id", "version"])
    assert version["options"].get("ondelete") == "RESTRICT"  # a consent never goes with its version
    model = next(key for key in CONSENTS.foreign_key_constraints if key.referred_table.name == "policy_versions")
    assert model.name == "fk_consents_site_id_policy_versions" and model.ondelete == "RESTRICT"


def test_the_migrated_schema_is_the_models_schema(app):
    """Columns, keys and indexes of a database migrated to head are the models' (Alembic's comparison;
    it does not read CHECK constraints: the test above does)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
