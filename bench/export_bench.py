"""Export benchmark: 1,000,000 records in each format, on SQLite and on PostgreSQL.

    .venv/bin/python bench/export_bench.py [--count 1000000] [--db sqlite --db postgres]
        [--pg-url URL] [--format csv ...] [--keep]

For each database it seeds a site with ``bench/seed.py`` (bulk Core inserts,
then sealed into signed batches so the proof export is the real thing), then
runs every export in a child process of its own, exactly as the API and
``consent-server export`` do (``consent_server.exports.service.build_export``),
writing the file to disk. The parent reads the child's peak RSS from
``os.wait4`` (``ru_maxrss``) and the child reports the time spent exporting
(app start-up excluded; the wall time including start-up is shown too).
It prints a table of rows/s (records / export seconds), the export's own CPU
seconds in the child and rows per CPU-second (a figure that a busy machine
distorts less; on PostgreSQL the server's own CPU is not in it), MB written
and peak RSS,
and checks the targets: CSV and JSONL at least 100,000 rows/s with peak RSS
under 150 MB.

SQLite uses ``bench/results/export-bench.db`` (kept and reused when it already
holds ``--count`` records); PostgreSQL a private database that is dropped at
the end unless ``--keep`` (then it is reused next time).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
INSTANCE = RESULTS / "instance"
SITE = "bench"
FORMATS = ("csv", "jsonl", "xlsx", "iso27560")
TARGETS = {"csv": (100_000, 150), "jsonl": (100_000, 150)}  # rows/s at least, peak RSS MB below
DEFAULT_PG = "postgresql+psycopg://root@127.0.0.1:5432/test"
PG_NAME = "consent_export_bench"


def child(url: str, fmt: str, out: str) -> None:
    """Run one export in this process and print {"seconds", "bytes"} as JSON."""
    sys.path.insert(0, str(ROOT))
    from consent_server import create_app
    from consent_server.exports.query import Filters
    from consent_server.exports.service import build_export
    from consent_server.domain.sites import get_site

    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    app = create_app({"CONSENT_DATABASE_URL": url, "CONSENT_INSTANCE_DIR": str(INSTANCE)})
    with app.app_context():
        started, cpu_started = time.perf_counter(), cpu()
        export = build_export(get_site(SITE), fmt, Filters())
        size = 0
        with open(out, "wb") as fh:
            for chunk in export.chunks:
                fh.write(chunk)
                size += len(chunk)
        seconds, export_cpu = time.perf_counter() - started, cpu() - cpu_started
    print(json.dumps({"seconds": seconds, "bytes": size, "export_cpu": export_cpu}))


def run_child(url: str, fmt: str, out: Path) -> dict:
    """Start a child export; its peak RSS comes from wait4, its timing from its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", "--database-url", url, "--format", fmt, "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{fmt} export failed: {stderr.decode()[-2000:]}")
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    # Linux: ru_maxrss in KiB. CPU seconds of the child alone (PostgreSQL's own work is in its backend).
    report.update(wall=wall, rss_mb=usage.ru_maxrss / 1024, cpu=usage.ru_utime + usage.ru_stime)
    return report


def record_count(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT count(*) FROM consents c JOIN sites s ON s.id = c.site_id WHERE s.key = :k"), {"k": SITE}
            ).scalar_one()
    except sa.exc.DBAPIError:
        return 0
    finally:
        engine.dispose()


def prepare(db: str, count: int, pg_url: str) -> str:
    """A database URL whose site ``bench`` holds exactly ``count`` sealed records (seeding when needed)."""
    import sqlalchemy as sa

    if db == "sqlite":
        path = RESULTS / "export-bench.db"
        url = f"sqlite:///{path}"
        if path.exists() and record_count(url) != count:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        base = sa.engine.make_url(pg_url)
        url = base.set(database=PG_NAME).render_as_string(hide_password=False)
        engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_NAME}).first()
            if exists and record_count(url) != count:
                conn.execute(sa.text(f'DROP DATABASE "{PG_NAME}" WITH (FORCE)'))
                exists = None
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{PG_NAME}"'))
        engine.dispose()
    if record_count(url) != count:
        subprocess.run([sys.executable, str(ROOT / "bench" / "seed.py"), "--database-url", url, "--site", SITE,
                        "--count", str(count), "--seal", "--instance", str(INSTANCE)], check=True, cwd=ROOT)
    return url


def drop_pg(pg_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(sa.engine.make_url(pg_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--db", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--format", action="append", choices=FORMATS, dest="formats")
    parser.add_argument("--pg-url", default=os.environ.get("CONSENT_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database for the next run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.database_url, args.formats[0], args.out)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    failures = []
    rows_out = []
    for db in args.db or ["sqlite", "postgres"]:
        url = prepare(db, args.count, args.pg_url)
        try:
            for fmt in args.formats or FORMATS:
                with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
                    report = run_child(url, fmt, Path(tmp) / f"export.{fmt}")
                rate = args.count / report["seconds"]
                rows_out.append((db, fmt, rate, report))
                target = TARGETS.get(fmt)
                if target and (rate < target[0] or report["rss_mb"] >= target[1]):
                    failures.append(f"{db}/{fmt}")
        finally:
            if db == "postgres" and not args.keep:
                drop_pg(args.pg_url)
    print(f"\nexport of {args.count:,} records (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'database':<9} {'format':<9} {'rows/s':>10} {'export s':>9} {'wall s':>7} {'export CPU s':>12} "
          f"{'rows/CPU-s':>11} {'MB out':>8} {'peak RSS MB':>12}  target")
    for db, fmt, rate, r in rows_out:
        target = TARGETS.get(fmt)
        verdict = "-" if not target else ("ok" if rate >= target[0] and r["rss_mb"] < target[1] else "MISSED")
        print(f"{db:<9} {fmt:<9} {rate:>10,.0f} {r['seconds']:>9.1f} {r['wall']:>7.1f} {r['export_cpu']:>12.1f} "
              f"{args.count / r['export_cpu']:>11,.0f} {r['bytes'] / 1e6:>8.1f} {r['rss_mb']:>12.1f}  {verdict}")
    if failures:
        print(f"targets missed: {', '.join(failures)} (CSV/JSONL >= 100,000 rows/s, peak RSS < 150 MB)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
