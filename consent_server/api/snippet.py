"""The banner snippet, GET /c/{site}.js, and its configuration as JSON, GET /api/v1/sites/{site}/config."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..policies import current_policy
from ..sites import get_site
from ..snippet import build_config, etag_for, render_snippet, script_json
from .docs import error_responses

blp = Blueprint("snippet", __name__, url_prefix="/", description="The banner snippet and its configuration.")

JS_MIMETYPE = "text/javascript"


def site_config(key: str) -> dict[str, Any]:
    """The served configuration of a site's current policy version."""
    site = get_site(key)
    policy = current_policy(site)
    config = current_app.config
    return build_config(
        site_key=site.key,
        default_language=site.default_language,
        policy_version=policy.version,
        policy_hash=policy.content_hash,
        consent_floor=policy.consent_floor,
        content=policy.content,
        base_url=config.get("CONSENT_PUBLIC_URL") or request.host_url,
        max_age_days=config["CONSENT_MAX_AGE_DAYS"],
    )


def cache_control() -> str:
    """Short freshness, then revalidation by ETag (a 304 costs a few bytes); 0 means always revalidate."""
    seconds = int(current_app.config.get("CONSENT_SNIPPET_MAX_AGE", 300))
    if seconds <= 0:
        return "public, no-cache"
    return f"public, max-age={seconds}, stale-while-revalidate=86400"


def conditional(body: bytes, mimetype: str) -> Response:
    """A cacheable response with a strong ETag; 304 when the client already has this body."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag_for(body))
    response.headers["Cache-Control"] = cache_control()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


class ConfigOut(Schema):
    """Documentation only: the shape is fixed in docs/CONTRACTS.md ("Served configuration")."""

    site = fields.String(required=True)
    policy_version = fields.Integer(required=True)
    policy_hash = fields.String(required=True)
    consent_floor = fields.Integer(required=True, metadata={"description": "oldest version whose decisions hold"})
    default_language = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)
    max_age_days = fields.Integer(required=True)
    endpoints = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    purposes = fields.List(fields.Dict(), required=True)
    texts = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


@blp.route("/c/<site>.js")
class Snippet(MethodView):
    @blp.response(200, content_type=JS_MIMETYPE, description="consent.js with the site's configuration inlined")
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @error_responses(blp, 404)
    def get(self, site: str):
        """The banner script for one site: paste it as the first script in <head>."""
        return conditional(render_snippet(site_config(site)), JS_MIMETYPE)


@blp.route("/api/v1/sites/<site>/config")
class SiteConfig(MethodView):
    @blp.response(200, ConfigOut, description="The configuration the snippet inlines")
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @error_responses(blp, 404)
    def get(self, site: str):
        """The site's banner configuration as JSON, for single-page apps and plugins."""
        return conditional(script_json(site_config(site)).encode("utf-8"), "application/json")
