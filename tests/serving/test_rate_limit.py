"""CONSENT_RATELIMIT holds across every gunicorn worker of a host with the default storage."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.servers import make_live_server

from .builders import CLIENT_SOURCE, consent_body, post_from

CONSENTS = "/api/v1/sites/demo/consents"
LIMIT = 60
SENT = 200
OTHER_NETWORK_SOURCE = "127.0.1.77"  # another /24 than CLIENT_SOURCE's


@pytest.mark.slow
def test_three_workers_let_exactly_the_limit_through(app, database_url, instance):
    server = make_live_server(database_url, instance, CONSENT_WORKERS="3", CONSENT_RATELIMIT=f"{LIMIT} per minute")
    create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    db.session.commit()
    server.start()
    browser = {"Origin": server.url}  # the banner posts from the site's registered origin
    try:
        # A new connection per POST, 12 at a time: gunicorn's workers take them in turns, so
        # every worker answers some of the network's requests.
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = Counter(status for status, _ in pool.map(
                lambda _: post_from(server.port, CONSENTS, consent_body(), browser), range(SENT)))
        assert statuses == {201: LIMIT, 429: SENT - LIMIT}
        # Another network has a budget of its own.
        assert post_from(server.port, CONSENTS, consent_body(), browser, source=OTHER_NETWORK_SOURCE)[0] == 201
        # The network spent its budget: still refused, with the time until its window ends.
        status, answer = post_from(server.port, CONSENTS, consent_body(), browser, source=CLIENT_SOURCE)
        assert (status, answer["code"]) == (429, "too_many_requests")
    finally:
        server.stop()
