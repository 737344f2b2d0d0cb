"""A flood of refused consent POSTs on a real gunicorn (2 workers, threads): every refusal is counted exactly
once, whether each is written at once or held per worker and written every few hundred milliseconds; the
log gets a line per flush, site and reason, never one per request, and never the client's address."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import sqlalchemy as sa

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.builders import eventually
from tests.servers import make_live_server

from .builders import CLIENT_SOURCE, consent_body, post_from

SITE = "https://shop.example"
PATH = "/api/v1/sites/shop/consents"
# Each kind of request of the flood: (headers, body overrides, expected status, expected counter).
KINDS = [
    ({"Origin": "https://evil.example"}, {}, 403, ("origin_not_allowed", "https://evil.example")),
    ({"Origin": "https://www.shop.example"}, {}, 403, ("origin_not_allowed", "https://www.shop.example")),
    ({"Origin": SITE}, {"policy_version": 99}, 422, ("unknown_policy_version", "")),
    ({"Origin": SITE}, {"visitor_id": "short"}, 422, ("validation_failed", "")),
    ({"Origin": SITE}, {}, 201, None),  # recorded ones in between count nothing
]
PER_KIND = 160


@pytest.fixture(params=["0", "0.3"], ids=["written-at-once", "held-per-worker"])
def server(request, app, database_url, instance) -> Iterator:
    live = make_live_server(database_url, instance, CONSENT_REFUSAL_FLUSH=request.param, CONSENT_THREADS="8")
    create_site(key="shop", name="Testbutiken", origins=[SITE], language="sv")
    db.session.commit()
    live.start()
    yield live
    live.stop()


def _counts(database_url: str) -> Counter:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT reason, origin, count FROM refusal_counts")).all()
    engine.dispose()
    return Counter({(reason, origin): n for reason, origin, n in rows})


def test_a_flood_of_refusals_is_counted_exactly(server, database_url) -> None:
    jobs = [kind for kind in KINDS for _ in range(PER_KIND)]

    def send(kind) -> int:
        headers, over, _, _ = kind
        return post_from(server.port, PATH, consent_body(**over), headers)[0]

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(send, jobs))
    assert statuses == [kind[2] for kind in jobs]
    expected = Counter({kind[3]: PER_KIND for kind in KINDS if kind[3]})
    eventually(lambda: _counts(database_url) == expected, 30)
    assert _counts(database_url) == expected
    server.stop()  # a graceful stop writes what a worker still holds: nothing, and nothing twice
    assert _counts(database_url) == expected
    log = server.log.read_text()
    lines = [line for line in log.splitlines() if "refused " in line and "consent POST(s)" in line]
    assert sum(int(line.split("refused ")[1].split()[0]) for line in lines) == sum(expected.values())
    assert CLIENT_SOURCE.rsplit(".", 1)[0] not in "\n".join(lines)
    if server.env["CONSENT_REFUSAL_FLUSH"] != "0":
        assert len(lines) < sum(expected.values()) / 4  # aggregated: lines per flush, not per request


def test_a_graceful_stop_writes_the_counts_a_worker_holds(app, database_url, instance) -> None:
    live = make_live_server(database_url, instance, CONSENT_REFUSAL_FLUSH="3600")
    create_site(key="shop", name="Testbutiken", origins=[SITE], language="sv")
    db.session.commit()
    live.start()
    try:
        statuses = [post_from(live.port, PATH, consent_body(), {"Origin": "https://evil.example"})[0]
                    for _ in range(25)]
        assert statuses == [403] * 25
        assert _counts(database_url) == Counter()  # held in the workers' memory
    finally:
        live.stop()
    assert _counts(database_url) == Counter({("origin_not_allowed", "https://evil.example"): 25})
