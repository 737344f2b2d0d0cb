"""GET /api/v1/sites/{site}/consents: the auditor export, streamed (owner or auditor key)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..auth import require_key
from ..exports.query import Filters
from ..exports.service import FORMATS, Export, build_export
from ..models import ACTIONS
from ..sites import get_site
from .docs import error_responses

blp = Blueprint("exports", __name__, url_prefix="/api/v1/sites", description="Export a site's consent log.")
PURPOSE = r"^[a-z][a-z0-9_]{1,31}$"


class Moment(fields.Field):
    """A date (``2026-01-31``) or an RFC 3339 time; a naive time is UTC. As ``to``, a date includes its day."""

    def __init__(self, *, end: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.end = end

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str):
            raise ValidationError("Give a date (YYYY-MM-DD) or an RFC 3339 time.")
        try:
            if len(value) == 10:
                day = date.fromisoformat(value)
                moment = datetime.combine(day + timedelta(days=1 if self.end else 0), time(), timezone.utc)
            else:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
        except ValueError as error:
            raise ValidationError("Give a date (YYYY-MM-DD) or an RFC 3339 time.") from error
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class ExportArgs(Schema):
    """Query parameters of the export."""

    class Meta:
        unknown = "raise"

    from_ = Moment(data_key="from", metadata={"description": "Records recorded at or after (date or RFC 3339)."})
    to = Moment(end=True, metadata={"description": "Records recorded before; a date includes that whole day."})
    purpose = fields.String(validate=validate.Regexp(PURPOSE), metadata={"description": "Only records that decided this purpose."})
    decision = fields.String(validate=validate.OneOf(("granted", "denied")),
                             metadata={"description": "With purpose: only records that granted (or denied) it."})
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={"description": "Only records made with this action."})
    format = fields.String(load_default="csv", validate=validate.OneOf(tuple(FORMATS)),
                           metadata={"description": "csv, jsonl, xlsx or iso27560 (JSON)."})

    @validates_schema
    def _consistent(self, data, **_kwargs) -> None:
        if "from_" in data and "to" in data and data["from_"] >= data["to"]:
            raise ValidationError("Must be later than 'from'.", "to")
        if "decision" in data and "purpose" not in data:
            raise ValidationError("Needs 'purpose'.", "decision")


def filters_from(args: dict) -> Filters:
    """Turn parsed arguments into export filters."""
    return Filters(
        start=args.get("from_"), end=args.get("to"), purpose=args.get("purpose"),
        decision=args.get("decision"), action=args.get("action"),
    )


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
