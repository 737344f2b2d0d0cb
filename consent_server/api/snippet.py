"""The banner snippet, GET /c/{site}.js, and its configuration as JSON, GET /api/v1/sites/{site}/config."""
from __future__ import annotations

import gzip
from dataclasses import dataclass

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..policies import current_version_facts, get_policy
from ..sites import site_info
from ..snippet import build_config, etag_for, render_snippet, script_json
from .docs import error_responses

blp = Blueprint("snippet", __name__, url_prefix="/", description="The banner snippet and its configuration.")

JS_MIMETYPE = "text/javascript"
CACHE_ENTRIES = 512


@dataclass(frozen=True)
class Body:
    """One served body, its gzip form and their validators."""

    plain: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, data: bytes) -> "Body":
        return cls(data, gzip.compress(data, compresslevel=6, mtime=0), etag_for(data))


@dataclass(frozen=True)
class Rendered:
    script: Body
    config: Body


# Published versions never change, so a rendering keyed by (site, version, content hash, ...) stays right;
# the hot path is then one indexed query for the latest version number.
_CACHE: dict[tuple, Rendered] = {}


def rendered(key: str) -> Rendered:
    """The snippet and the configuration JSON of a site's current policy version (cached per version)."""
    info = site_info(key)
    version, floor, content_hash = current_version_facts(info.id)
    config = current_app.config
    base_url = (config.get("CONSENT_PUBLIC_URL") or request.host_url).rstrip("/")
    max_age_days = config["CONSENT_MAX_AGE_DAYS"]
    cache_key = (info.key, version, floor, content_hash, info.default_language, base_url, max_age_days)
    hit = _CACHE.get(cache_key)
    if hit is not None:
        return hit
    policy = get_policy(info.id, version)
    served = build_config(
        site_key=info.key, default_language=info.default_language, policy_version=version,
        policy_hash=content_hash, consent_floor=floor, content=policy.content,
        base_url=base_url, max_age_days=max_age_days,
    )
    result = Rendered(Body.of(render_snippet(served)), Body.of(script_json(served).encode("utf-8")))
    if len(_CACHE) >= CACHE_ENTRIES:
        _CACHE.clear()
    _CACHE[cache_key] = result
    return result


def cache_control() -> str:
    """Short freshness, then revalidation by ETag (a 304 costs a few bytes); 0 means always revalidate."""
    seconds = int(current_app.config.get("CONSENT_SNIPPET_MAX_AGE", 300))
    if seconds <= 0:
        return "public, no-cache"
    return f"public, max-age={seconds}, stale-while-revalidate=86400"


def conditional(body: Body, mimetype: str) -> Response:
    """A cacheable response with a strong ETag (one per encoding), gzip when accepted, 304 when unchanged."""
    if "gzip" in request.accept_encodings:
        response = Response(body.gzipped, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(body.etag + "-gz")
    else:
        response = Response(body.plain, mimetype=mimetype)
        response.set_etag(body.etag)
    response.vary.add("Accept-Encoding")
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
        return conditional(rendered(site).script, JS_MIMETYPE)


@blp.route("/api/v1/sites/<site>/config")
class SiteConfig(MethodView):
    @blp.response(200, ConfigOut, description="The configuration the snippet inlines")
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @error_responses(blp, 404)
    def get(self, site: str):
        """The site's banner configuration as JSON, for single-page apps and plugins."""
        return conditional(rendered(site).config, "application/json")
