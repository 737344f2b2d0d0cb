"""A human-readable page of the API, rendered from the same OpenAPI spec the app serves."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ..extensions import api

bp = Blueprint("api_docs", __name__, template_folder="templates")
METHODS = ("get", "post", "put", "patch", "delete", "options")


@bp.get("/api/docs")
def api_docs():
    """List every operation of the spec with its summary, parameters and responses."""
    spec = api.spec.to_dict()
    shared = spec.get("components", {}).get("responses", {})
    operations = [
        {"method": method.upper(), "path": path, **operation,
         "responses": {status: resolved(response, shared) for status, response in operation["responses"].items()}}
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template("api_docs.html", spec=spec, operations=operations)


def resolved(response: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """A response of the spec, or the shared response its `$ref` names (the catch-all error)."""
    ref = response.get("$ref", "")
    return shared.get(ref.rsplit("/", 1)[-1], response) if ref.startswith("#/components/responses/") else response
