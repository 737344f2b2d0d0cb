"""The security headers of our HTML pages: a nonce-based Content-Security-Policy, no framing, nosniff, a Referrer-Policy.

Every `text/html` answer gets them after its view, unless the view set its own CSP (the demo
shop, which plays a customer's shop, and its fake video, which the shop frames). The default
policy loads nothing from elsewhere and runs only the scripts and styles of the page's own
markup, each carrying this answer's nonce (`csp_nonce()` in the templates); nothing may frame
a page (`frame-ancestors 'none'`): the WordPress shortcode fetches the cookie policy on the
server and prints it into the shop's own page, and receipts and the API docs are opened
directly.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

# Never framed; nothing but same-origin links carry a Referer (the policy page links to
# processors' privacy policies). Not `no-referrer`: under it a browser sends `Origin: null` with
# a same-origin POST, and a banner on a page of ours (the demo's) records on this origin.
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
FRAMED_BY_SELF = {"X-Frame-Options": "SAMEORIGIN"}


NONCE_KEY = "consent.csp_nonce"


def csp_nonce() -> str:
    """This answer's CSP nonce, made on first use; templates put it on every <script> and <style>."""
    # Kept in the request's environ, not in `g`: `g` belongs to the app context, which a test
    # (or a CLI command) may keep across several requests.
    nonce = request.environ.get(NONCE_KEY)
    if nonce is None:
        nonce = request.environ[NONCE_KEY] = secrets.token_urlsafe(16)
    return nonce


def strict_policy(nonce: str, *, frame_src: str = "'none'") -> str:
    """The CSP of a page of ours: only its nonced scripts and styles, same-origin images and requests, no framing."""
    return (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self'; "
            f"connect-src {connect_sources()}; frame-src {frame_src}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")


def framing_policy(frame_ancestors: str = "'none'") -> str:
    """A CSP that restricts framing, <base> and plugins only (for pages that play someone else's page)."""
    return f"frame-ancestors {frame_ancestors}; base-uri 'none'; object-src 'none'"


def connect_sources() -> str:
    """This origin, and CONSENT_PUBLIC_URL's when set: the banner sends decisions to the public URL."""
    public = current_app.config.get("CONSENT_PUBLIC_URL")
    if not public:
        return "'self'"
    parts = urlsplit(public)
    return f"'self' {parts.scheme}://{parts.netloc}"


def add_page_headers(response: Response) -> Response:
    """after_request: the security headers on an HTML answer (a CSP of the view's own is kept)."""
    if response.mimetype == "text/html":
        headers = response.headers
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = strict_policy(csp_nonce())
        for name, value in COMMON_HEADERS.items():
            headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Give templates `csp_nonce()` and every HTML answer the headers."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_page_headers)
