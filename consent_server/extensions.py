"""Unbound extension objects; `create_app` binds them."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import current_app, request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from .errors import ErrorOut
from .http import rate_storage  # noqa: F401  (registers the sqlite:// limits storage)
from .http.client_net import limit_key

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


def per_app(name: str, build: Callable[[], T]) -> T:
    """The current app's one `name` object (a committer, a reader), built by `build` on first use."""
    extensions = current_app.extensions
    found = extensions.get(name)
    if found is None:
        found = extensions.setdefault(name, build())
    return found


limiter = Limiter(key_func=lambda: limit_key(request.environ), default_limits=[])
