"""API request bodies are JSON only: any other media type is 415 before a parser sees it."""
from __future__ import annotations

from flask import Flask, request

from ..errors import ApiError

JSON_METHODS = {"POST", "PUT", "PATCH"}


def init_app(app: Flask) -> None:
    """Refuse an API POST, PUT or PATCH whose body is not application/json (415)."""

    @app.before_request
    def require_json_body() -> None:
        # Bodies are JSON only; anything else is 415 before a parser sees it.
        # Only for a route that exists with this method: otherwise the routing error (404/405) wins.
        if request.routing_exception is not None:
            return
        if request.method in JSON_METHODS and request.path.startswith("/api/"):
            if request.content_length == 0 and not request.mimetype:
                return
            if request.mimetype != "application/json":
                raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
