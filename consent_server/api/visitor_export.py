"""A visitor's records for access and portability: by API key, or by the visitor with a receipt id."""
from __future__ import annotations

import re

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..domain.sites import get_site, site_info
from ..errors import ApiError
from ..exports.visitor import VISITOR_FORMATS, owns_receipt, visitor_export
from ..http.rate_limit import public_rate_limit
from ..proofs.receipts import RECEIPT_ID
from .auth import require_key
from .cors import check_origin, cors_headers
from .docs import error_responses
from .exports import download
from .patterns import FullMatch
from .schemas import VISITOR_ID

blp = Blueprint("visitor_export", __name__, url_prefix="/api/v1/sites",
                description="A visitor's own records (access and portability).")
_VISITOR = re.compile(VISITOR_ID)


class VisitorExportArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(tuple(VISITOR_FORMATS)),
                           metadata={"description": "json (default) or csv."})


class ReceiptArgs(Schema):
    receipt = fields.String(required=True, validate=FullMatch(RECEIPT_ID),
                            metadata={"description": "One of the visitor's receipt ids: proves the records are theirs."})


def _checked(visitor_id: str) -> str:
    if not _VISITOR.fullmatch(visitor_id):
        raise ApiError(422, "invalid_visitor_id", "Visitor ids are 16-64 characters of A-Z, a-z, 0-9, '_' and '-'.",
                       {"visitor_id": ["invalid visitor id"]})
    return visitor_id


_FILE = {"description": "The visitor's records as a file download.",
         "content": {"application/json": {"schema": {"type": "object"}},
                     "text/csv": {"schema": {"type": "string", "format": "binary"}}}}


@blp.route("/<site>/visitors/<visitor_id>/export")
class VisitorExport(MethodView):
    @blp.arguments(VisitorExportArgs, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(security=[{"bearerAuth": []}], responses={"200": _FILE})
    @error_responses(blp, 401, 403, 404, 422)
    def get(self, site: str, visitor_id: str, format: str):
        """Every record of one visitor, with the policy versions shown (owner or auditor key)."""
        record = get_site(site)
        require_key(record)
        return download(visitor_export(record, _checked(visitor_id), format))


@blp.route("/<site>/visitors/<visitor_id>/receipts")
class VisitorReceipts(MethodView):
    @public_rate_limit("visitor-receipts")
    @blp.arguments(ReceiptArgs, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(responses={"200": _FILE})
    @error_responses(blp, 403, 404, 422, 429)
    def get(self, site: str, visitor_id: str, receipt: str):
        """The visitor's own records as a JSON download (public: one of their receipt ids proves possession)."""
        info = site_info(site)
        origin = check_origin(info)
        visitor_id = _checked(visitor_id)
        if not owns_receipt(info.id, visitor_id, receipt):
            # Same answer for an unknown visitor and a wrong receipt: no oracle for either.
            raise ApiError(404, "unknown_receipt", "No such receipt for this visitor.")
        response = download(visitor_export(get_site(site), visitor_id, "json"))
        response.headers.update(cors_headers(origin))
        return response
