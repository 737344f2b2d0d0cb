"""The demo shop page that `make run` serves at /."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .page_security import framing_policy

bp = Blueprint("demo", __name__, template_folder="templates")


@bp.get("/")
def index():
    """A small shop page for the demo site, with the banner tag first in <head>."""
    site = current_app.config.get("CONSENT_DEMO_SITE", "demo")
    html = render_template("demo.html", site=site, base_url=request.host_url.rstrip("/"))
    # Plays a shop without a script policy, as most shops are (/demo-assets/shop?csp=strict is one with).
    return html, 200, {"Content-Security-Policy": framing_policy()}
