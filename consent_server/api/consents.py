"""POST /api/v1/sites/{site}/consents: record one decision (public, browser-facing)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..client_info import user_agent_facts
from ..client_net import FULL_ADDRESS_KEY, NET_KEY
from ..consents import ClientFacts, consent_committer, record_consent
from ..errors import ApiError
from ..group_commit import CommitTimeout
from ..cors import check_origin, cors_headers, preflight
from ..extensions import db, per_app, public_rate_limit
from ..sites import site_info
from .docs import doc_only, error_responses, json_body_argument, json_response, load_json_body
from .schemas import ConsentIn, ConsentOut

blp = Blueprint("consents", __name__, url_prefix="/api/v1/sites", description="Record consent decisions.")
# One schema instance for every request, loaded by the view itself (see load_json_body).
CONSENT_IN = ConsentIn()


def page_path(url: str | None) -> str | None:
    """Keep only the path of a page URL: the query string and fragment may carry personal data."""
    if not url:
        return None
    return urlsplit(url).path or "/"


def client_facts() -> ClientFacts:
    """Facts about the caller, taken from the environ prepared by ClientNetMiddleware."""
    config = current_app.config
    raw_ua = request.headers.get("User-Agent", "")
    network = request.environ.get(NET_KEY)
    country = current_app.extensions["consent.geoip"].country(request.environ.get(FULL_ADDRESS_KEY))
    return ClientFacts(
        ip_truncated=None if network in (None, "-") else network,
        country=country,
        user_agent=user_agent_facts(raw_ua) if raw_ua else None,
        raw_user_agent=raw_ua[:512] if config["CONSENT_STORE_USER_AGENT"] and raw_ua else None,
        gpc=request.headers.get("Sec-GPC", "").strip() == "1",
    )


def _commit(row: dict) -> None:
    try:
        per_app("consent.committer", lambda: consent_committer(db.engine)).commit(row)
    except CommitTimeout as error:
        raise ApiError(503, "database_unavailable", "The consent could not be stored in time; retry.") from error


@blp.route("/<site>/consents")
class Consents(MethodView):
    @public_rate_limit("consents")
    @json_body_argument(blp, CONSENT_IN)
    @doc_only(blp.response(201, ConsentOut))
    @error_responses(blp, 400, 403, 404, 413, 415, 422, 429, 503)
    def post(self, site: str):
        """Record a visitor's decision; answers once the row is committed."""
        body = load_json_body(CONSENT_IN)
        info = site_info(site)
        origin = check_origin(info)
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
            client=client_facts(),
        )
        result["site"] = info.key
        result["recorded_at"] = result["recorded_at"].isoformat()
        return json_response(result, 201, cors_headers(origin))

    @blp.response(204)
    @error_responses(blp, 403, 404)
    def options(self, site: str):
        """CORS preflight, answered for the site's registered origins."""
        return preflight(site_info(site), "POST, OPTIONS")
