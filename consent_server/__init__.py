"""consent-server: a self-hosted cookie-consent banner and consent log."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, request

from . import extensions
from .config import load_config
from .domain.client_info import CountryLookup
from .errors import ApiError, register_error_handlers
from .extensions import db, limiter, migrate
from .http.client_net import ClientNetMiddleware

MIGRATIONS = str(Path(__file__).parent / "migrations")
JSON_METHODS = {"POST", "PUT", "PATCH"}


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
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    extensions.api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer",
                       "description": "API key of the site: owner, auditor or recorder (each endpoint names its roles)"}}}})
    limiter.init_app(app)
    app.extensions["consent.geoip"] = CountryLookup(app.config["CONSENT_GEOIP_DB"])


def register_request_checks(app: Flask) -> None:
    @app.before_request
    def require_json_body() -> None:
        # Bodies are JSON only; anything else is 415 before a parser sees it.
        # Only for a route that exists with this method: otherwise the routing error (404/405) wins.
        if request.routing_exception is not None:
            return
        if request.method in JSON_METHODS and request.path.startswith("/api/"):
            if request.content_length == 0 and not request.mimetype:
                return
            if request.mimetype != "application/json":
                raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")


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
