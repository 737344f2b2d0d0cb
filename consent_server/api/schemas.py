"""Marshmallow request and response schemas of the public API (mirrored by ../schemas/*.json)."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from ..models import ACTIONS

VISITOR_ID = r"^[A-Za-z0-9_-]{16,64}$"
_URL_CHAR = r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]"
PAGE_URL = re.compile(rf"^(https?://[^\s/?#\x00-\x1f\x7f-\x9f]+(?:[/?#]{_URL_CHAR}*)?|/{_URL_CHAR}*)$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def no_control_characters(value: str) -> None:
    """Reject control characters (and line separators) in free text."""
    if CONTROL.search(value):
        raise ValidationError("Control characters are not allowed.")


class StrictBoolean(fields.Boolean):
    """Only JSON true and false: "yes", 1 or "false" are type errors, not guesses."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictSchema(Schema):
    class Meta:
        # Unknown fields are an error: a misspelt field should not vanish silently.
        unknown = "raise"


class ConsentIn(StrictSchema):
    visitor_id = fields.String(required=True, validate=validate.Regexp(VISITOR_ID))
    policy_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    choices = fields.Dict(keys=fields.String(validate=validate.Length(1, 32)), values=StrictBoolean(),
                          required=True, validate=validate.Length(max=64))
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    language = fields.String(required=True, validate=validate.OneOf(("sv", "en")))
    page_url = fields.String(
        validate=[validate.Length(max=2048), no_control_characters,
                  validate.Regexp(PAGE_URL, error="Must be an http(s) URL or an absolute path.")],
        allow_none=True,
    )
    client_ts = fields.AwareDateTime(format="iso", allow_none=True)


class DecisionOut(Schema):
    """What every answer about one decision carries."""

    visitor_id = fields.String(required=True)
    policy_version = fields.Integer(required=True)
    choices = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    action = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True)


class ConsentOut(DecisionOut):
    receipt_id = fields.String(required=True)
    site = fields.String(required=True)


class StateOut(DecisionOut):
    """The public state: no receipt id (with the visitor id it would open the visitor's history)."""

    site = fields.String(required=True)
    current_policy_version = fields.Integer(required=True)
    reconsent_required = fields.Boolean(required=True)


class RecordOut(DecisionOut):
    receipt_id = fields.String(required=True)
    language = fields.String(required=True)
    page_path = fields.String(allow_none=True)
    ip_truncated = fields.String(allow_none=True)
    browser_family = fields.String(allow_none=True)
    browser_major = fields.String(allow_none=True)
    os_family = fields.String(allow_none=True)
    device_type = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    gpc = fields.Boolean(required=True)
    client_ts = fields.AwareDateTime(allow_none=True)


class HistoryOut(Schema):
    site = fields.String(required=True)
    visitor_id = fields.String(required=True)
    records = fields.List(fields.Nested(RecordOut), required=True)
