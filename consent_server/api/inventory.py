"""GET/PUT /api/v1/sites/{site}/inventory: the site's cookie inventory and its policy version."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..domain.policies import current_policy, replace_inventory
from ..domain.sites import get_site
from ..extensions import db
from ..models import PolicyVersion
from .auth import require_key
from .docs import error_responses, refuse_deep_json
from .schemas import StrictBoolean, StrictSchema

blp = Blueprint(
    "inventory", __name__, url_prefix="/api/v1/sites",
    description="The cookie inventory: what is stored on a visitor's device, by whom, why and for how long.",
)

# An inventory is far larger than a consent (the default is about 31 KB), so this blueprint alone
# raises the app-wide body limit (CONSENT_MAX_BODY_BYTES) for its requests (Flask >= 3.1).
INVENTORY_MAX_BYTES = 1024 * 1024


@blp.before_request
def authenticate_writes() -> None:
    # Registered first, so it runs before anything reads the body: a PUT's body (up to
    # INVENTORY_MAX_BYTES) is read and parsed only for the site's owner; anyone else is
    # refused (401/403) without it being read. view_args is None when routing failed (404/405).
    if request.method == "PUT" and request.view_args is not None:
        require_key(get_site(request.view_args["site"]), ("owner",))


@blp.before_request
def allow_inventory_sized_bodies() -> None:
    request.max_content_length = INVENTORY_MAX_BYTES


@blp.before_request
def refuse_deep_bodies() -> None:
    # After the hook above (a blueprint's hooks run in order). webargs parses the body with
    # Python's recursive parser, which a deep body would take past the recursion limit.
    refuse_deep_json(request.get_data(cache=True, as_text=True))


class InventoryIn(StrictSchema):
    # The inventory and texts are validated against schemas/policy-content.schema.json by the domain layer,
    # which answers 422 with every schema error keyed by its dotted path.
    inventory = fields.Dict(required=True, metadata={"description": "See schemas/inventory.schema.json."})
    texts = fields.Dict(load_default=None, metadata={"description": "Banner texts per language; default: keep."})
    material = StrictBoolean(load_default=None, allow_none=True,
                             metadata={"description": "Force whether visitors are asked again; default: the rule."})


class InventoryOut(Schema):
    site = fields.String(required=True)
    policy_version = fields.Integer(required=True)
    policy_hash = fields.String(required=True)
    published_at = fields.AwareDateTime(required=True)
    material = fields.Boolean(required=True)
    changed = fields.Boolean(metadata={"description": "PUT only: whether a new version was published."})
    inventory = fields.Dict(required=True)
    texts = fields.Dict(required=True)


def inventory_out(site_key: str, policy: PolicyVersion, changed: bool | None = None) -> dict:
    """The response body for a site's inventory at one policy version."""
    body = {
        "site": site_key,
        "policy_version": policy.version,
        "policy_hash": policy.content_hash,
        "published_at": policy.created_at,
        "material": policy.material,
        "inventory": policy.content["inventory"],
        "texts": policy.content["texts"],
    }
    if changed is not None:
        body["changed"] = changed
    return body


@blp.route("/<site>/inventory")
class Inventory(MethodView):
    @blp.response(200, InventoryOut)
    @error_responses(blp, 404)
    def get(self, site: str):
        """The current inventory and texts, with their policy version (public)."""
        record = get_site(site)
        return inventory_out(record.key, current_policy(record))

    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(InventoryIn)
    @blp.response(200, InventoryOut)
    @error_responses(blp, 400, 401, 403, 404, 415, 422)
    def put(self, body: dict, site: str):
        """Replace the inventory (owner key); a new policy version only when the content changed."""
        record = get_site(site)  # the owner's key was checked before the body was read (authenticate_writes)
        policy, changed = replace_inventory(
            site=record, inventory=body["inventory"], texts=body["texts"], material=body["material"]
        )
        db.session.commit()
        return inventory_out(record.key, policy, changed)
