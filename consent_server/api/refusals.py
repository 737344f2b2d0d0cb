"""Refused consent POSTs: the one answer both the lane and the view give (counted), and the owner's counts.

GET /api/v1/sites/{site}/refusals?from=&to= (owner key) shows the daily counters
consent_server/domain/refusals.py keeps.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

from ..domain.errors import DomainError
from ..domain.refusals import note_refusal, refusal_counts, refusal_report, tally
from ..domain.sites import get_site, site_info
from ..errors import ApiError, error_answer, error_status
from .auth import require_key
from .cors import allowed_origin, cors_headers
from .docs import error_responses

blp = Blueprint("refusals", __name__, url_prefix="/api/v1/sites",
                description="How many consent POSTs were refused, and why.")


def refusal_answer(site: str, error: Exception, environ: Mapping[str, Any]) -> Response:
    """The answer to a consent POST that raised `error`; a refusal (any 4xx) is counted first.

    The WSGI lane and the Flask view both answer their failures with this, so every refused
    POST is counted once, whichever path served it. A 5xx is our failure, not a refusal.
    """
    status, code = error_status(error)
    response = error_answer(error)
    if 400 <= status < 500:
        note_refusal(site, code, environ.get("HTTP_ORIGIN"))
        # The site's own pages may read why they were refused (the snippet then drops the
        # report instead of queueing it for ever); a foreign origin learns nothing new.
        response.headers.update(_own_origin_cors(site, code, environ.get("HTTP_ORIGIN")))
    return response


# Refusals whose answer the page need not read: a foreign origin's, an unknown site's (either would
# cost a site lookup per request of a flood), and a rate limit's (the snippet queues a report it
# cannot read and retries it on a later page view, which is what a 429 asks for).
_NO_CORS = frozenset({"origin_not_allowed", "unknown_site", "too_many_requests"})


def _own_origin_cors(site: str, code: str, origin: str | None) -> dict[str, str]:
    if not origin or code in _NO_CORS:
        return {}
    try:
        return cors_headers(allowed_origin(site_info(site), origin))
    except (DomainError, ApiError):  # unknown site or foreign origin: no CORS
        return {}


class RefusalArgs(Schema):
    from_ = fields.Date(data_key="from", load_default=None, metadata={"description": "first day (UTC), included"})
    to = fields.Date(load_default=None, metadata={"description": "last day (UTC), included"})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["from_"] and data["to"] and data["from_"] > data["to"]:
            raise ValidationError("'from' is after 'to'.", "from")


class RefusalCountOut(Schema):
    day = fields.Date(required=True)
    reason = fields.String(required=True, metadata={"description": "the error code the POST was answered with"})
    origin = fields.String(allow_none=True, metadata={
        "description": "the refused origin (origin_not_allowed only); '(other)' past 50 a day, '(invalid)' for no http(s) origin"})
    count = fields.Integer(required=True)


class RefusalsOut(Schema):
    site = fields.String(required=True)
    total = fields.Integer(required=True)
    by_reason = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    counts = fields.List(fields.Nested(RefusalCountOut), required=True)


@blp.route("/<site>/refusals")
class Refusals(MethodView):
    @blp.arguments(RefusalArgs, location="query", as_kwargs=True, unknown=RAISE)
    @blp.response(200, RefusalsOut)
    @error_responses(blp, 401, 403, 404, 422)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, site: str, from_: date | None, to: date | None):
        """Refused consent POSTs per day, reason and origin (owner key of this site)."""
        record = get_site(site)
        require_key(record, ("owner",))
        tally().flush()  # this worker's latest refusals too, not only those of the last flush
        return refusal_report(record.key, refusal_counts(record.id, from_, to))
