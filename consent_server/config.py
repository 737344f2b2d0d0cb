"""Settings: defaults in code, overrides from CONSENT_* environment variables, a mapping from tests."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping


def _flag(raw: str) -> bool:
    """An on/off setting: 1, true, yes or on (any case) is on."""
    return raw.strip().lower() in {"1", "true", "yes", "on"}


# Every setting the server reads, with its default and how to parse the
# environment variable CONSENT_<NAME>. The README documents each of them.
SETTINGS: dict[str, tuple[Any, Callable[[str], Any]]] = {
    "DATABASE_URL": (None, str),
    "INSTANCE_DIR": (None, str),
    "PUBLIC_URL": (None, str),
    "TRUSTED_PROXIES": (0, int),
    "IPV4_PREFIX": (24, int),
    "IPV6_PREFIX": (48, int),
    "GEOIP_DB": (None, str),
    "STORE_USER_AGENT": (False, _flag),
    "RATELIMIT": ("120 per minute", str),
    "RATELIMIT_STORAGE": (None, str),
    "DEMO": (False, _flag),
    "MAX_AGE_DAYS": (365, int),
    "SNIPPET_MAX_AGE": (300, int),
    "MAX_BODY_BYTES": (16 * 1024, int),
    "RETENTION_DAYS": (3650, int),
    "SIGNING_KEY": (None, str),
    "ERASURE_KEY": (None, str),
    "SEAL_INTERVAL": (10.0, float),
    "SEAL_GRACE": (5.0, float),
    "SEAL_BATCH": (4096, int),
    "LOG_LEVEL": ("INFO", str),
    "STATE_CACHE": (True, _flag),
    "REFUSAL_FLUSH": (5.0, float),
}


def _parse_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (default, parse) in SETTINGS.items():
        raw = environ.get(f"CONSENT_{name}")
        values[f"CONSENT_{name}"] = default if raw in (None, "") else parse(raw)
    return values


def sqlite_url(instance_dir: Path, name: str = "consent.db") -> str:
    """An SQLite file under the instance folder: the embedded default database, or the rate-limit counters."""
    return f"sqlite:///{instance_dir / name}"


def load_config(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from defaults, the environment and explicit overrides."""
    values = _parse_env(os.environ if environ is None else environ)
    values.update(overrides or {})
    instance = Path(values["CONSENT_INSTANCE_DIR"] or Path.cwd() / "instance").resolve()
    values["CONSENT_INSTANCE_DIR"] = str(instance)
    url = values["CONSENT_DATABASE_URL"] or sqlite_url(instance)
    values["CONSENT_DATABASE_URL"] = url
    values.setdefault("SQLALCHEMY_DATABASE_URI", url)
    values.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url))
    values.setdefault("MAX_CONTENT_LENGTH", values["CONSENT_MAX_BODY_BYTES"])
    # By default the rate-limit counters live in one SQLite file that every worker on this host
    # shares (consent_server/http/rate_storage.py); Redis shares them across hosts.
    values["CONSENT_RATELIMIT_STORAGE"] = values["CONSENT_RATELIMIT_STORAGE"] or sqlite_url(instance, "ratelimit.db")
    values.setdefault("RATELIMIT_STORAGE_URI", values["CONSENT_RATELIMIT_STORAGE"])
    values.setdefault("JSON_SORT_KEYS", False)
    values.update(
        API_TITLE="consent-server API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
    )
    return values


def engine_options(url: str) -> dict[str, Any]:
    """Engine options per backend: SQLite gets WAL pragmas (see extensions), PostgreSQL a pool."""
    # hide_parameters: a database error's message (logged with its traceback) names the
    # statement but not the values, which are visitor ids, page paths and networks.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}, "hide_parameters": True}
    # No pool_pre_ping: it costs a round trip per request, more than the query itself (see
    # bench/RESULTS.md). Connections are recycled instead; after a database restart a stale
    # connection fails one request (500/503) and is replaced.
    return {"pool_size": 10, "max_overflow": 10, "pool_recycle": 1800, "hide_parameters": True}
