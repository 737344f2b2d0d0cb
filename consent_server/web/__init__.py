"""HTML pages. REGISTRATION POINT: add a page blueprint module to PAGES."""
from __future__ import annotations

from importlib import import_module

from flask import Flask

from . import page_security

PAGES: list[str] = [
    ".api_docs",
    ".cookie_policy",
    ".receipts",
    "..proofs.signing",
]
# The demo shop at / and its fake third-party assets (one sets fake _ga cookies): only under
# `consent-server demo` (`make run`), which sets CONSENT_DEMO; a production server has no /.
DEMO_PAGES: list[str] = [
    ".demo",
    ".demo_assets",
]


def register_pages(app: Flask) -> None:
    """Register every page blueprint (the demo's only in demo mode) and the pages' security headers."""
    for module in PAGES + (DEMO_PAGES if app.config["CONSENT_DEMO"] else []):
        app.register_blueprint(import_module(module, __name__).bp)
    page_security.init_app(app)
