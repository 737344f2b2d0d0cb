"""DELETE /api/v1/sites/{site}/visitors/{visitor_id}: erase a visitor's personal fields (owner key)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..domain.sites import get_site
from ..extensions import db
from ..ledger.leaf import timestamp
from ..proofs.erasure import erase_visitor
from ..storage.disk_erasure import truncate_wal
from .auth import require_key
from .docs import error_responses
from .visitors import _checked_visitor

blp = Blueprint("erasure", __name__, url_prefix="/api/v1/sites", description="Erase a visitor's personal data.")


class ErasureOut(Schema):
    """What an erasure did."""

    site = fields.String(required=True)
    visitor_hmac = fields.String(required=True, metadata={"description": "keyed hash now in place of the visitor id"})
    records = fields.Integer(required=True, metadata={"description": "records whose personal fields were removed"})
    erased_at = fields.String(required=True)


@blp.route("/<site>/visitors/<visitor_id>")
class VisitorErasure(MethodView):
    @blp.response(200, ErasureOut)
    @error_responses(blp, 401, 403, 404, 422)
    @blp.doc(security=[{"bearerAuth": []}])
    def delete(self, site: str, visitor_id: str):
        """Remove the personal fields of every record of the visitor; the erasure is itself logged and sealed."""
        record = get_site(site)
        require_key(record, ("owner",))
        erasure = erase_visitor(site=record, visitor_id=_checked_visitor(visitor_id))
        db.session.commit()
        truncate_wal(db.engine)  # SQLite: the erased values leave the WAL before we answer
        return {"site": record.key, "visitor_hmac": erasure.visitor_hmac, "records": erasure.records,
                "erased_at": timestamp(erasure.erased_at)}
