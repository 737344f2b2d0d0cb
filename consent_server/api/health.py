"""Liveness and readiness probes."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from ..errors import ApiError
from ..extensions import db
from ..proofs.server_keys import missing_server_key
from .docs import error_responses

blp = Blueprint("health", __name__, url_prefix="/", description="Health probes for load balancers.")


class HealthOut(Schema):
    status = fields.String(required=True)


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthOut)
    def get(self):
        """The process is up (touches nothing else)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthOut)
    @error_responses(blp, 503)
    def get(self):
        """The database answers, and the signing key and the erasure secret load."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as error:  # any driver error means "not ready"
            db.session.rollback()
            raise ApiError(503, "database_unavailable", "The database does not answer.") from error
        missing = missing_server_key()
        if missing is not None:
            raise ApiError(503, missing.code, str(missing))
        return {"status": "ok"}
