"""The two hottest statements, prebuilt and run on DBAPI connections kept for them.

The public state read and the consent committer's insert are single statements run
thousands of times a second. Taking a pooled SQLAlchemy connection for each costs a
checkout, an isolation-level switch and a reset on return, and SQLAlchemy's
execution path costs more than the statement itself on SQLite (bench/RESULTS.md has
the figures). Here each reading thread keeps one DBAPI connection (gunicorn's gthread
workers reuse their threads) and the insert one per process (one writer at a time
uses it, see group_commit.py); the read is compiled once for the engine's dialect, the
insert's text is written once per batch size from the table's columns, and values pass
through the same bind and result processors SQLAlchemy would apply, so callers see what a
Core `execute` gives: converted values, and SQLAlchemy's exception classes.

Connections are made through the engine (its connect events run: the SQLite pragmas)
and then detached from its pool; `Engine.dispose()` closes them all. A read that
finds its connection dropped (the database restarted) reconnects and runs once more;
a failed write is not retried (a COMMIT cut short may or may not have happened), its
connection is replaced on the next call. On SQLite the writers of every process take
turns on a file lock (`writer_lock`) instead of polling SQLite's own.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import types
from typing import Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import Select, Table, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError

# Forks this process has gone through: a connection made before a fork belongs to the parent.
# Counted by a fork hook, so the hot path compares an integer instead of calling getpid().
# A fork hook is process-wide and cannot be removed: it is registered once, on first need
# (storage.init_app, or the first kept connections), never at import, and it touches only
# this process's own counter and the callbacks given to count_forks.
_forks = 0
_in_child: list[Callable[[], None]] = []
_hook_lock = threading.Lock()
_hooked = False


def _after_fork_in_child() -> None:
    global _forks
    _forks += 1
    for callback in _in_child:
        callback()


def count_forks(in_child: Callable[[], None] | None = None) -> None:
    """Count this process's forks from now on (one hook per process); call `in_child` in each child (once each)."""
    global _hooked
    with _hook_lock:
        if in_child is not None and in_child not in _in_child:
            _in_child.append(in_child)
        if not _hooked:
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _hooked = True


def fork_count() -> int:
    """How many forks this process descends through: a changed count means a new process."""
    return _forks


class _KeptConnections:
    """One DBAPI connection per thread and process (or per process), closed when the engine is disposed."""

    def __init__(self, engine: Engine, autocommit: bool, per_thread: bool = True) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._autocommit = autocommit
        self._local: Any = threading.local() if per_thread else types.SimpleNamespace()
        self._lock = threading.Lock()
        self.open: list[Any] = []
        self._generation = 0
        count_forks()  # a connection is never used across a fork, even where no app asked
        event.listen(engine, "engine_disposed", self._close_all)

    def get(self) -> Any:
        """The calling thread's (or process's) connection, made on first use."""
        local = self._local
        # A connection inherited through fork or closed by dispose() is never used again.
        key = (_forks, self._generation)
        if getattr(local, "key", None) != key:
            local.connection = self._connect()
            local.key = key
        return local.connection

    def discard(self, connection: Any) -> None:
        """Close a connection that failed; the next call gets a new one."""
        self._local.key = None
        with self._lock:
            if connection in self.open:
                self.open.remove(connection)
        _close_quietly(connection)

    def _connect(self) -> Any:
        pooled = self.engine.raw_connection()
        pooled.detach()  # ours for the thread's life: closed by dispose(), never returned to the pool
        connection = pooled.dbapi_connection
        if self._autocommit:
            self.dialect.set_isolation_level(connection, "AUTOCOMMIT")
        with self._lock:
            self.open.append(connection)
        return connection

    def _close_all(self, _engine: Engine | None = None) -> None:
        with self._lock:
            self._generation += 1
            connections, self.open = self.open, []
        for connection in connections:
            _close_quietly(connection)

    def translated(self, error: Exception, sql: str, params: Any) -> DBAPIError:
        """The SQLAlchemy exception `execute` would have raised for this DBAPI error."""
        return DBAPIError.instance(sql, params, error, self.dialect.loaded_dbapi.Error,
                                   hide_parameters=self.engine.hide_parameters)


class ThreadRead:
    """`first(**params)`: the SELECT's first row as a dict of converted values, or None.

    Parameters are passed to the driver as given: use it for ints and strings.
    """

    def __init__(self, engine: Engine, statement: Select) -> None:
        dialect = engine.dialect
        # Parameters by name, so a dict binds them: psycopg's paramstyle is named already;
        # sqlite3 takes named (:name) placeholders as well as its default qmark ones.
        compiled = statement.compile(dialect=_named(dialect))
        self.connections = _KeptConnections(engine, autocommit=True)
        self._sql = compiled.string
        # Binds the compiler added (a LIMIT) keep their values from the statement.
        self._defaults = compiled.construct_params(
            {name: None for name, bind in compiled.binds.items() if bind.required})
        self._names = tuple(column.key for column in statement.selected_columns)
        self._processors: tuple[Callable[[Any], Any] | None, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns)

    def first(self, **params: Any) -> dict[str, Any] | None:
        """Run the statement with `params` and return its first row, converted, or None."""
        row = self._fetch({**self._defaults, **params}, retry=True)
        if row is None:
            return None
        return {name: process(value) if process else value
                for name, process, value in zip(self._names, self._processors, row)}

    def _fetch(self, bound: Any, retry: bool) -> Any:
        connection = self.connections.get()
        cursor: Any = None
        try:
            cursor = connection.cursor()
            cursor.execute(self._sql, bound)
            row = cursor.fetchone()
        except self.connections.dialect.loaded_dbapi.Error as error:
            broken = self.connections.dialect.is_disconnect(error, connection, cursor)
            if cursor is not None:
                _close_quietly(cursor)
            self.connections.discard(connection)
            if retry and broken:
                return self._fetch(bound, retry=False)
            raise self.connections.translated(error, self._sql, bound) from error
        cursor.close()
        return row


class ProcessInsert:
    """`insert_many(rows)`: insert rows of `table` with one statement, committed before it returns.

    Every row gives exactly `columns`; values are converted by the columns' types as
    SQLAlchemy converts them (JSON, UTC times, booleans), before the writer lock is taken.
    The rows go in one multi-row INSERT run in autocommit: one statement is one transaction,
    all rows or none, and the driver makes one call for it instead of BEGIN, a call per row
    and COMMIT (on PostgreSQL three round trips become one; on SQLite the GIL is released and
    taken back once instead of once per row, while the writer lock is held). The process
    keeps one connection for it, whichever thread calls: calls take turns (the group
    committer makes one at a time, so the turn is never contended there).

    The statement's text is written here from the table's public description (its name, the
    columns' names and types), not taken apart from SQLAlchemy's compiled form: only the
    placeholders differ per database, and they are the drivers' documented ones.
    """

    def __init__(self, engine: Engine, table: Table, columns: Sequence[str]) -> None:
        dialect = engine.dialect
        given = set(columns)
        defaulted = [column.key for column in table.c if column.key not in given and column.default is not None]
        if defaulted:
            # Python-side defaults are applied by SQLAlchemy's execution path, not by the database.
            raise ValueError(f"ProcessInsert needs every defaulted column given; missing: {defaulted}")
        if dialect.paramstyle == "qmark":  # sqlite3
            self._numbered = False
            self._cursor = None
        elif dialect.driver == "psycopg":
            # psycopg: numbered PostgreSQL placeholders ($1, $2 ...) through its RawCursor. Its
            # usual %s placeholders are parsed on every execute once a statement has more than
            # 50 parameters (psycopg caches only smaller ones): a twelfth of a POST's CPU.
            self._numbered = True
            self._cursor = dialect.loaded_dbapi.RawCursor
        else:
            raise ValueError(f"ProcessInsert knows sqlite3 and psycopg, not {dialect.driver}")
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(table.c[name].name) for name in columns)
        self._head = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) VALUES "
        # (column, its bind processor or None) in placeholder order.
        self._ordered: tuple[tuple[str, Callable[[Any], Any] | None], ...] = tuple(
            (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns)
        self._statements: dict[int, str] = {}
        self.connections = _KeptConnections(engine, autocommit=True, per_thread=False)
        self._turn = threading.Lock()
        self._lock_path = writer_lock_path(engine)

    def statement(self, count: int) -> str:
        """The INSERT of `count` rows (built once per count)."""
        sql = self._statements.get(count)
        if sql is None:
            width = len(self._ordered)
            if self._numbered:
                groups = ("(" + ", ".join(f"${row * width + n}" for n in range(1, width + 1)) + ")"
                          for row in range(count))
            else:
                groups = ("(" + ", ".join("?" * width) + ")" for _ in range(count))
            sql = self._statements.setdefault(count, self._head + ", ".join(groups))
        return sql

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert and commit `rows`; raises SQLAlchemy's exception (nothing committed) on failure."""
        ordered = self._ordered
        params = [process(row[name]) if process else row[name] for row in rows for name, process in ordered]
        sql = self.statement(len(rows))
        with self._turn:
            self._insert(sql, params)

    def _insert(self, sql: str, params: list[Any]) -> None:
        connection = self.connections.get()
        cursor: Any = None
        try:
            with writer_lock(self._lock_path):
                cursor = connection.cursor() if self._cursor is None else self._cursor(connection)
                cursor.execute(sql, params)  # autocommit: committed (and on SQLite fsynced) on return
                cursor.close()
        except self.connections.dialect.loaded_dbapi.Error as error:
            if cursor is not None:
                _close_quietly(cursor)
            if self.connections.dialect.is_disconnect(error, connection, cursor):
                self.connections.discard(connection)  # broken: the next batch gets a new one
            raise self.connections.translated(error, sql, params) from error


def beside_sqlite_file(engine: Engine, suffix: str) -> str | None:
    """`<database file><suffix>` for an SQLite database file; None for PostgreSQL, memory and URI databases.

    For the small files every process on the host shares next to the database.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}{suffix}"


def writer_lock_path(engine: Engine) -> str | None:
    """The lock file every process's ProcessInsert on this SQLite file shares; None elsewhere.

    SQLite has one writer at a time, and a writer that finds the database locked polls
    for it, sleeping 1, 2, 5, 10... ms between tries: the consent committers of two workers
    then wait out each other's sleeps instead of each other's commits. A blocking flock hands
    the turn over the moment the other commit ends. PostgreSQL commits concurrently.
    """
    return beside_sqlite_file(engine, "-commit-lock")


@contextlib.contextmanager
def writer_lock(path: str | None) -> Iterator[None]:
    """Hold an exclusive flock on `path` (no-op for None); opened per use, so it is safe across fork."""
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # blocks in the kernel, without the GIL
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock


def _named(dialect: Dialect) -> Dialect:
    """`dialect`, or one of its kind with named placeholders where its paramstyle is positional (SQLite's qmark)."""
    if not dialect.positional:
        return dialect
    if dialect.paramstyle != "qmark":
        raise ValueError(f"ThreadRead knows named and qmark placeholders, not {dialect.paramstyle}")
    return type(dialect)(paramstyle="named")  # sqlite3 binds :name from a dict


def _close_quietly(closable: Any) -> None:
    try:
        closable.close()
    except Exception:  # already broken or closed: nothing left to release
        pass
