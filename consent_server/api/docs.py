"""Helpers to document the error responses a view can give, in the one error shape."""
from __future__ import annotations

import json
from typing import Any, Callable

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from ..errors import HTTP_CODES, ApiError, ErrorOut
from .json_depth import MAX_DEPTH, too_deep


def doc_only(decorator: Callable[[Callable], Callable]) -> Callable[[Callable], Callable]:
    """Apply one of flask-smorest's decorators for the documentation it records, not for its wrapper.

    flask-smorest records a view's documentation in `_apidoc` and wraps the view: the
    wrappers of `alt_response` and `doc` only pass the call on, and the one of `response`
    only serialises a result that is not yet a Response. Each costs a lookup of the app
    and a coroutine check per request, and a consent POST went through ten of them
    (bench/RESULTS.md). Use it for `response` only on views that return `json_response`.
    `_apidoc` is flask-smorest's private name: the version range in pyproject.toml pins it and
    tests/api/test_doc_only_contract.py fails on an upgrade that reads it differently.
    """

    def decorate(view: Callable) -> Callable:
        view._apidoc = decorator(view)._apidoc  # type: ignore[attr-defined]
        return view

    return decorate


def error_responses(blp: Blueprint, *statuses: int) -> Callable:
    """Decorator: document each status as an error response of the one shape."""

    def decorate(view: Callable) -> Callable:
        for status in statuses:
            view = doc_only(blp.alt_response(status, schema=ErrorOut, description=HTTP_CODES.get(status, "error")))(view)
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


def json_body_argument(blp: Blueprint, schema: Schema) -> Callable:
    """Document `schema` as the required JSON request body, as `blp.arguments(schema)` does.

    For the hot endpoints, which load the body with `parse_json_body` themselves: webargs'
    parsing around the same marshmallow load cost a tenth of a consent POST (bench/RESULTS.md).
    """
    return doc_only(blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": schema}}}))


def _bad_json(message: str) -> ApiError:
    return ApiError(400, HTTP_CODES[400], BadRequest.description, {"json": [message]})


def refuse_deep_json(text: str) -> None:
    """400 when the JSON `text` nests deeper than json_depth.MAX_DEPTH (before any parser recurses into it)."""
    if too_deep(text):
        raise _bad_json(f"JSON nested deeper than {MAX_DEPTH} levels.")


def parse_json_body(schema: Schema, raw: bytes, charset: str = "utf-8") -> dict[str, Any]:
    """`raw` as JSON loaded by `schema`: 400 when it is not JSON, 422 when it does not validate.

    The answers are those flask-smorest's `arguments` gives (an empty body loads as {}).
    """
    payload: Any = {}
    if raw:
        try:
            text = raw.decode(charset)
        except (UnicodeDecodeError, LookupError) as error:
            raise _bad_json("Invalid JSON body.") from error
        refuse_deep_json(text)
        try:
            payload = json.loads(text)
        except ValueError as error:
            raise _bad_json("Invalid JSON body.") from error
    try:
        return schema.load(payload)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ApiError(422, HTTP_CODES[422], UnprocessableEntity.description, messages) from error
