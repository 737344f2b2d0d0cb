"""`consent-server verify` throughput on a proof export of 1,000,000 records (target: >= 50,000 records/s).

    .venv/bin/python bench/verify_bench.py [--records 1000000] [--batch 4096] [--keep]
    .venv/bin/python bench/verify_bench.py --file export.jsonl --keys keys.json   (an existing export)

Without --file it writes a realistic export (varied visitors, choices, pages,
languages, both policy versions) with the same line and leaf code the server's
producer and sealer use (``consent_server.ledger``), streamed to a temporary
file, signed with a fresh Ed25519 key in batches of --batch leaves (the
sealer's default batch size). It then runs the verifier as a separate process,
``python -m consent_server.ledger FILE --keys keys.json`` (what an auditor
runs; no database, no app), and prints wall time, records/s, the ratio to the
target, and the verifier's peak RSS. One signature check per tree head, one
leaf hash and one personal-field digest per record, one node hash per leaf.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consent_server.ledger import heads, keys, lines  # noqa: E402
from consent_server.ledger.builder import record_leaf_hash, sign_batch  # noqa: E402
from consent_server.ledger.leaf import canonical, new_salt, personal_digest, PERSONAL_FIELDS  # noqa: E402

TARGET = 50_000
PURPOSES = ("necessary", "analytics", "ads", "youtube", "affiliate")
ACTIONS = ("accept_all", "reject_all", "custom", "withdraw", "gpc", "placeholder")
PAGES = ("/", "/kassa", "/produkt/kaffekopp", "/produkt/tekanna", "/kategori/kok", "/om-oss")
BROWSERS = (("Chrome", "131", "Windows", "desktop"), ("Safari", "18", "iOS", "mobile"),
            ("Firefox", "133", "Linux", "desktop"), ("Samsung Internet", "27", "Android", "mobile"))


def _policy(version: int) -> dict:
    sections = [{"purpose": p, "title": {"sv": p.title(), "en": p.title()}} for p in PURPOSES[: 3 + version]]
    return {"inventory": {"sections": sections, "processors": []}, "texts": {"sv": {"banner_title": "Kakor"},
                                                                           "en": {"banner_title": "Cookies"}}}


def write_export(path: Path, records: int, batch: int, seed: int = 5) -> dict:
    """Write a signed proof export of ``records`` records; returns its keys.json document."""
    rng = random.Random(seed)
    key = keys.generate()
    policies = {v: _policy(v) for v in (1, 2)}
    hashes = {v: __import__("hashlib").sha256(canonical(c)).hexdigest() for v, c in policies.items()}
    entry = keys.key_entry(keys.public_raw(key), "2026-01-01T00:00:00.000000Z", None)
    prev, index, number = heads.GENESIS, 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write(lines.header_line(site="bench", generated_at="2026-11-25T00:00:00.000000Z", from_=None, to=None,
                                    keys=[entry], checkpoint=None) + "\n")
        for version, content in policies.items():
            out.write(lines.policy_line(version, hashes[version], content) + "\n")
        while index < records:
            number += 1
            size = min(batch, records - index)
            chunk, leaf_hashes = [], []
            for i in range(index, index + size):
                version = 1 if i < records // 2 else 2
                browser = BROWSERS[rng.randrange(len(BROWSERS))]
                record = {
                    "receipt_id": f"{i:024x}", "recorded_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:"
                    f"{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000000:06d}Z",
                    "policy_version": version,
                    "choices": {p: p == "necessary" or rng.random() < 0.4 for p in PURPOSES[: 3 + version]},
                    "action": ACTIONS[rng.randrange(len(ACTIONS))], "language": "sv" if rng.random() < 0.8 else "en",
                    "gpc": rng.random() < 0.05, "client_ts": None,
                    "visitor_id": f"v{rng.getrandbits(96):024x}", "page_path": PAGES[rng.randrange(len(PAGES))],
                    "ip_truncated": f"192.0.{rng.randrange(256)}.0/24", "browser_family": browser[0],
                    "browser_major": browser[1], "os_family": browser[2], "device_type": browser[3],
                    "country": "SE", "user_agent": None,
                }
                salt = new_salt()
                digest = personal_digest(salt, [record[f] for f in PERSONAL_FIELDS])
                h = record_leaf_hash("bench", i, record, hashes[version], digest)
                leaf_hashes.append(h)
                chunk.append(lines.record_line(record, index=i, batch=number, salt=salt.hex(),
                                               personal_digest=digest, leaf_hash=h.hex()))
            head, signature = sign_batch(key=key, site="bench", batch=number, first_index=index,
                                         leaf_hashes=leaf_hashes, prev=prev, sealed_at="2026-11-25T00:00:00.000000Z")
            chunk.append(lines.head_line(head, signature))
            out.write("\n".join(chunk) + "\n")
            prev, index = heads.head_hash(head), index + size
        out.write(lines.end_line(records=records, erasures=0, batches=number) + "\n")
    return {"keys": [entry]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--file", help="verify this existing export instead of writing one")
    parser.add_argument("--keys", help="keys.json for --file")
    parser.add_argument("--keep", action="store_true", help="keep the generated export")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="verify-bench-"))
    if args.file:
        path, keys_path = Path(args.file), args.keys
    else:
        path, keys_path = work / "export.jsonl", str(work / "keys.json")
        started = time.perf_counter()
        Path(keys_path).write_text(json.dumps(write_export(path, args.records, args.batch)))
        print(f"wrote {args.records:,} records in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB, batches of {args.batch})")
    command = [sys.executable, "-m", "consent_server.ledger", str(path)] + (["--keys", keys_path] if keys_path else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_mb = after.ru_maxrss / 1024
    print(result.stdout.strip() or result.stderr.strip())
    if result.returncode:
        print("verify FAILED", file=sys.stderr)
        return 1
    records = int(result.stdout.split("\n")[1].split()[0])
    rate = records / elapsed
    print(f"verify: {records:,} records in {elapsed:.2f} s = {rate:,.0f} records/s "
          f"(target {TARGET:,}: ratio {rate / TARGET:.2f}); peak RSS {rss_mb:.0f} MB")
    print(f"  CPU {cpu:.2f} s over {os.cpu_count()} cores ({records / cpu:,.0f} records per CPU second); "
          f"load average {load:.1f} when it started (other work on the machine slows the wall time)")
    if not args.keep and not args.file:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
