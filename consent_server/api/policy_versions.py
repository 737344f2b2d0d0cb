"""GET /api/v1/sites/{site}/policy-versions[/{version}[/diff/{other}]]: published versions (public).

The list shows summaries a page at a time; the content (inventory and texts, 30 KB to 1 MB
each) only comes one version at a time, so an anonymous read costs little however many
versions a site publishes.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import Row

from ..domain.policies import diff_policies, policy_summaries, require_policy
from ..domain.sites import get_site
from ..models import PolicyVersion
from .docs import error_responses
from .schemas import StrictSchema

blp = Blueprint(
    "policy_versions", __name__, url_prefix="/api/v1/sites",
    description="Immutable policy versions: exactly what visitors were shown, by content hash.",
)


MAX_PAGE_SIZE = 100


class PolicySummaryOut(Schema):
    """One version without its content (GET .../policy-versions/{version} has that)."""

    version = fields.Integer(required=True)
    content_hash = fields.String(required=True, metadata={"description": "SHA-256 hex of the canonical JSON"})
    published_at = fields.AwareDateTime(required=True)
    material = fields.Boolean(required=True, metadata={"description": "Whether this version asks visitors again"})
    consent_floor = fields.Integer(required=True, metadata={"description": "Oldest version whose consents hold"})


class PolicyVersionOut(PolicySummaryOut):
    site = fields.String(required=True)
    content = fields.Dict(required=True, metadata={"description": "{inventory, texts}"})


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=2**31 - 1),
                          metadata={"description": "Page number, from 1"})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
                               metadata={"description": f"Versions per page, at most {MAX_PAGE_SIZE}"})


class PolicyListOut(Schema):
    site = fields.String(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "How many versions the site has published"})
    next_page = fields.Integer(required=True, allow_none=True, metadata={"description": "null on the last page"})
    versions = fields.List(fields.Nested(PolicySummaryOut), required=True,
                           metadata={"description": "Oldest first; published versions never change, so pages are stable"})


class PolicyDiffOut(Schema):
    site = fields.String(required=True)
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)
    sections = fields.List(fields.Dict(), required=True)
    processors = fields.List(fields.Dict(), required=True)
    order_changed = fields.Boolean(required=True)
    texts = fields.Dict(required=True)
    material_reasons = fields.List(fields.String(), required=True)


def summary_out(policy: PolicyVersion | Row) -> dict:
    """One version's summary as the API shows it (of a version or of a row of policies.SUMMARY_COLUMNS)."""
    return {
        "version": policy.version,
        "content_hash": policy.content_hash,
        "published_at": policy.created_at,
        "material": policy.material,
        "consent_floor": policy.consent_floor,
    }


def version_out(site_key: str, policy: PolicyVersion) -> dict:
    """One version as the API shows it, content included."""
    return {"site": site_key, **summary_out(policy), "content": policy.content}


@blp.route("/<site>/policy-versions")
class PolicyVersions(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True, unknown=RAISE)
    @blp.response(200, PolicyListOut)
    @error_responses(blp, 404, 422)
    def get(self, site: str, page: int, page_size: int):
        """The versions the site published, oldest first, a page at a time: summaries without content."""
        record = get_site(site)
        total, rows = policy_summaries(record.id, (page - 1) * page_size, page_size)
        return {
            "site": record.key, "page": page, "page_size": page_size, "total": total,
            "next_page": page + 1 if page * page_size < total else None,
            "versions": [summary_out(row) for row in rows],
        }


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
