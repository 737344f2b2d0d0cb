"""GET /api/v1/sites/{site}/policy-versions[/{version}[/diff/{other}]]: every published version (public)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..models import PolicyVersion
from ..policies import diff_policies, list_policies, require_policy
from ..sites import get_site
from .docs import error_responses

blp = Blueprint(
    "policy_versions", __name__, url_prefix="/api/v1/sites",
    description="Immutable policy versions: exactly what visitors were shown, by content hash.",
)


class PolicyVersionOut(Schema):
    site = fields.String(required=True)
    version = fields.Integer(required=True)
    content_hash = fields.String(required=True, metadata={"description": "SHA-256 hex of the canonical JSON"})
    published_at = fields.AwareDateTime(required=True)
    material = fields.Boolean(required=True, metadata={"description": "Whether this version asks visitors again"})
    consent_floor = fields.Integer(required=True, metadata={"description": "Oldest version whose consents hold"})
    content = fields.Dict(required=True, metadata={"description": "{inventory, texts}"})


class PolicyListOut(Schema):
    site = fields.String(required=True)
    versions = fields.List(fields.Nested(PolicyVersionOut), required=True)


class PolicyDiffOut(Schema):
    site = fields.String(required=True)
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)
    sections = fields.List(fields.Dict(), required=True)
    processors = fields.List(fields.Dict(), required=True)
    order_changed = fields.Boolean(required=True)
    texts = fields.Dict(required=True)
    material_reasons = fields.List(fields.String(), required=True)


def version_out(site_key: str, policy: PolicyVersion) -> dict:
    """One version as the API shows it."""
    return {
        "site": site_key,
        "version": policy.version,
        "content_hash": policy.content_hash,
        "published_at": policy.created_at,
        "material": policy.material,
        "consent_floor": policy.consent_floor,
        "content": policy.content,
    }


@blp.route("/<site>/policy-versions")
class PolicyVersions(MethodView):
    @blp.response(200, PolicyListOut)
    @error_responses(blp, 404)
    def get(self, site: str):
        """Every version the site ever published, oldest first, with its full content."""
        record = get_site(site)
        return {"site": record.key, "versions": [version_out(record.key, p) for p in list_policies(record.id)]}


@blp.route("/<site>/policy-versions/<int:version>")
class PolicyVersionOne(MethodView):
    @blp.response(200, PolicyVersionOut)
    @error_responses(blp, 404)
    def get(self, site: str, version: int):
        """One version with its full content (inventory and texts)."""
        record = get_site(site)
        return version_out(record.key, require_policy(record.id, version))


@blp.route("/<site>/policy-versions/<int:version>/diff/<int:other>")
class PolicyVersionDiff(MethodView):
    @blp.response(200, PolicyDiffOut)
    @error_responses(blp, 404)
    def get(self, site: str, version: int, other: int):
        """What changed from one version to another, section by section, and why it is material."""
        record = get_site(site)
        diff = diff_policies(require_policy(record.id, version), require_policy(record.id, other))
        diff["from_"] = diff.pop("from")
        return {"site": record.key, **diff}
