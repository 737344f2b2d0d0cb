"""The fast path under the domain and the per-database code.

Group commit, per-thread connections, the state cache and its invalidation (a file on
SQLite, LISTEN/NOTIFY on PostgreSQL), lookup caches, SQLite's connection settings, and
getting erased values off the disk.
"""
from __future__ import annotations

from flask import Flask

from ..extensions import db
from . import sqlite_pragmas, state_cache, thread_connections


def init_app(app: Flask) -> None:
    """Attach storage's event listeners to this app's engines and session; start counting forks.

    Flask-SQLAlchemy makes the app's engines in its init_app without connecting, so the
    connect listener is in place before the first connection (raw and kept ones included).
    """
    with app.app_context():
        for engine in db.engines.values():
            sqlite_pragmas.attach(engine)
            state_cache.watch(engine, db.session)
    thread_connections.count_forks()
