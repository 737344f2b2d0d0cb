"""Seed a site's consent log fast, for the export benchmarks.

    .venv/bin/python bench/seed.py [--database-url URL] [--site bench] [--count 1000000] [--seal]

Migrates the database, creates the site (default policy) if it is missing and
appends ``--count`` records with bulk Core inserts (executemany of 10,000 rows
per statement, one transaction per batch). The rows look like real traffic:
a mix of actions, every purpose of the policy decided, Swedish and English,
browsers, countries, truncated networks, page paths, times spread over the
past year in order. ``--seal`` then seals them into signed batches (needs a
signing key: it runs ``keys init`` first when the instance has none), so the
proof export (``format=jsonl``) has real leaves and tree heads to write.
Without ``--database-url`` it uses ``CONSENT_DATABASE_URL`` or the SQLite
file under ``--instance`` (default ``bench/results/instance/``, git-ignored).
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from consent_server import create_app  # noqa: E402
from consent_server.domain.policies import current_policy  # noqa: E402
from consent_server.domain.sites import create_site  # noqa: E402
from consent_server.extensions import db  # noqa: E402
from consent_server.models import Consent, Site  # noqa: E402

ACTIONS = ["accept_all"] * 50 + ["reject_all"] * 30 + ["custom"] * 15 + ["withdraw"] * 3 + ["gpc", "placeholder"]
BROWSERS = [("Chrome", "131", "Windows", "desktop"), ("Mobile Safari", "18", "iOS", "mobile"),
            ("Firefox", "133", "Linux", "desktop"), ("Samsung Internet", "26", "Android", "mobile"),
            ("Edge", "131", "Windows", "desktop"), ("Chrome Mobile", "131", "Android", "tablet")]
COUNTRIES = ["SE"] * 8 + ["NO", "FI", "DK", "DE", None]
PAGES = ["/", "/kassa", "/produkt/kaffe-bryggare", "/kategori/tillbehör", "/om-oss", "/kontakt", "/varukorg"]
BATCH = 10_000
INSTANCE = ROOT / "bench" / "results" / "instance"  # the signing key of sealed bench logs; git-ignored


def make_rows(site_id: int, version: int, purposes: list[str], start: int, count: int, t0: datetime,
              step: float, rng: random.Random) -> list[dict]:
    """``count`` realistic records, numbered from ``start``."""
    rows = []
    for n in range(start, start + count):
        action = rng.choice(ACTIONS)
        if action == "accept_all":
            choices = {p: True for p in purposes}
        elif action in ("reject_all", "withdraw", "gpc"):
            choices = {p: p == "necessary" for p in purposes}
        else:
            choices = {p: p == "necessary" or rng.random() < 0.5 for p in purposes}
        browser, major, os_family, device = rng.choice(BROWSERS)
        at = t0 + timedelta(seconds=n * step)
        rows.append({
            "site_id": site_id, "visitor_id": f"v{rng.getrandbits(96):024x}", "receipt_id": secrets.token_urlsafe(18),
            "policy_version": version, "choices": choices, "action": action, "language": rng.choice(["sv", "sv", "sv", "en"]), "page_path": rng.choice(PAGES),
            "ip_truncated": f"192.0.{rng.randrange(256)}.0/24", "browser_family": browser, "browser_major": major,
            "os_family": os_family, "device_type": device, "country": rng.choice(COUNTRIES),
            "gpc": action == "gpc", "recorded_at": at, "client_ts": at - timedelta(milliseconds=rng.randrange(900)),
            "user_agent": None,
        })
    return rows


def seed(url: str | None, site_key: str, count: int, seal: bool, instance: str = str(INSTANCE)) -> None:
    """Create/migrate, insert ``count`` records, optionally seal; prints progress and rates."""
    config = {"CONSENT_INSTANCE_DIR": instance, **({"CONSENT_DATABASE_URL": url} if url else {})}
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        site = db.session.scalar(select(Site).where(Site.key == site_key))
        if site is None:
            site = create_site(key=site_key, name="Benchbutiken", origins=["https://bench.example"])
            db.session.commit()
        policy = current_policy(site)
        purposes, version, site_id = policy.purposes, policy.version, site.id
        before = db.session.scalar(select(func.count()).select_from(Consent).where(Consent.site_id == site_id))
        db.session.commit()
        rng = random.Random(1)
        t0 = datetime.now(timezone.utc) - timedelta(days=365)
        step = 365 * 86400 / max(count, 1)
        started = time.perf_counter()
        with db.engine.connect() as conn:
            for offset in range(0, count, BATCH):
                rows = make_rows(site_id, version, purposes, before + offset, min(BATCH, count - offset), t0, step, rng)
                conn.execute(insert(Consent), rows)
                conn.commit()
        seconds = time.perf_counter() - started
        print(f"seeded {count:,} records into site {site_key!r} ({before:,} before) in {seconds:.1f} s "
              f"({count / seconds:,.0f} rows/s) on {db.engine.dialect.name}")
        if seal:
            _seal(app, site_key)


def _seal(app, site_key: str) -> None:
    """Seal everything now with the instance's signing key (created when missing)."""
    from consent_server.cli.keys import keys_cli
    from consent_server.proofs.sealing import seal_all
    from consent_server.proofs.signing import signing_key

    if signing_key(required=False) is None:
        result = app.test_cli_runner().invoke(keys_cli, ["init"])
        if result.exit_code != 0:
            raise SystemExit(result.output)
    started = time.perf_counter()
    results = seal_all(site_key=site_key, grace=0)
    seconds = time.perf_counter() - started
    leaves = sum(r.size for r in results)
    print(f"sealed {leaves:,} records in {len(results)} batches in {seconds:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("CONSENT_DATABASE_URL"))
    parser.add_argument("--site", default="bench")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seal", action="store_true", help="seal the records into signed batches afterwards")
    parser.add_argument("--instance", default=str(INSTANCE), help="instance folder (signing key)")
    args = parser.parse_args(argv)
    seed(args.database_url, args.site, args.count, args.seal, args.instance)


if __name__ == "__main__":
    main()
