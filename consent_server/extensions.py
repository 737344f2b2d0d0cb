"""Unbound extension objects; `create_app` binds them."""
from __future__ import annotations

import functools
import math
import time
from typing import Any, Callable, Mapping, TypeVar

from flask import current_app, request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from limits import RateLimitItem, parse_many
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from .errors import ApiError, ErrorOut
from .http import rate_storage  # noqa: F401  (registers the sqlite:// limits storage)
from .http.client_net import NET_KEY

T = TypeVar("T")

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()


class ConsentApi(Api):
    """flask-smorest's Api, documenting our one error shape instead of its default one."""

    ERROR_SCHEMA = ErrorOut


api = ConsentApi()


def limit_key(environ: Mapping[str, Any]) -> str:
    """The key a request's rate limits count under: its truncated network, never the full address."""
    return environ.get(NET_KEY) or "unknown"


def per_app(name: str, build: Callable[[], T]) -> T:
    """The current app's one `name` object (a committer, a reader), built by `build` on first use."""
    extensions = current_app.extensions
    found = extensions.get(name)
    if found is None:
        found = extensions.setdefault(name, build())
    return found


@functools.lru_cache(maxsize=16)
def _parsed_rate(rate: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(rate))


def public_rate_limit(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator (outermost, so it counts requests before parsing them): `check_public_rate`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)  # keeps flask-smorest's documentation attributes
        def limited(*args: Any, **kwargs: Any) -> Any:
            check_public_rate(scope, request.environ)
            return view(*args, **kwargs)

        return limited

    return decorate


def check_public_rate(scope: str, environ: Mapping[str, Any]) -> None:
    """Count the request of `environ` against CONSENT_RATELIMIT for its client network; 429 once spent.

    For the public write endpoints. The hit goes through flask-limiter's own strategy and
    storage (by default an SQLite file shared by every worker of the host, or Redis via
    CONSENT_RATELIMIT_STORAGE, shared by every node), and
    RATELIMIT_ENABLED still turns it off; what is skipped is flask-limiter's per-request
    resolution of the decorated limit (its callable, scopes, exemptions and response
    headers), a quarter of a consent POST's CPU (bench/RESULTS.md). The limit string is
    parsed once.
    """
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    identifiers = ("consent-public", scope, limit_key(environ))
    for item in _parsed_rate(current_app.config["CONSENT_RATELIMIT"]):
        if not strategy.hit(item, *identifiers):
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise ApiError(429, "too_many_requests", "Too many requests from this network; retry later.",
                           headers={"Retry-After": str(retry_after)})


limiter = Limiter(key_func=lambda: limit_key(request.environ), default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and full sync on SQLite: readers never block the writer, and a 201 is on disk."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # synchronous=FULL: a commit is fsynced before we answer, so a 201 survives kill -9
    # and power loss (NORMAL in WAL mode survives a process kill but not power loss).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # secure_delete: a deleted or rewritten row's bytes are zeroed in its page and freed pages
    # are zeroed, so an erased value is not left in the database file (some SQLite builds,
    # Debian's among them, turn it on by default; others do not). The WAL is emptied after an
    # erasure or a purge (disk_erasure.truncate_wal).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
