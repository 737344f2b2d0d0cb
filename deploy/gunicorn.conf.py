"""Gunicorn configuration for consent-server: `gunicorn -c deploy/gunicorn.conf.py`.

The settings live in the package (consent_server/http/gunicorn_conf.py) so that a plain
`pip install` serves the same way; override any of them below this import.
"""
from consent_server.http.gunicorn_conf import *  # noqa: F401,F403
