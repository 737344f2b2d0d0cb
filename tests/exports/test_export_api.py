"""GET /api/v1/sites/{site}/consents: formats, filters, validation, auth, streaming."""
import csv
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "consent-record-27560.schema.json").read_text())
URL = "/api/v1/sites/shop/consents"
T1 = datetime(2026, 1, 10, 8, 0, tzinfo=timezone.utc)
T2 = datetime(2026, 2, 10, 8, 0, tzinfo=timezone.utc)
T3 = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


@pytest.fixture
def log(site, add_records):
    """Six records over three months with different actions and choices."""
    add_records(site, 2, recorded_at=T1, action="accept_all",
                choices={"necessary": True, "analytics": True, "ads": True})
    add_records(site, 3, recorded_at=T2, action="reject_all",
                choices={"necessary": True, "analytics": False, "ads": False})
    add_records(site, 1, recorded_at=T3, action="custom",
                choices={"necessary": True, "analytics": True, "ads": False})


@pytest.mark.parametrize(
    ("fmt", "mimetype", "extension"),
    [
        ("csv", "text/csv", "csv"),
        ("jsonl", "application/x-ndjson", "jsonl"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("iso27560", "application/json", "json"),
    ],
)
def test_each_format_is_an_attachment(client, log, auditor_key, bearer, fmt, mimetype, extension):
    response = client.get(URL, query_string={"format": fmt}, headers=bearer(auditor_key))
    assert response.status_code == 200
    assert response.mimetype == mimetype
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="consents-shop-')
    assert disposition.endswith(f'.{extension}"')
    assert response.is_streamed
    response.close()


def test_csv_has_one_row_per_record_and_a_column_per_purpose(client, log, owner_key, bearer):
    rows = csv_rows(client.get(URL, headers=bearer(owner_key)))
    assert len(rows) == 6
    purposes = [k for k in rows[0] if k.startswith("purpose:")]
    assert purposes[:3] == ["purpose:necessary", "purpose:analytics", "purpose:ads"]
    assert rows[0]["purpose:ads"] == "granted"
    assert rows[2]["purpose:ads"] == "denied"
    assert rows[0]["recorded_at_utc"] == "2026-01-10T08:00:00.000000Z"
    assert rows[0]["gpc"] == "false" and rows[0]["client_ts"] == "" and rows[0]["user_agent"] == ""
    assert rows[0]["purpose:youtube"] == ""  # not in the record's choices


def test_values_from_the_log_are_neutralised_and_survive_intact(client, site, add_records, owner_key, bearer):
    odd = "/sök/åäö ☃ \u2028 a,b \"q\" line\r\nbreak \x1b end"
    add_records(site, 1, page_path="=HYPERLINK(\"http://evil\")", user_agent="@SUM(1)", browser_family="+x",
                visitor_id="-visitor-000000000001", gpc=True,
                client_ts=datetime(2026, 1, 1, 0, 0, 1, 5, tzinfo=timezone.utc))
    add_records(site, 1, page_path=odd)
    rows = csv_rows(client.get(URL, headers=bearer(owner_key)))
    assert rows[0]["page_path"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["user_agent"] == "'@SUM(1)"
    assert rows[0]["browser"] == "'+x"
    assert rows[0]["visitor_id"] == "'-visitor-000000000001"
    assert rows[0]["gpc"] == "true"
    assert rows[0]["client_ts"] == "2026-01-01T00:00:01.000005Z"
    assert rows[1]["page_path"] == odd
    data = client.get(URL, query_string={"format": "xlsx"}, headers=bearer(owner_key)).get_data()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    assert "&apos;=HYPERLINK" in sheet or "'=HYPERLINK" in sheet
    assert "_x001B_" in sheet  # the control character escaped, the XML stays valid


def test_jsonl_is_the_proof_export_and_verifies(client, runner, site, add_records, owner_key, bearer):
    from consent_server.cli.keys import keys_cli
    from consent_server.ledger import KeyRing, verify_lines
    from consent_server.proofs.sealing import seal_all

    assert runner.invoke(keys_cli, ["init"]).exit_code == 0
    add_records(site, 7)
    seal_all(grace=0)
    add_records(site, 2)  # not sealed yet: present, flagged as unsealed
    response = client.get(URL, query_string={"format": "jsonl"}, headers=bearer(owner_key))
    lines = response.get_data(as_text=True).splitlines()
    assert [json.loads(line)["type"] for line in lines].count("record") == 9
    keys = KeyRing.from_document(client.get("/.well-known/consent-server/keys.json").get_json())
    summary = verify_lines(lines, keys)
    assert summary.records == 7 and summary.unsealed_records == 2 and summary.batches == 1


@pytest.mark.parametrize("extra", [{"purpose": "ads"}, {"action": "custom"}])
def test_jsonl_can_only_be_cut_by_time(client, site, owner_key, bearer, extra):
    response = client.get(URL, query_string={"format": "jsonl", **extra}, headers=bearer(owner_key))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == set(extra)


def test_xlsx_has_every_record(client, log, owner_key, bearer):
    data = client.get(URL, query_string={"format": "xlsx"}, headers=bearer(owner_key)).get_data()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row ") == 7


def test_iso27560_validates_against_the_schema(client, log, owner_key, bearer):
    response = client.get(URL, query_string={"format": "iso27560"}, headers=bearer(owner_key))
    document = json.loads(response.get_data())
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert len(document["records"]) == 6
    assert document["notices"][0]["notice_id"] == "shop/policy/1"
    assert document["site"] == {"key": "shop", "name": "Testbutiken"}


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 6),
        ({"from": "2026-02-01"}, 4),
        ({"to": "2026-02-10"}, 5),  # a date as "to" includes that day
        ({"from": "2026-02-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, 3),
        ({"from": "2026-01-10T08:00:00+00:00", "to": "2026-01-10T08:00:01"}, 2),
        ({"action": "reject_all"}, 3),
        ({"purpose": "ads"}, 6),
        ({"purpose": "ads", "decision": "granted"}, 2),
        ({"purpose": "analytics", "decision": "granted"}, 3),
        ({"purpose": "analytics", "decision": "denied"}, 3),
        ({"purpose": "nosuchpurpose"}, 0),
        ({"purpose": "analytics", "decision": "granted", "action": "custom"}, 1),
    ],
)
def test_filters(client, log, owner_key, bearer, query, count):
    response = client.get(URL, query_string=query, headers=bearer(owner_key))
    assert response.status_code == 200, response.get_json()
    assert len(csv_rows(response)) == count


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"purpose": "Bad Purpose"}, "purpose"),
        ({"action": "click"}, "action"),
        ({"decision": "granted"}, "decision"),
        ({"purpose": "analytics", "decision": "maybe"}, "decision"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"colour": "red"}, "colour"),
        ({"purpose": "analytics\n"}, "purpose"),  # `$` alone would match before the newline
        ({"to": "9999-12-31T23:59:59-01:00"}, "to"),  # the year 10000 in UTC
        ({"from": "0001-01-01T00:00:00+01:00"}, "from"),  # the year 0 in UTC
    ],
)
def test_bad_parameters_are_422(client, site, owner_key, bearer, query, field):
    response = client.get(URL, query_string=query, headers=bearer(owner_key))
    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == 422 and body["code"] == "validation_failed"
    assert field in body["errors"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "iso27560"])
def test_the_last_day_there_is_as_to_includes_everything(client, log, owner_key, bearer, fmt):
    query = {"from": "0001-01-01", "to": "9999-12-31", "format": fmt}
    response = client.get(URL, query_string=query, headers=bearer(owner_key))
    assert response.status_code == 200, response.get_json()
    if fmt == "csv":
        assert len(csv_rows(response)) == 6


def test_no_key_is_401(client, site):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.get_json()["code"] == "missing_api_key"


def test_unknown_key_is_401(client, site, bearer):
    assert client.get(URL, headers=bearer("cs_not-a-key")).status_code == 401


def test_other_sites_key_is_403(client, site, other_owner_key, bearer):
    response = client.get(URL, headers=bearer(other_owner_key))
    assert response.status_code == 403
    assert response.get_json()["code"] == "wrong_site"


def test_unknown_site_is_404(client, owner_key, bearer):
    assert client.get("/api/v1/sites/nosuch/consents", headers=bearer(owner_key)).status_code == 404


def test_records_of_other_sites_never_leak(client, log, other_site, add_records, owner_key, bearer):
    add_records(other_site, 4, visitor_id="other-site-visitor-0001")
    rows = csv_rows(client.get(URL, headers=bearer(owner_key)))
    assert len(rows) == 6
    assert all(row["visitor_id"] != "other-site-visitor-0001" for row in rows)


def test_posting_consents_still_works_on_the_same_path(client, site):
    body = {"visitor_id": "abcdefghijklmnop", "policy_version": 1, "choices": {"analytics": True},
            "action": "custom", "language": "sv"}
    response = client.post(URL, json=body, headers={"Origin": "https://shop.example"})
    assert response.status_code == 201
