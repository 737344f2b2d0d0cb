"""POST /api/v1/sites/{site}/consents: record one decision (the site's browsers, or a server with a recorder key)."""
from __future__ import annotations

from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..domain.client_info import user_agent_facts
from ..domain.consents import ClientFacts, consent_committer, record_consent
from ..domain.sites import site_info
from ..errors import ApiError, error_answer
from ..extensions import db, per_app
from ..http.client_net import FULL_ADDRESS_KEY, NET_KEY
from ..http.rate_limit import check_public_rate
from ..storage.group_commit import CommitTimeout
from .auth import check_key, token_from_header
from .cors import allowed_origin, cors_headers, preflight
from .docs import doc_only, error_responses, json_body_argument, json_response, parse_json_body
from .refusals import refusal_answer
from .schemas import ConsentIn, ConsentOut

blp = Blueprint("consents", __name__, url_prefix="/api/v1/sites", description="Record consent decisions.")
# One schema instance for every request, loaded by record_posted itself (see parse_json_body).
CONSENT_IN = ConsentIn()
# A POST without a registered Origin (a server-side integration) needs a key of one of these roles.
RECORDERS = ("recorder",)


def page_path(url: str | None) -> str | None:
    """Keep only the path of a page URL: the query string and fragment may carry personal data."""
    if not url:
        return None
    return urlsplit(url).path or "/"


def client_facts(environ: Mapping[str, Any]) -> ClientFacts:
    """Facts about the caller, taken from the environ prepared by ClientNetMiddleware."""
    config = current_app.config
    raw_ua = environ.get("HTTP_USER_AGENT", "")
    network = environ.get(NET_KEY)
    country = current_app.extensions["consent.geoip"].country(environ.get(FULL_ADDRESS_KEY))
    return ClientFacts(
        ip_truncated=None if network in (None, "-") else network,
        country=country,
        user_agent=user_agent_facts(raw_ua) if raw_ua else None,
        raw_user_agent=raw_ua[:512] if config["CONSENT_STORE_USER_AGENT"] and raw_ua else None,
        gpc=environ.get("HTTP_SEC_GPC", "").strip() == "1",
    )


def _commit(row: dict) -> None:
    try:
        per_app("consent.committer", lambda: consent_committer(db.engine)).commit(row)
    except CommitTimeout as error:
        raise ApiError(503, "database_unavailable", "The consent could not be stored in time; retry.") from error


def record_posted(site: str, read_body: Callable[[], bytes], charset: str, environ: Mapping[str, Any]) -> Response:
    """Serve a consent POST: count it, check site, origin (or else a recorder key), load its body, record; the 201.

    Raises ApiError for every refusal. Needs an app context, not a request context: the
    Flask view and the WSGI lane in front of Flask (consent_lane.py) both answer with it.
    """
    # Counted before the body is read or parsed: malformed floods are limited too.
    check_public_rate("consents", environ)
    info = site_info(site)
    origin = allowed_origin(info, environ.get("HTTP_ORIGIN"))
    if origin is None:
        # No browser of the site's pages: only a server holding a recorder key may speak for a
        # visitor. Checked before the body is read, so a caller without a key learns nothing more.
        check_key(info.id, token_from_header(environ.get("HTTP_AUTHORIZATION")), RECORDERS)
    body = parse_json_body(CONSENT_IN, read_body(), charset)
    # The committer returns once the row's transaction committed (fsynced on SQLite with
    # synchronous=FULL, WAL-flushed on PostgreSQL), sharing that commit with the rows of
    # concurrent requests (see group_commit.py): the 201 only ever answers a durable row.
    result = record_consent(
        write=_commit,
        site_id=info.id,
        visitor_id=body["visitor_id"],
        policy_version=body["policy_version"],
        choices=body["choices"],
        action=body["action"],
        language=body["language"],
        page_path=page_path(body.get("page_url")),
        client_ts=body.get("client_ts"),
        client=client_facts(environ),
    )
    result["site"] = info.key
    result["recorded_at"] = result["recorded_at"].isoformat()
    return json_response(result, 201, cors_headers(origin))


@blp.errorhandler(Exception)
def refused(error: Exception) -> Response:
    """Every failure on this route (the app's 415 body check included), counted as the lane counts it."""
    # A refused preflight counts too: a browser on a foreign origin never sends the POST itself.
    preflight_refused = request.method == "OPTIONS" and getattr(error, "code", None) == "origin_not_allowed"
    if request.method == "POST" or preflight_refused:
        return refusal_answer((request.view_args or {}).get("site", ""), error, request.environ)
    return error_answer(error)


@blp.route("/<site>/consents")
class Consents(MethodView):
    @json_body_argument(blp, CONSENT_IN)
    @doc_only(blp.response(201, ConsentOut))
    @error_responses(blp, 400, 401, 403, 404, 413, 415, 422, 429, 503)
    # Either a browser on one of the site's registered origins (no key), or a server with a
    # recorder key: OpenAPI's "no security or bearerAuth".
    @doc_only(blp.doc(security=[{}, {"bearerAuth": []}]))
    def post(self, site: str):
        """Record a visitor's decision; answers once the row is committed.

        A browser on one of the site's registered origins posts without a key (its `Origin`
        header is checked). Any other caller, such as a shop's server recording a decision
        taken at checkout, sends no `Origin` and a key of the site with the role `recorder`
        (`Authorization: Bearer <token>`): 401 without a valid key, 403 for another role or
        another site's key. A recorder key can do nothing else.
        """
        # A plain JSON POST is answered by the lane in front of Flask (consent_lane.py) with
        # the same function; this view serves the rest (a charset parameter, chunked bodies).
        return record_posted(site, lambda: request.get_data(cache=True),
                             request.mimetype_params.get("charset", "utf-8"), request.environ)

    @blp.response(204)
    @error_responses(blp, 403, 404)
    def options(self, site: str):
        """CORS preflight, answered for the site's registered origins."""
        return preflight(site_info(site), "POST, OPTIONS")
