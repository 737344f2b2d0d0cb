"""One prebuilt SELECT, run on a database connection that the calling thread keeps.

The public state read is the hottest query of the server and a single statement:
taking a pooled SQLAlchemy connection for it costs a checkout, an isolation-level
switch and a reset on return, and SQLAlchemy's execution path costs more than the
query itself on SQLite (bench/RESULTS.md has the figures). A `ThreadRead` instead
keeps one autocommit DBAPI connection per thread (gunicorn's gthread workers reuse
their threads), compiles its statement once for the engine's dialect, and converts
the columns with the same result processors SQLAlchemy would apply, so callers get
the values a Core `execute` gives.

The connections are made through the engine (its connect events run: the SQLite
pragmas) and then detached from its pool; `Engine.dispose()` closes them all. A
connection that the database dropped is replaced once, on the request that finds
it broken.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Callable

from sqlalchemy import Select, event
from sqlalchemy.engine import Engine


class ThreadRead:
    """`first(**params)`: the statement's first row as a dict of converted values, or None."""

    def __init__(self, engine: Engine, statement: Select) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self._engine = engine
        self._sql = compiled.string
        # SQLite's paramstyle is positional; psycopg's is named. Literal binds the compiler
        # added (a LIMIT) keep their values from the statement.
        self._defaults = compiled.construct_params(
            {name: None for name in compiled.binds if compiled.binds[name].required})
        self._positions: tuple[str, ...] | None = tuple(compiled.positiontup) if compiled.positional else None
        self._names = tuple(column.key for column in statement.selected_columns)
        self._processors: tuple[Callable[[Any], Any] | None, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[Any] = []
        self._generation = 0
        event.listen(engine, "engine_disposed", self._close_all)

    def first(self, **params: Any) -> dict[str, Any] | None:
        """Run the statement with `params` and return its first row, converted, or None."""
        values = {**self._defaults, **params}
        bound = tuple(values[name] for name in self._positions) if self._positions is not None else values
        row = self._fetch(bound, retry=True)
        if row is None:
            return None
        return {name: process(value) if process else value
                for name, process, value in zip(self._names, self._processors, row)}

    def _fetch(self, bound: Any, retry: bool) -> Any:
        connection = self._connection()
        cursor: Any = None
        try:
            cursor = connection.cursor()
            cursor.execute(self._sql, bound)
            row = cursor.fetchone()
        except self._engine.dialect.loaded_dbapi.Error as error:
            # A dropped connection (the database restarted) is replaced and the read retried
            # once; any other error is the caller's, as from `execute`.
            broken = self._engine.dialect.is_disconnect(error, connection, cursor)
            if cursor is not None:
                _close_quietly(cursor)
            self._discard(connection)
            if retry and broken:
                return self._fetch(bound, retry=False)
            raise
        cursor.close()
        return row

    def _connection(self) -> Any:
        local = self._local
        # A connection inherited through fork or closed by dispose() is never used again.
        if getattr(local, "key", None) != (os.getpid(), self._generation):
            local.connection = self._connect()
            local.key = (os.getpid(), self._generation)
        return local.connection

    def _connect(self) -> Any:
        pooled = self._engine.raw_connection()
        pooled.detach()  # ours for the thread's life: closed by dispose(), never returned to the pool
        connection = pooled.dbapi_connection
        self._engine.dialect.set_isolation_level(connection, "AUTOCOMMIT")
        with self._lock:
            self._open.append(connection)
        return connection

    def _discard(self, connection: Any) -> None:
        self._local.key = None
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)
        _close_quietly(connection)

    def _close_all(self, _engine: Engine | None = None) -> None:
        with self._lock:
            self._generation += 1
            connections, self._open = self._open, []
        for connection in connections:
            _close_quietly(connection)


def _close_quietly(closable: Any) -> None:
    try:
        closable.close()
    except Exception:  # already broken or closed: nothing left to release
        pass
