"""A visitor's export: by owner/auditor key, and self-service with a receipt id."""
import csv
import io

import pytest

VISITOR = "visitor-abcdefghijkl"
OTHER = "visitor-zzzzzzzzzzzz"


def export_url(visitor: str = VISITOR, site: str = "shop") -> str:
    return f"/api/v1/sites/{site}/visitors/{visitor}/export"


def receipts_url(visitor: str = VISITOR, site: str = "shop") -> str:
    return f"/api/v1/sites/{site}/visitors/{visitor}/receipts"


@pytest.fixture
def visits(site, add_records):
    """Two records of VISITOR on policy 1, one of another visitor."""
    add_records(site, 1, visitor_id=VISITOR, receipt_id="receipt-first-0000000001", action="accept_all")
    add_records(site, 1, visitor_id=VISITOR, receipt_id="receipt-second-000000002", action="withdraw",
                choices={"necessary": True, "analytics": False}, page_path="=cmd|' /C calc'!A0")
    add_records(site, 1, visitor_id=OTHER, receipt_id="receipt-other-0000000003")


def test_owner_gets_every_record_and_the_policy_shown(client, visits, owner_key, bearer):
    response = client.get(export_url(), headers=bearer(owner_key))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="consents-shop-visitor-')
    body = response.get_json()
    assert body["visitor_id"] == VISITOR and body["site"] == "shop"
    assert [r["receipt_id"] for r in body["records"]] == ["receipt-first-0000000001", "receipt-second-000000002"]
    assert [p["version"] for p in body["policies"]] == [1]
    assert body["policies"][0]["content"]["inventory"]["sections"][0]["purpose"] == "necessary"


def test_auditor_gets_csv(client, visits, auditor_key, bearer):
    response = client.get(export_url(), query_string={"format": "csv"}, headers=bearer(auditor_key))
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["accept_all", "withdraw"]
    assert rows[1]["page_path"].startswith("'=")  # neutralised


@pytest.mark.parametrize(
    ("headers_key", "status"),
    [(None, 401), ("other_owner_key", 403)],
)
def test_export_needs_this_sites_key(client, visits, request, bearer, headers_key, status):
    headers = bearer(request.getfixturevalue(headers_key)) if headers_key else {}
    assert client.get(export_url(), headers=headers).status_code == status


def test_export_of_unknown_visitor_is_404(client, visits, owner_key, bearer):
    assert client.get(export_url("visitor-nobody-000000"), headers=bearer(owner_key)).status_code == 404


@pytest.mark.parametrize("query", [{"format": "xml"}, {"colour": "red"}])
def test_export_bad_parameters_are_422(client, visits, owner_key, bearer, query):
    assert client.get(export_url(), query_string=query, headers=bearer(owner_key)).status_code == 422


def test_export_bad_visitor_id_is_422(client, visits, owner_key, bearer):
    assert client.get(export_url("short"), headers=bearer(owner_key)).status_code == 422


def test_visitor_downloads_own_records_with_a_receipt(client, visits):
    response = client.get(receipts_url(), query_string={"receipt": "receipt-second-000000002"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_json()
    assert len(body["records"]) == 2
    assert {r["visitor_id"] for r in body["records"]} == {VISITOR}


def test_another_visitors_receipt_does_not_open_the_records(client, visits):
    response = client.get(receipts_url(), query_string={"receipt": "receipt-other-0000000003"})
    assert response.status_code == 404
    assert response.get_json()["code"] == "unknown_receipt"


def test_receipt_of_another_site_does_not_open_the_records(client, visits, other_site, add_records):
    add_records(other_site, 1, visitor_id=VISITOR, receipt_id="receipt-elsewhere-000004")
    response = client.get(receipts_url(), query_string={"receipt": "receipt-elsewhere-000004"})
    assert response.status_code == 404


@pytest.mark.parametrize("query", [{}, {"receipt": "bad id!"}])
def test_receipts_need_a_well_formed_receipt(client, visits, query):
    assert client.get(receipts_url(), query_string=query).status_code == 422


def test_receipts_answer_the_sites_own_origin_with_cors(client, visits):
    response = client.get(receipts_url(), query_string={"receipt": "receipt-first-0000000001"},
                          headers={"Origin": "https://shop.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    foreign = client.get(receipts_url(), query_string={"receipt": "receipt-first-0000000001"},
                         headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
