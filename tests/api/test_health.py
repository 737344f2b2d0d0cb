"""Health probes and the API's documentation."""


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_touches_the_database(client):
    assert client.get("/readyz").json == {"status": "ok"}


def test_openapi_spec_lists_the_core_endpoints(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    assert "post" in paths["/api/v1/sites/{site}/consents"]
    assert "get" in paths["/api/v1/sites/{site}/visitors/{visitor_id}/consent"]
    assert "get" in paths["/api/v1/sites/{site}/visitors/{visitor_id}/history"]
    error = spec["components"]["schemas"]["Error"] if "Error" in spec["components"]["schemas"] else None
    assert error is None or set(error["properties"]) == {"status", "code", "message", "errors"}


def test_human_docs_page(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"/api/v1/sites/{site}/consents" in page.data
    # The catch-all error response is a $ref to a shared response: its description is shown.
    assert page.get_data(as_text=True).count("<td>default</td><td>Default error response</td>") >= 10


def test_unknown_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.delete("/healthz")
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"


def test_demo_page_explains_curl(demo_client):
    page = demo_client.get("/").get_data(as_text=True)
    assert "/c/demo.js" in page and "curl" in page


def test_openapi_documents_who_may_record_a_decision(client):
    spec = client.get("/api/openapi.json").json
    post = spec["paths"]["/api/v1/sites/{site}/consents"]["post"]
    assert post["security"] == [{}, {"bearerAuth": []}]  # a browser of the site's origins, or a recorder key
    assert {"401", "403"} <= set(post["responses"])
    assert "recorder" in post["description"] and "Origin" in post["description"]
    assert "recorder" in spec["components"]["securitySchemes"]["bearerAuth"]["description"]
    state = spec["components"]["schemas"]["StateOut"]["properties"]
    assert "choices" in state and "receipt_id" not in state  # the public state opens no history
