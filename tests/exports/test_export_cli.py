"""`consent-server export`: same code path and output as the API."""
import csv
import io
import json

from consent_server.cli import cli
from consent_server.cli.exports import export_command


def test_export_writes_the_same_csv_as_the_api(runner, client, site, add_records, owner_key, bearer, tmp_path):
    add_records(site, 5)
    out = tmp_path / "log.csv"
    result = runner.invoke(export_command, ["shop", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    api = client.get("/api/v1/sites/shop/consents", headers=bearer(owner_key)).get_data()
    assert out.read_bytes() == api
    assert len(list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))) == 6


def test_export_filters_and_formats(runner, site, add_records, tmp_path):
    add_records(site, 2, action="accept_all")
    add_records(site, 3, action="reject_all")
    out = tmp_path / "log.json"
    result = runner.invoke(export_command, ["shop", "--action", "reject_all", "--format", "iso27560", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["records"]) == 3


def test_bad_option_is_a_usage_error(runner, site, tmp_path):
    result = runner.invoke(export_command, ["shop", "--from", "yesterday", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "from" in result.output


def test_unknown_site_fails(runner, app, tmp_path):
    result = runner.invoke(export_command, ["nosuch", "-o", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "nosuch" in result.output


def test_registered_on_the_consent_server_command():
    assert "export" in cli.commands
