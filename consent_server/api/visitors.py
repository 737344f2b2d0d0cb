"""A visitor's current consent (public) and full history (API key) on one site."""
from __future__ import annotations

import re

from flask.views import MethodView
from flask_smorest import Blueprint

from ..domain.consents import current_state, history
from ..domain.sites import get_site, site_info
from ..errors import ApiError
from .auth import require_key
from .cors import check_origin, cors_headers
from .docs import doc_only, error_responses, json_response
from .schemas import VISITOR_ID, HistoryOut, StateOut

blp = Blueprint("visitors", __name__, url_prefix="/api/v1/sites", description="Query a visitor's consent.")
_VISITOR = re.compile(VISITOR_ID)


def _checked_visitor(visitor_id: str) -> str:
    if not _VISITOR.fullmatch(visitor_id):
        raise ApiError(422, "invalid_visitor_id", "Visitor ids are 16-64 characters of A-Z, a-z, 0-9, '_' and '-'.",
                       {"visitor_id": ["invalid visitor id"]})
    return visitor_id


@blp.route("/<site>/visitors/<visitor_id>/consent")
class VisitorConsent(MethodView):
    @doc_only(blp.response(200, StateOut))
    @error_responses(blp, 403, 404, 422)
    def get(self, site: str, visitor_id: str):
        """The visitor's current state per purpose, and whether the banner must ask again.

        Each server worker keeps the states it has read and answers from memory until a commit
        may have changed one. On SQLite an answer reflects every commit made before the request.
        On PostgreSQL a decision recorded through another worker or node shows once the
        database's change notice reaches this worker, within milliseconds.
        """
        info = site_info(site)
        origin = check_origin(info)
        state = current_state(info.id, _checked_visitor(visitor_id))
        state["site"] = info.key
        state["recorded_at"] = state["recorded_at"].isoformat()
        return json_response(state, 200, cors_headers(origin))


@blp.route("/<site>/visitors/<visitor_id>/history")
class VisitorHistory(MethodView):
    @blp.response(200, HistoryOut)
    @error_responses(blp, 401, 403, 404, 422)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, site: str, visitor_id: str):
        """Every record of the visitor, oldest first (owner or auditor key of this site)."""
        record = get_site(site)
        require_key(record)
        records = history(record.id, _checked_visitor(visitor_id))
        if not records:
            raise ApiError(404, "no_consent", "This visitor has no records on this site.")
        return {"site": record.key, "visitor_id": visitor_id, "records": [r.as_dict() for r in records]}

