"""GET /api/v1/sites/{site}/consents: the auditor export, streamed (owner or auditor key)."""
from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from ..domain.sites import get_site
from ..exports.params import ExportArgs, filters_from
from ..exports.service import FORMATS, Export, build_export
from .auth import require_key
from .docs import error_responses

blp = Blueprint("exports", __name__, url_prefix="/api/v1/sites", description="Export a site's consent log.")


def download(export: Export) -> Response:
    """Stream an export as an attachment; the generator runs inside the request context."""
    response = Response(stream_with_context(export.chunks), mimetype=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_FILE = {"description": "The export as a file download (streamed).",
         "content": {mime.split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for mime, _ in FORMATS.values()}}


@blp.route("/<site>/consents")
class ConsentExport(MethodView):
    @blp.arguments(ExportArgs, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(security=[{"bearerAuth": []}], responses={"200": _FILE})
    @error_responses(blp, 401, 403, 404, 422)
    def get(self, site: str, **args):
        """Export the site's consent log as CSV, JSON Lines, XLSX or ISO/IEC TS 27560 JSON."""
        record = get_site(site)
        require_key(record)
        return download(build_export(record, args["format"], filters_from(args)))
