"""HTML pages. REGISTRATION POINT: import a page blueprint module in `pages` and add its `bp`."""
from __future__ import annotations

from flask import Blueprint, Flask

from . import page_security


def pages(demo: bool) -> list[Blueprint]:
    """Every page blueprint, in registration order; the demo's only when `demo`."""
    # Imported here, not at the top: importing one module of web/ (snippet, body_template)
    # must not load every page.
    from . import api_docs, cookie_policy, keys, receipts

    found = [api_docs.bp, cookie_policy.bp, receipts.bp, keys.bp]
    if demo:
        # The demo shop at / and its fake third-party assets (one sets fake _ga cookies): only under
        # `consent-server demo` (`make run`), which sets CONSENT_DEMO; a production server has no /.
        from . import demo as demo_shop
        from . import demo_assets

        found += [demo_shop.bp, demo_assets.bp]
    return found


def register_pages(app: Flask) -> None:
    """Register every page blueprint (the demo's only in demo mode) and the pages' security headers."""
    for blueprint in pages(app.config["CONSENT_DEMO"]):
        app.register_blueprint(blueprint)
    page_security.init_app(app)
