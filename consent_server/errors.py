"""The one error shape: {"status", "code", "message", "errors"} for every failure, and its handlers.

Two kinds of error reach the handlers. The domain's (domain/errors.py: NotFound, Conflict,
Invalid, Unavailable), raised by domain/, storage/, proofs/ and exports/, which know nothing of
HTTP: DOMAIN_STATUS gives each kind its status here. And ApiError, which carries its own HTTP
status, for refusals that are HTTP concerns (401/403 auth and CORS, 400/413/415 parsing, 429
rate limits, the request's own validation): it is raised only in api/ and http/ (the WSGI
edge), and defined here. tests/test_layering.py checks no other room imports it.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Flask, Response, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from .domain.errors import Conflict, DomainError, Invalid, NotFound, Unavailable

log = logging.getLogger(__name__)

# Machine codes for the HTTP errors Werkzeug and flask-smorest raise themselves.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


# The HTTP status of each kind of domain error.
DOMAIN_STATUS: dict[type[DomainError], int] = {NotFound: 404, Conflict: 409, Invalid: 422, Unavailable: 503}


class ErrorOut(Schema):
    """The one error shape, as documented in the OpenAPI spec."""

    status = fields.Integer(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(required=True)


class ApiError(Exception):
    """An error the API answers with its status, machine code, message and per-field errors."""

    def __init__(self, status: int, code: str, message: str, errors: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> Response:
    """Render the one error shape."""
    response = jsonify({"status": status, "code": code, "message": message, "errors": errors or {}})
    response.status_code = status
    return response


def _flatten(messages: Any) -> dict[str, Any]:
    # webargs nests messages under the location ("json", "query"); clients want the field names.
    if isinstance(messages, dict) and len(messages) == 1:
        (location, inner), = messages.items()
        if location in {"json", "query", "path", "headers", "form", "files", "cookies"} and isinstance(inner, dict):
            return inner
    return messages if isinstance(messages, dict) else {"_schema": messages}


def handle_api_error(error: ApiError) -> Response:
    response = error_response(error.status, error.code, error.message, error.errors)
    response.headers.update(error.headers)
    return response


def domain_status(error: DomainError) -> int:
    """The HTTP status of a domain error: its kind's (a bare DomainError is our bug: 500)."""
    return next((DOMAIN_STATUS[kind] for kind in type(error).__mro__ if kind in DOMAIN_STATUS), 500)


def handle_domain_error(error: DomainError) -> Response:
    return error_response(domain_status(error), error.code, error.message, error.errors)


def error_status(error: Exception) -> tuple[int, str]:
    """The HTTP status and machine code the handlers answer `error` with."""
    if isinstance(error, ApiError):
        return error.status, error.code
    if isinstance(error, DomainError):
        return domain_status(error), error.code
    if isinstance(error, HTTPException):
        status = error.code or 500
        return status, HTTP_CODES.get(status, "error")
    return 500, "internal_error"


def handle_http_exception(error: HTTPException) -> Response:
    status, code = error_status(error)
    data = getattr(error, "data", None) or {}
    errors = _flatten(data.get("messages", {})) if data else {}
    message = data.get("message") or error.description or error.name
    if status == 413:
        message = "Request body too large."
    response = error_response(status, code, str(message), errors)
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def handle_unexpected(error: Exception) -> Response:
    # Log the type and traceback only: request data (addresses, bodies) stays out of logs.
    log.exception("unhandled %s", type(error).__name__)
    return error_response(500, "internal_error", "Internal server error.")


# Most specific first: the handler of the first class an error is an instance of answers it.
HANDLERS: tuple[tuple[type[Exception], Callable[[Any], Response]], ...] = (
    (ApiError, handle_api_error),
    (DomainError, handle_domain_error),
    (HTTPException, handle_http_exception),
    (Exception, handle_unexpected),
)


def error_answer(error: Exception) -> Response:
    """The answer the app's handlers give `error`, for code that runs outside Flask's dispatch."""
    return next(handle(error) for kind, handle in HANDLERS if isinstance(error, kind))


def register_error_handlers(app: Flask) -> None:
    """Route every failure, including flask-smorest's, through the one shape."""
    for kind, handle in HANDLERS:
        app.register_error_handler(kind, handle)
