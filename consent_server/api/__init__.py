"""The API blueprints. REGISTRATION POINT: add a blueprint module's `blp` to BLUEPRINTS."""
from __future__ import annotations

from importlib import import_module

from flask_smorest import Api

# Module paths (relative to this package) of every blueprint, registered in this order.
BLUEPRINTS: list[str] = [
    ".health",
    ".consents",
    ".visitors",
    ".inventory",
    ".policy_versions",
    ".snippet",
    ".exports",
    ".visitor_export",
    ".receipts",
    ".erasure",
    ".refusals",
]


def register_blueprints(api: Api) -> None:
    """Register every API blueprint with flask-smorest (and so with the OpenAPI spec)."""
    for module in BLUEPRINTS:
        api.register_blueprint(import_module(module, __name__).blp)
