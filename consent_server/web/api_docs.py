"""A human-readable page of the API, rendered from the same OpenAPI spec the app serves."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..extensions import api

bp = Blueprint("api_docs", __name__, template_folder="templates")
METHODS = ("get", "post", "put", "patch", "delete", "options")


@bp.get("/api/docs")
def api_docs():
    """List every operation of the spec with its summary, parameters and responses."""
    spec = api.spec.to_dict()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template("api_docs.html", spec=spec, operations=operations)
