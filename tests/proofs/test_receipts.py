"""GET /api/v1/receipts/{id} and /receipts/{id}: the proof checks out from the receipt JSON and keys.json alone."""
from __future__ import annotations

import json

import pytest

from consent_server.cli.keys import keys_cli
from consent_server.ledger import KeyRing, VerificationError, verify_receipt
from tests.builders import visitor_id


def _keys(client) -> KeyRing:
    return KeyRing.from_document(client.get("/.well-known/consent-server/keys.json").get_json())


def test_receipt_json_has_record_policy_and_proof(client, site, signed, log):
    (receipt,) = log.post(1)
    log.seal()
    doc = client.get(f"/api/v1/receipts/{receipt}").get_json()
    assert doc["record"]["receipt_id"] == receipt
    assert doc["record"]["choices"]["analytics"] is True and doc["record"]["choices"]["ads"] is False
    assert doc["record"]["page_path"] == "/kassa" and doc["record"]["ip_truncated"]
    assert doc["policy"]["version"] == 1 and "inventory" in doc["policy"]["content"]
    assert doc["proof"]["tree_head"]["batch"] == 1


def test_receipt_proof_verifies_from_json_and_keys_alone(client, site, signed, log):
    receipts = log.post(7)
    log.seal()
    ring = _keys(client)
    for receipt in receipts:
        # A round trip through text: exactly what a visitor or auditor downloads.
        doc = json.loads(client.get(f"/api/v1/receipts/{receipt}").data)
        head = verify_receipt(doc, ring)
        assert head["size"] == 7


@pytest.mark.parametrize("path, value", [
    (("record", "choices", "ads"), True),
    (("record", "action"), "accept_all"),
    (("record", "recorded_at"), "2026-01-01T00:00:00.000000Z"),
    (("policy", "content", "texts", "sv", "banner_title"), "Något annat"),
    (("proof", "leaf_index"), 3),
])
def test_a_changed_receipt_fails(client, site, signed, log, path, value):
    receipts = log.post(5)
    log.seal()
    doc = client.get(f"/api/v1/receipts/{receipts[2]}").get_json()
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(VerificationError):
        verify_receipt(doc, _keys(client))


def test_unsealed_receipt_has_no_proof_yet(client, site, signed, log):
    (receipt,) = log.post(1)
    doc = client.get(f"/api/v1/receipts/{receipt}").get_json()
    assert doc["proof"] is None
    with pytest.raises(VerificationError, match="not sealed"):
        verify_receipt(doc, _keys(client))


def test_old_receipts_verify_after_key_rotation(client, runner, site, signed, log):
    (receipt,) = log.post(1)
    log.seal()
    assert runner.invoke(keys_cli, ["rotate"]).exit_code == 0
    log.post(1)
    log.seal()
    verify_receipt(client.get(f"/api/v1/receipts/{receipt}").get_json(), _keys(client))
    assert log.verify(log.export(site)).exit_code == 0


def test_unknown_receipt_is_404_in_the_one_error_shape(client, site):
    response = client.get("/api/v1/receipts/nosuchreceipt")
    assert response.status_code == 404
    assert response.get_json()["code"] == "unknown_receipt"


@pytest.mark.parametrize("language, title, denied", [("sv", "Kvitto på ditt samtycke", "Nekat"),
                                                     ("en", "Receipt for your consent", "Denied")])
def test_receipt_page_in_the_records_language(client, site, signed, log, language, title, denied):
    (receipt,) = log.post(1, language=language)
    log.seal()
    for response in (client.get(f"/receipts/{receipt}"),
                     client.get(f"/api/v1/receipts/{receipt}", headers={"Accept": "text/html"})):
        assert response.status_code == 200 and response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert title in page and denied in page and receipt in page and f'lang="{language}"' in page


def test_receipt_page_unknown_is_404(client, site):
    assert client.get("/receipts/nosuchreceipt").status_code == 404


def test_receipt_page_shows_no_banner(client, site, signed, log):
    # Like the cookie-policy page, it is on the consent server's origin, where a decision would be
    # refused and stored in the wrong cookie jar.
    (receipt,) = log.post(1)
    page = client.get(f"/receipts/{receipt}").get_data(as_text=True)
    assert "/c/" not in page and "<script" not in page and "data-consent-open" not in page


def _receipt_texts(client, receipt: str) -> tuple[dict, str, str]:
    """The receipt as a stranger holding its id gets it: JSON, its raw text, and the printable page."""
    response = client.get(f"/api/v1/receipts/{receipt}")
    page = client.get(f"/receipts/{receipt}").get_data(as_text=True)
    return response.get_json(), response.get_data(as_text=True), page


def test_a_receipt_names_the_visitor_only_by_a_keyed_digest(client, site, signed, log):
    visitor = visitor_id()
    first, second = log.post(2, visitor_id=visitor)
    (stranger,) = log.post(1)
    log.seal()
    doc, text, page = _receipt_texts(client, first)
    assert visitor not in text and visitor not in page
    assert "visitor_id" not in doc["record"] and doc["proof"]["salt"] is None
    pseudonym = doc["record"]["visitor_pseudonym"]
    assert len(pseudonym) == 64 and pseudonym in page
    assert _receipt_texts(client, second)[0]["record"]["visitor_pseudonym"] == pseudonym
    assert _receipt_texts(client, stranger)[0]["record"]["visitor_pseudonym"] != pseudonym
    verify_receipt(doc, _keys(client))  # still checks out offline


def test_a_receipt_opens_nothing_else(client, site, signed, log, owner_key):
    visitor = visitor_id()
    receipt, _ = log.post(2, visitor_id=visitor)
    doc, text, _ = _receipt_texts(client, receipt)
    pseudonym = doc["record"]["visitor_pseudonym"]
    listing = f"/api/v1/sites/shop/visitors/{pseudonym}/receipts"
    assert client.get(listing, query_string={"receipt": receipt}).status_code == 404
    # The one who knows the visitor id learns no receipt id from the public state either.
    state = client.get(f"/api/v1/sites/shop/visitors/{visitor}/consent")
    assert state.status_code == 200 and receipt not in state.get_data(as_text=True)
    # After an erasure the stored visitor id is the erasure's pseudonym: the receipt shows
    # neither it nor anything that opens the erased records, and names the visitor as before.
    erased = client.delete(f"/api/v1/sites/shop/visitors/{visitor}", headers={"Authorization": f"Bearer {owner_key}"})
    assert erased.status_code == 200
    after, text, page = _receipt_texts(client, receipt)
    assert after["erased"] is True and erased.get_json()["visitor_hmac"] not in text + page
    assert after["record"]["visitor_pseudonym"] == pseudonym
    assert client.get(listing, query_string={"receipt": receipt}).status_code == 404


def test_before_keys_init_a_receipt_names_no_one(client, site, log):
    visitor = visitor_id()
    (receipt,) = log.post(1, visitor_id=visitor)
    doc, text, page = _receipt_texts(client, receipt)
    assert doc["record"]["visitor_pseudonym"] is None and doc["proof"] is None
    assert visitor not in text + page and receipt in page
