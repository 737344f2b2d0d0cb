"""consent-server: a self-hosted cookie-consent banner and consent log.

The package's rooms (README, "Layout"): domain/ records consents, sites, policies and
refusal counts; storage/ is the fast path and per-database code under it; proofs/ seals,
signs, erases and exports proofs with the pure ledger/; inventory/ and exports/ own the
cookie inventory and the log's exports; http/ is the WSGI edge; api/, web/ and cli/ are
the three ways in (JSON API, HTML pages, the `consent-server` command).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from . import extensions, storage
from .config import load_config
from .domain.client_info import CountryLookup
from .errors import register_error_handlers
from .extensions import db, limiter, migrate
from .http.client_net import ClientNetMiddleware

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, error handlers, blueprints, CLI."""
    app = Flask(__name__, instance_path=None)
    app.config.update(load_config(config))
    Path(app.config["CONSENT_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    logging.getLogger("consent_server").setLevel(app.config["CONSENT_LOG_LEVEL"])

    register_extensions(app)
    register_request_checks(app)
    register_error_handlers(app)
    register_blueprints(app)
    register_client_net(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    storage.init_app(app)  # SQLite's settings, cache stamps on commit, fork counting: for this app's engines
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    extensions.api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer",
                       "description": "API key of the site: owner, auditor or recorder (each endpoint names its roles)"}}}})
    limiter.init_app(app)
    app.extensions["consent.geoip"] = CountryLookup(app.config["CONSENT_GEOIP_DB"])


def register_request_checks(app: Flask) -> None:
    from .api import json_body

    json_body.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .api import register_blueprints as register_api
    from .web import register_pages

    register_api(extensions.api)
    register_pages(app)


def register_client_net(app: Flask) -> None:
    from .http.consent_lane import ConsentPostLane

    # Outermost: every later layer (the consent lane, Flask, logs, error handlers) sees only
    # the truncated network.
    app.wsgi_app = ClientNetMiddleware(  # type: ignore[method-assign]
        ConsentPostLane(app, app.wsgi_app),
        trusted_proxies=app.config["CONSENT_TRUSTED_PROXIES"],
        v4_prefix=app.config["CONSENT_IPV4_PREFIX"],
        v6_prefix=app.config["CONSENT_IPV6_PREFIX"],
    )
