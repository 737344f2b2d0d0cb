"""A body template: the slot filled per value, plain and gzipped, with a validator per value."""
from __future__ import annotations

import gzip

import pytest

from consent_server.web.body_template import Body, BodyTemplate

SLOT = b"cs-slot-0123456789abcdef"
TEXT = b"head " * 3000 + b'{"a":"' + SLOT + b'/x","b":"' + SLOT + b'/y"}' + b" tail" * 5000


@pytest.mark.parametrize("value", [b"http://127.0.0.1:8000", b"https://consent.example.se", b"", "h\u00e4st".encode()])
def test_the_body_is_the_text_with_every_slot_filled(value):
    body = BodyTemplate(TEXT, SLOT).body(value)
    expected = TEXT.replace(SLOT, value)
    assert body.plain == expected
    assert gzip.decompress(body.gzipped) == expected
    assert len(body.gzipped) < len(expected) // 20


def test_each_value_has_its_own_validator_and_the_same_value_the_same():
    template, other = BodyTemplate(TEXT, SLOT), BodyTemplate(TEXT, SLOT)
    first, second = template.body(b"http://a.example"), template.body(b"http://b.example")
    assert first.etag != second.etag
    assert template.body(b"http://a.example").etag == other.body(b"http://a.example").etag == first.etag


def test_a_text_without_the_slot_is_one_body():
    body = BodyTemplate(b"plain text", SLOT).body(b"anything")
    assert body == Body.of(b"plain text") and gzip.decompress(body.gzipped) == b"plain text"
