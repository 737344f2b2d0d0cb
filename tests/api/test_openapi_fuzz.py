"""Fuzz every operation of the served OpenAPI spec: no 5xx, and every answer matches the spec."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from consent_server.domain.sites import create_key
from consent_server.extensions import db


@pytest.fixture
def api_schema(app, site, server_keys):
    """The spec as the app serves it, calling the app in-process (WSGI), with a real key of the site.

    The server's own keys exist, as they must for it to serve (`db upgrade` makes them).
    """
    _, token = create_key(site=site, role="owner")
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.headers = {"Authorization": f"Bearer {token}"}
    return schema


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case):
    # Not "positive data acceptance": a schema-valid body may still name a purpose or policy
    # version this site does not have (422), which no static schema can know.
    case.call_and_validate(checks=[
        not_a_server_error, status_code_conformance, content_type_conformance,
        response_headers_conformance, response_schema_conformance, unsupported_method,
    ])
