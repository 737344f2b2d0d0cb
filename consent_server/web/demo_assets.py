"""Fake third-party assets for the demo shop, served locally so tests can see whether they were requested.

Nothing here contacts a third party: the "analytics", "ads", "YouTube" and "affiliate" pieces are stand-ins
that set the first-party cookies their real counterparts would (names from the default inventory).
"""
from __future__ import annotations

import base64
import re

from flask import Blueprint, Response, current_app, render_template, request

from .page_security import FRAMED_BY_SELF, csp_nonce, framing_policy, strict_policy

bp = Blueprint("demo_assets", __name__, url_prefix="/demo-assets", template_folder="templates")

# A 1x1 transparent GIF, as affiliate networks use for conversion pixels.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

ANALYTICS_JS = """(function () {
  var year = 63072000;
  document.cookie = '_ga=GA1.1.123456789.1763800000;path=/;max-age=' + year;
  document.cookie = '_ga_DEMO123=GS1.1.1763800000.1.0;path=/;max-age=' + year;
  (window.demoLog = window.demoLog || []).push('analytics-external');
})();
"""

ADS_JS = """(function () {
  document.cookie = '_gcl_au=1.1.987654321.1763800000;path=/;max-age=7776000';
  (window.demoLog = window.demoLog || []).push('ads-external');
})();
"""

VIDEO_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake video</title></head>
<body style="margin:0;background:#111;color:#fff;font:16px sans-serif"><p>Fake YouTube player (local)</p></body></html>
"""


def _asset(body: str | bytes, mimetype: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(body, mimetype=mimetype, headers=headers)
    response.headers["Cache-Control"] = "no-store"  # so every load is a request the tests can see
    return response


@bp.get("/analytics.js")
def analytics():
    """Stand-in for an analytics tag: sets _ga and _ga_<id>."""
    return _asset(ANALYTICS_JS, "text/javascript")


@bp.get("/ads.js")
def ads():
    """Stand-in for an ads tag: sets _gcl_au."""
    return _asset(ADS_JS, "text/javascript")


@bp.get("/youtube-embed.html")
def video():
    """Stand-in for a YouTube embed: framed by the demo shop, as the real player is by a shop."""
    return _asset(VIDEO_HTML, "text/html", {"Content-Security-Policy": framing_policy("'self'"), **FRAMED_BY_SELF})


@bp.get("/pixel.gif")
def pixel():
    """Stand-in for an affiliate tracking pixel."""
    return _asset(PIXEL, "image/gif")


@bp.get("/shop")
def shop():
    """The demo shop with `?lang=` on <html> (sv, en, or another tag to see the fallback), and with `?csp=strict` under a strict nonce-based CSP."""
    lang = request.args.get("lang", "sv")
    lang = lang if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang) else "sv"
    strict = request.args.get("csp") == "strict"
    nonce = csp_nonce() if strict else None
    site = current_app.config.get("CONSENT_DEMO_SITE", "demo")
    html = render_template("demo.html", site=site, base_url=request.host_url.rstrip("/"), nonce=nonce, lang=lang)
    # The strict policy of our own pages, with the fake YouTube embed allowed in a frame.
    policy = strict_policy(nonce, frame_src="'self'") if nonce else framing_policy()
    return Response(html, mimetype="text/html", headers={"Content-Security-Policy": policy})
