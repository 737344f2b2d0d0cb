"""Helpers to document the error responses a view can give, in the one error shape."""
from __future__ import annotations

import json
from typing import Any, Callable

from flask import Response
from flask_smorest import Blueprint

from ..errors import HTTP_CODES, ErrorOut


def error_responses(blp: Blueprint, *statuses: int) -> Callable:
    """Decorator: document each status as an error response of the one shape."""

    def decorate(view: Callable) -> Callable:
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorOut, description=HTTP_CODES.get(status, "error"))(view)
        return view

    return decorate


def json_response(data: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    """A ready JSON response for the hot endpoints.

    flask-smorest passes a Response through untouched, so the documented schema still
    describes it while the per-request marshmallow dump is skipped (see bench/RESULTS.md);
    the schema tests check that the body still matches it.
    """
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status=status, headers=headers, content_type="application/json")
