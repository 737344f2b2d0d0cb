"""Helpers to document the error responses a view can give, in the one error shape."""
from __future__ import annotations

from typing import Callable

from flask_smorest import Blueprint

from ..errors import HTTP_CODES, ErrorOut


def error_responses(blp: Blueprint, *statuses: int) -> Callable:
    """Decorator: document each status as an error response of the one shape."""

    def decorate(view: Callable) -> Callable:
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorOut, description=HTTP_CODES.get(status, "error"))(view)
        return view

    return decorate
