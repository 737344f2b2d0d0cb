"""A visitor's current state (public) and history (owner or auditor key of the same site)."""
from __future__ import annotations

import copy

import pytest

from consent_server.domain.policies import current_policy, publish_policy
from consent_server.extensions import db
from tests.builders import consent_body, visitor_id


def post(client, site_key="shop", **fields):
    response = client.post(f"/api/v1/sites/{site_key}/consents", json=consent_body(**fields))
    assert response.status_code == 201, response.json
    return response.json


def state_url(vid: str, site_key: str = "shop") -> str:
    return f"/api/v1/sites/{site_key}/visitors/{vid}/consent"


def history_url(vid: str, site_key: str = "shop") -> str:
    return f"/api/v1/sites/{site_key}/visitors/{vid}/history"


def test_state_is_the_latest_decision(client, site):
    vid = visitor_id()
    post(client, visitor_id=vid, action="accept_all", choices={p: True for p in ("analytics", "ads", "youtube", "affiliate")})
    last = post(client, visitor_id=vid, action="withdraw", choices={"analytics": True})
    state = client.get(state_url(vid)).json
    assert state["choices"] == {"necessary": True, "analytics": True, "ads": False, "youtube": False, "affiliate": False}
    assert "receipt_id" not in state and last["receipt_id"] not in str(state)  # a receipt id would open the history
    assert state["action"] == "withdraw"
    assert (state["policy_version"], state["current_policy_version"], state["reconsent_required"]) == (1, 1, False)


def test_state_of_an_unknown_visitor_is_404(client, site):
    response = client.get(state_url(visitor_id()))
    assert response.status_code == 404 and response.json["code"] == "no_consent"


def test_state_with_a_bad_visitor_id_is_422(client, site):
    assert client.get(state_url("bad id!")).status_code in (404, 422)
    assert client.get(state_url("short")).status_code == 422


def test_state_is_scoped_by_site(client, site, other_site):
    vid = visitor_id()
    post(client, visitor_id=vid)
    assert client.get(state_url(vid, "other"), headers={"Origin": "https://other.example"}).status_code == 404


def _changed(content: dict, *, material: bool) -> dict:
    changed = copy.deepcopy(content)
    section = changed["inventory"]["sections"][1]
    section["description"]["en"] += " (edited)"
    return changed


@pytest.mark.parametrize(("material", "reconsent"), [(True, True), (False, False)])
def test_reconsent_required_only_after_a_material_change(client, site, material, reconsent):
    vid = visitor_id()
    post(client, visitor_id=vid)
    publish_policy(site=site, content=_changed(current_policy(site).content, material=material), material=material)
    db.session.commit()
    state = client.get(state_url(vid)).json
    assert state["current_policy_version"] == 2
    assert state["reconsent_required"] is reconsent


def test_history_oldest_first_for_owner_and_auditor(client, site, owner_key, auditor_key):
    vid = visitor_id()
    first = post(client, visitor_id=vid, action="accept_all")
    second = post(client, visitor_id=vid, action="withdraw")
    for token in (owner_key, auditor_key):
        response = client.get(history_url(vid), headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        receipts = [r["receipt_id"] for r in response.json["records"]]
        assert receipts == [first["receipt_id"], second["receipt_id"]]
        assert response.json["records"][0]["ip_truncated"] == "127.0.0.0/24"


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        (None, 401, "missing_api_key"),
        ("Bearer", 401, "missing_api_key"),
        ("Basic dXNlcjpwYXNz", 401, "missing_api_key"),
        ("Bearer cs_not-a-real-token", 401, "invalid_api_key"),
    ],
)
def test_history_without_a_valid_key(client, site, header, status, code):
    vid = visitor_id()
    post(client, visitor_id=vid)
    headers = {"Authorization": header} if header else {}
    response = client.get(history_url(vid), headers=headers)
    assert response.status_code == status and response.json["code"] == code


def test_history_with_another_sites_key_is_403(client, site, other_owner_key):
    vid = visitor_id()
    post(client, visitor_id=vid)
    response = client.get(history_url(vid), headers={"Authorization": f"Bearer {other_owner_key}"})
    assert response.status_code == 403 and response.json["code"] == "wrong_site"


def test_revoked_key_stops_working(client, site, owner_key, runner):
    from consent_server.cli import cli
    from consent_server.models import ApiKey

    vid = visitor_id()
    post(client, visitor_id=vid)
    key_id = db.session.query(ApiKey.id).scalar()
    result = runner.invoke(cli, ["key", "revoke", str(key_id)])
    assert result.exit_code == 0, result.output
    response = client.get(history_url(vid), headers={"Authorization": f"Bearer {owner_key}"})
    assert response.status_code == 401


def test_history_of_unknown_visitor_is_404(client, site, owner_key):
    response = client.get(history_url(visitor_id()), headers={"Authorization": f"Bearer {owner_key}"})
    assert response.status_code == 404
