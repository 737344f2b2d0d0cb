"""Publishing policy versions: validation, new versions only on change, materiality, immutability in the database."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from consent_server.domain.errors import Invalid
from consent_server.domain.policies import current_policy, list_policies, publish_policy, replace_inventory
from consent_server.extensions import db
from consent_server.ledger.canonical import content_hash
from consent_server.models import PolicyVersion

from .builders import content, find_section, service


def _with_new_service() -> dict:
    doc = content()
    find_section(doc["inventory"], "analytics")["services"].append(service("Matomo"))
    return doc


def _with_typo() -> dict:
    doc = content()
    find_section(doc["inventory"], "analytics")["description"]["sv"] += " Tack!"
    return doc


def test_new_site_starts_at_version_one_with_the_default(site) -> None:
    [first] = list_policies(site.id)
    assert (first.version, first.material, first.consent_floor) == (1, True, 1)
    assert first.content == content()
    assert first.content_hash == content_hash(content())


def test_unchanged_content_makes_no_version(site) -> None:
    assert publish_policy(site=site, content=content()) is None
    assert [p.version for p in list_policies(site.id)] == [1]


def test_invalid_content_is_rejected_with_schema_errors(site) -> None:
    doc = content()
    doc["inventory"]["sections"][0]["legal_basis"] = "consent"
    with pytest.raises(Invalid) as caught:
        publish_policy(site=site, content=doc)
    assert caught.value.code == "invalid_policy"
    assert "inventory.sections.0.legal_basis" in caught.value.errors
    assert [p.version for p in list_policies(site.id)] == [1]


def test_material_change_raises_the_consent_floor(site) -> None:
    created = publish_policy(site=site, content=_with_new_service())
    assert (created.version, created.material, created.consent_floor) == (2, True, 2)


def test_non_material_change_keeps_the_consent_floor(site) -> None:
    created = publish_policy(site=site, content=_with_typo())
    assert (created.version, created.material, created.consent_floor) == (2, False, 1)


def test_material_can_be_forced_off(site) -> None:
    created = publish_policy(site=site, content=_with_new_service(), material=False)
    assert (created.material, created.consent_floor) == (False, 1)


def test_material_can_be_forced_on(site) -> None:
    created = publish_policy(site=site, content=_with_typo(), material=True)
    assert (created.material, created.consent_floor) == (True, 2)


def test_old_versions_keep_their_content(site) -> None:
    publish_policy(site=site, content=_with_new_service())
    db.session.commit()
    db.session.expire_all()
    first, second = list_policies(site.id)
    assert first.content == content()
    assert first.content_hash == content_hash(first.content)
    assert second.content_hash == content_hash(_with_new_service())


def test_replace_inventory_keeps_texts(site) -> None:
    doc = _with_new_service()
    policy, changed = replace_inventory(site=site, inventory=doc["inventory"])
    assert changed and policy.version == 2
    assert policy.content["texts"] == content()["texts"]
    again, changed_again = replace_inventory(site=site, inventory=doc["inventory"])
    assert (again.version, changed_again) == (2, False)
    assert current_policy(site).version == 2


@pytest.mark.parametrize("statement", [
    "UPDATE policy_versions SET material = NOT material",
    "UPDATE policy_versions SET content_hash = 'x'",
    "DELETE FROM policy_versions",
])
def test_database_refuses_to_change_a_version(site, statement: str) -> None:
    with pytest.raises(DBAPIError, match="immutable"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    [first] = list_policies(site.id)
    assert first.content_hash == content_hash(content())


def test_orm_update_is_refused_too(site) -> None:
    policy = current_policy(site)
    policy.content = _with_typo()
    with pytest.raises(DBAPIError, match="immutable"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(PolicyVersion, policy.id).content == content()
