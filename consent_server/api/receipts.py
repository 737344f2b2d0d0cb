"""GET /api/v1/receipts/{receipt_id}: a record, its policy version and its proof (public; the id is the secret)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..proofs.receipts import receipt_document
from .docs import error_responses

blp = Blueprint("receipts", __name__, url_prefix="/api/v1/receipts", description="Consent receipts with proofs.")


def wants_html() -> bool:
    """True when the client prefers HTML over JSON (a browser following a link)."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]


@blp.route("/<receipt_id>")
class Receipt(MethodView):
    @blp.response(200, description="record, policy (content and hash) and proof (null until sealed)")
    @error_responses(blp, 404)
    def get(self, receipt_id: str):
        """The receipt: record, full policy version, signature, leaf index, inclusion proof and signed tree head."""
        document = receipt_document(receipt_id)
        if wants_html():
            from ..web.receipts import render_receipt

            return render_receipt(document)
        return document, 200, {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
