"""HTML pages. REGISTRATION POINT: add a page blueprint module to PAGES."""
from __future__ import annotations

from importlib import import_module

from flask import Flask

PAGES: list[str] = [
    ".demo",
    ".api_docs",
    ".cookie_policy",
    ".demo_assets",
    ".receipts",
    "..signing",
]


def register_pages(app: Flask) -> None:
    """Register every page blueprint."""
    for module in PAGES:
        app.register_blueprint(import_module(module, __name__).bp)
