"""The banner snippet, GET /c/{site}.js, and its configuration as JSON, GET /api/v1/sites/{site}/config."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..domain.policies import current_version_facts, get_policy
from ..domain.sites import site_info
from ..extensions import per_app
from ..storage.lookup_cache import LookupCache
from ..web.body_template import Body, BodyTemplate
from ..web.snippet import BASE_URL_SLOT, base_url_text, build_config, render_snippet, script_json
from .docs import error_responses

blp = Blueprint("snippet", __name__, url_prefix="/", description="The banner snippet and its configuration.")

JS_MIMETYPE = "text/javascript"
# Renderings kept per app: one per (site, policy version, ...), so a few per site at most.
CACHE_ENTRIES = 512


@dataclass(frozen=True)
class Rendered:
    """A site's snippet and configuration at one policy version, with the base URL left as a slot."""

    script: BodyTemplate
    config: BodyTemplate


# (site id, site key, version, consent floor, content hash, default language, max age in days)
RenderKey = tuple[int, str, int, int, str, str, int]


def _render(key: RenderKey) -> Rendered:
    site_id, site_key, version, floor, content_hash, language, max_age_days = key
    served = build_config(
        site_key=site_key, default_language=language, policy_version=version, policy_hash=content_hash,
        consent_floor=floor, content=get_policy(site_id, version).content, base_url=BASE_URL_SLOT,
        max_age_days=max_age_days,
    )
    slot = BASE_URL_SLOT.encode()
    return Rendered(BodyTemplate(render_snippet(served), slot), BodyTemplate(script_json(served).encode("utf-8"), slot))


def rendered(key: str) -> Rendered:
    """The snippet and configuration templates of a site's current policy version.

    Kept per app by everything they are made of; published versions never change, so a kept
    rendering stays right, and the hot path is one indexed query for the latest version. The
    base URL, which a client may vary through the Host header, is no part of the key: it is
    filled in per request (`base_url_value`), so varied Hosts neither grow nor flush the cache.
    """
    info = site_info(key)
    version, floor, content_hash = current_version_facts(info.id)
    render_key = (info.id, info.key, version, floor, content_hash, info.default_language,
                  current_app.config["CONSENT_MAX_AGE_DAYS"])
    renderings = per_app("consent.snippet_renderings", lambda: LookupCache(_render, max_entries=CACHE_ENTRIES))
    return renderings(render_key)  # never None: the version was just read


def base_url_value() -> bytes:
    """This request's public base URL as it stands in the rendered JSON: CONSENT_PUBLIC_URL, else the Host's."""
    return base_url_text(current_app.config.get("CONSENT_PUBLIC_URL") or request.host_url)


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
        return conditional(rendered(site).script.body(base_url_value()), JS_MIMETYPE)


@blp.route("/api/v1/sites/<site>/config")
class SiteConfig(MethodView):
    @blp.response(200, ConfigOut, description="The configuration the snippet inlines")
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @error_responses(blp, 404)
    def get(self, site: str):
        """The site's banner configuration as JSON, for single-page apps and plugins."""
        return conditional(rendered(site).config.body(base_url_value()), "application/json")
