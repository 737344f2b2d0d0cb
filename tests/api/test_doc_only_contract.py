"""api.docs.doc_only sets flask-smorest's private `_apidoc` (pinned: flask-smorest>=0.46,<0.48).

A contract test: an upgrade of flask-smorest that stops reading `_apidoc` the same way fails here,
before the published OpenAPI document silently loses its responses.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields

from consent_server.api.docs import doc_only, error_responses


class Answer(Schema):
    said = fields.String()


def test_doc_only_documents_as_the_decorator_does_without_its_wrapper():
    app = Flask(__name__)
    app.config.update(API_TITLE="contract", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    blp = Blueprint("contract", __name__, url_prefix="/contract")

    def view():
        return {"said": "ok"}, 201

    decorated = error_responses(blp, 404)(doc_only(blp.response(201, Answer))(view))
    assert decorated is view  # no wrapper around the view
    blp.route("/answer", methods=["POST"])(decorated)
    api.register_blueprint(blp)

    responses = api.spec.to_dict()["paths"]["/contract/answer"]["post"]["responses"]
    assert set(responses) >= {"201", "404"}
    assert "Answer" in str(responses["201"])
    assert "Error" in str(responses["404"])
