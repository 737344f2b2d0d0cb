"""The consent POST's common case, answered in front of Flask's dispatch (a WSGI layer).

Every banner decision is one consent POST, the server's hottest request. Flask's
dispatch around the view (request and response objects, URL matching, the before,
after and teardown hooks, flask-limiter's app-wide check) cost more CPU than all the
view does (bench/RESULTS.md). This layer answers a POST to
/api/v1/sites/<site>/consents whose body is plain `application/json` with a
Content-Length within CONSENT_MAX_BODY_BYTES by calling the view's own function,
`record_posted`, in an app context, and answers its refusals as the view does
(`refusal_answer`: counted, then rendered by the app's own error handlers): the answers
are the view's. Anything else, a POST with a charset parameter or a chunked body
included, goes to Flask unchanged.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

from flask import Flask

from ..api.consents import record_posted
from ..api.refusals import refusal_answer
from ..domain.sites import SITE_KEY

# Only well-formed site keys: the lane and Flask then see the same key (Flask decodes the path).
CONSENTS_PATH = re.compile(rf"^/api/v1/sites/({SITE_KEY.pattern[1:-1]})/consents$")


def plain_consent_post(environ: Mapping[str, Any], max_length: int) -> tuple[str, int] | None:
    """(site key, body length) when the request is a consent POST the lane answers; None otherwise."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("CONTENT_TYPE") != "application/json":
        return None
    match = CONSENTS_PATH.fullmatch(environ.get("PATH_INFO", ""))
    length = environ.get("CONTENT_LENGTH", "")
    if match is None or not length.isdigit() or "HTTP_TRANSFER_ENCODING" in environ:
        return None
    size = int(length)
    return (match.group(1), size) if 0 < size <= max_length else None


class ConsentPostLane:
    """WSGI middleware: plain consent POSTs are answered here, every other request by `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.max_length = app.config["MAX_CONTENT_LENGTH"]

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        found = plain_consent_post(environ, self.max_length)
        if found is None:
            return self.wsgi_app(environ, start_response)
        site, length = found
        body = environ["wsgi.input"].read(length)
        with self.app.app_context():
            try:
                response = record_posted(site, lambda: body, "utf-8", environ)
            except Exception as error:  # answered (and counted) as the view's error handler does
                response = refusal_answer(site, error, environ)
            return response(environ, start_response)
