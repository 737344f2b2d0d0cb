"""Shared fixtures: a migrated database per run (SQLite or PostgreSQL), a fresh state per test, real servers.

Set CONSENT_TEST_DATABASE_URL to a PostgreSQL URL to run the same suite on PostgreSQL:
a private database is created for the run (so parallel runs never see each other) and
dropped afterwards; tables are truncated between tests. On SQLite the migrated database
file is copied for every test.
"""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from consent_server import create_app
from consent_server.domain.sites import create_key, create_site
from consent_server.extensions import db
from consent_server.proofs.server_keys import ensure_server_keys
from tests.builders import SITE_ORIGIN, browser_client
from tests.servers import PG_URL, LiveServer, make_live_server, test_config



def _pg_private_database(base_url: str) -> tuple[str, str]:
    url = sa.engine.make_url(base_url)
    name = f"consent_test_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _pg_drop(base_url: str, name: str) -> None:
    engine = sa.create_engine(sa.engine.make_url(base_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"CONSENT_DATABASE_URL": url, "CONSENT_INSTANCE_DIR": str(instance)})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """The URL of a SQLite file migrated once for this run, whichever database the suite runs on."""
    instance = tmp_path_factory.mktemp("sqlite-instance")
    url = f"sqlite:///{instance / 'template.db'}"
    _migrate(url, instance)
    return url


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, request) -> Iterator[str]:
    """The URL of a database migrated once for this run (a template file on SQLite)."""
    if PG_URL:
        url, name = _pg_private_database(PG_URL)
        _migrate(url, tmp_path_factory.mktemp("instance"))
        yield url
        _pg_drop(PG_URL, name)
    else:
        yield request.getfixturevalue("sqlite_template")


def _sqlite_copy(template_url: str, folder: Path) -> str:
    template = Path(sa.engine.make_url(template_url).database)
    copy = folder / "consent.db"
    shutil.copyfile(template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def blank_database_url(tmp_path) -> Iterator[str]:
    """An empty, unmigrated database of this run's kind, for migration tests (dropped afterwards on PostgreSQL)."""
    if PG_URL:
        url, name = _pg_private_database(PG_URL)
        yield url
        _pg_drop(PG_URL, name)
    else:
        yield f"sqlite:///{tmp_path / 'blank.db'}"


@pytest.fixture
def database_url(migrated_database, tmp_path) -> Iterator[str]:
    """A database in its freshly migrated state, for this test only (every app keeps its own lookups)."""
    if PG_URL:
        yield migrated_database
        _pg_truncate(migrated_database)
    else:
        yield _sqlite_copy(migrated_database, tmp_path)


@pytest.fixture
def sqlite_database_url(sqlite_template, tmp_path) -> str:
    """A fresh SQLite file for this test, also when the suite runs on PostgreSQL (to compare the two)."""
    folder = tmp_path / "sqlite"
    folder.mkdir()
    return _sqlite_copy(sqlite_template, folder)


def _pg_truncate(url: str) -> None:
    """Empty every table and restart ids (tables are tiny in tests; DELETE beats TRUNCATE there)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        tables = connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        # replica mode skips triggers (the immutability triggers refuse DELETE) and FK checks.
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            connection.execute(sa.text(f'DELETE FROM "{table}"'))
        for sequence in connection.execute(sa.text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )).scalars():
            connection.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    engine.dispose()


@pytest.fixture
def instance(tmp_path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def app(database_url, instance):
    """An app on this test's database, with an app context pushed."""
    application = create_app(test_config(database_url, instance))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, instance):
    """Build further apps on this test's database with extra settings; their engines are closed afterwards."""
    built = []

    def build(**extra):
        application = create_app(test_config(database_url, instance, **extra))
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def server_keys(app) -> None:
    """The signing key and the erasure secret exist, as after `consent-server db upgrade`."""
    ensure_server_keys()


@pytest.fixture
def client(app):
    """A browser on the shop's pages: every request carries `Origin: https://shop.example` unless it names another."""
    return browser_client(app, SITE_ORIGIN)


@pytest.fixture
def server_client(app):
    """A caller that sends no Origin: a server, a script, curl."""
    return app.test_client()


@pytest.fixture
def demo_client(make_app):
    """A client of the app in demo mode (CONSENT_DEMO: the demo shop and its assets), as `consent-server demo` serves it."""
    demo = make_app(CONSENT_DEMO=True)
    with demo.app_context():
        yield demo.test_client()


@pytest.fixture
def runner(app):
    """Invoke `consent-server` commands against this test's app: runner.invoke(cli, [...])."""
    return app.test_cli_runner()


@pytest.fixture
def site(app):
    """A site "shop" with origin https://shop.example and the default policy (version 1)."""
    created = create_site(key="shop", name="Testbutiken", origins=[SITE_ORIGIN], language="sv")
    db.session.commit()
    return created


@pytest.fixture
def other_site(app):
    created = create_site(key="other", name="Annan butik", origins=["https://other.example"], language="en")
    db.session.commit()
    return created


def _token(site, role: str) -> str:
    _, token = create_key(site=site, role=role)
    db.session.commit()
    return token


@pytest.fixture
def owner_key(site) -> str:
    return _token(site, "owner")


@pytest.fixture
def auditor_key(site) -> str:
    return _token(site, "auditor")


@pytest.fixture
def other_owner_key(other_site) -> str:
    return _token(other_site, "owner")


@pytest.fixture
def recorder_key(site) -> str:
    return _token(site, "recorder")


@pytest.fixture
def other_recorder_key(other_site) -> str:
    return _token(other_site, "recorder")


@pytest.fixture
def live_server(app, database_url, instance) -> Iterator[LiveServer]:
    """gunicorn with deploy/gunicorn.conf.py; site "demo" (origin = the server's own URL) exists."""
    server = make_live_server(database_url, instance)
    create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    db.session.commit()
    server.start()
    yield server
    server.stop()
