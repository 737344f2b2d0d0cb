"""The API blueprints. REGISTRATION POINT: import a blueprint module in `blueprints` and add its `blp`."""
from __future__ import annotations

from flask_smorest import Api, Blueprint


def blueprints() -> list[Blueprint]:
    """Every API blueprint, in registration order."""
    # Imported here, not at the top: importing one module of api/ (schemas, patterns) must not
    # load every view, and exports/ uses api/patterns.py while api/exports.py uses exports/.
    from . import (
        consents,
        erasure,
        exports,
        health,
        inventory,
        policy_versions,
        receipts,
        refusals,
        snippet,
        visitor_export,
        visitors,
    )

    return [
        health.blp,
        consents.blp,
        visitors.blp,
        inventory.blp,
        policy_versions.blp,
        snippet.blp,
        exports.blp,
        visitor_export.blp,
        receipts.blp,
        erasure.blp,
        refusals.blp,
    ]


def register_blueprints(api: Api) -> None:
    """Register every API blueprint with flask-smorest (and so with the OpenAPI spec)."""
    for blueprint in blueprints():
        api.register_blueprint(blueprint)
