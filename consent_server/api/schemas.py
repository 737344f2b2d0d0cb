"""Marshmallow request and response schemas of the public API (mirrored by ../schemas/*.json)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate

from ..models import ACTIONS, LANGUAGES
from .patterns import FullMatch

VISITOR_ID = r"^[A-Za-z0-9_-]{16,64}$"
# Never in a page URL: white space, controls, line separators, and lone surrogates (halves of a
# UTF-16 pair that JSON's "\udc00" can name): no UTF-8 encodes them, so no database stores them.
_NOT_URL = r"\s\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
PAGE_URL = re.compile(rf"^(https?://[^/?#{_NOT_URL}]+(?:[/?#][^{_NOT_URL}]*)?|/[^{_NOT_URL}]*)$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
PAGE_URL_ERROR = "Must be an http(s) URL or an absolute path."


def no_control_characters(value: str) -> None:
    """Reject control characters (and line separators) in free text."""
    if CONTROL.search(value):
        raise ValidationError("Control characters are not allowed.")


def splits_as_url(value: str) -> None:
    """Reject what urlsplit refuses (an unclosed "[" of an IPv6 host, a netloc that NFKC turns into "#")."""
    try:
        urlsplit(value)
    except ValueError as error:
        # The error names the netloc: say only that the URL is not one.
        raise ValidationError(PAGE_URL_ERROR) from error


class UtcDateTime(fields.AwareDateTime):
    """An RFC 3339 time with its offset, loaded as UTC; refused when UTC has no such year (1-9999)."""

    default_error_messages = {"out_of_range": "Must be a time between the years 1 and 9999 in UTC."}

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError as error:  # 0001-01-01T00:00+01:00 is in the year 0 in UTC
            raise self.make_error("out_of_range") from error


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
    visitor_id = fields.String(required=True, validate=FullMatch(VISITOR_ID))
    policy_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    choices = fields.Dict(keys=fields.String(validate=validate.Length(1, 32)), values=StrictBoolean(),
                          required=True, validate=validate.Length(max=64))
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    page_url = fields.String(
        validate=[validate.Length(max=2048), no_control_characters, FullMatch(PAGE_URL, error=PAGE_URL_ERROR),
                  splits_as_url],
        allow_none=True,
    )
    client_ts = UtcDateTime(format="iso", allow_none=True)


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
