"""ISO/IEC TS 27560-shaped document (pure): valid against the schema, every field documented."""
import json
from pathlib import Path

import jsonschema
import pytest

from consent_server.exports.iso27560 import event_state, iter_iso27560, notice_entry
from consent_server.ledger.canonical import canonical_json, sha256_hex

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "consent-record-27560.schema.json").read_text())
DATA = ROOT / "consent_server" / "data"


@pytest.fixture
def content():
    inventory = json.loads((DATA / "default_inventory.json").read_text())
    texts = json.loads((DATA / "default_texts.json").read_text())
    return {"inventory": inventory, "texts": texts}


def document(rows, content):
    notice = notice_entry("demo", 1, content, sha256_hex(canonical_json(content)), None)
    header = {
        "generated_at": "2026-11-25T12:00:00Z",
        "site": {"key": "demo", "name": "Demo"},
        "pii_controller": {"name": "Demo"},
        "filters": {"from": None, "to": None, "purpose": None, "decision": None, "action": None},
    }
    return b"".join(iter_iso27560([rows], header=header, notices=[notice], validity="P365D"))


def test_document_validates_against_schema(make_row, content):
    purposes = [s["purpose"] for s in content["inventory"]["sections"]]
    rows = [
        make_row(id=1, choices={p: True for p in purposes}, action="accept_all"),
        make_row(id=2, choices={p: p == "necessary" for p in purposes}, action="withdraw", gpc=True),
    ]
    doc = json.loads(document(rows, content))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert len(doc["records"]) == 2
    states = {p["purpose_id"]: p["event"]["event_state"] for p in doc["records"][1]["purposes"]}
    assert states["necessary"] == "not_required"
    assert set(states.values()) == {"not_required", "withdrawn"}


def test_empty_document_is_valid(content):
    doc = json.loads(document([], content))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["records"] == []


def test_schema_is_valid_and_every_property_has_a_description():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{path}/{name}")
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")

    walk(SCHEMA, "")
    assert missing == []


@pytest.mark.parametrize(
    ("granted", "basis", "action", "state"),
    [
        (True, "consent", "custom", "given"),
        (False, "consent", "reject_all", "refused"),
        (False, "consent", "withdraw", "withdrawn"),
        (True, "exempt", "reject_all", "not_required"),
    ],
)
def test_event_state(granted, basis, action, state):
    assert event_state(granted, basis, action) == state
