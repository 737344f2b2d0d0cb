"""YAML and JSON export/import round-trips a whole policy content."""
from __future__ import annotations

import pytest

from consent_server.inventory import FormatError, dumps, loads
from consent_server.inventory.formats import guess_format

from .builders import content


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip(fmt: str) -> None:
    doc = content()
    assert loads(dumps(doc, fmt), fmt) == doc


def test_yaml_keeps_swedish_letters_and_key_order() -> None:
    text = dumps(content(), "yaml")
    assert "Nödvändiga" in text
    assert text.index("inventory:") < text.index("texts:")


@pytest.mark.parametrize("fmt,text", [("json", "{"), ("yaml", "a: [")])
def test_bad_text_raises_format_error(fmt: str, text: str) -> None:
    with pytest.raises(FormatError):
        loads(text, fmt)


def test_unknown_format_raises() -> None:
    with pytest.raises(FormatError):
        dumps({}, "xml")


@pytest.mark.parametrize("name,fmt", [("a.json", "json"), ("a.JSON", "json"), ("a.yaml", "yaml"), ("a.yml", "yaml")])
def test_guess_format(name: str, fmt: str) -> None:
    assert guess_format(name) == fmt


def test_keys_are_written_in_policy_order_whatever_the_input_order() -> None:
    scrambled = {"texts": {"sv": {"b": "1", "a": "2"}}, "inventory": {"processors": [], "sections": [
        {"services": [], "title": {"en": "E", "sv": "S"}, "purpose": "necessary"}]}}
    text = dumps(scrambled, "json")
    assert text.index('"inventory"') < text.index('"texts"')
    assert text.index('"sections"') < text.index('"processors"')
    assert text.index('"purpose"') < text.index('"title"') < text.index('"services"')
    assert text.index('"sv": "S"') < text.index('"en": "E"')
    assert text.index('"b"') < text.index('"a"')
    assert loads(text, "json") == scrambled
