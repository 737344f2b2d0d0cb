"""``python -m consent_server.ledger FILE [--keys keys.json|URL]``: the offline verifier without the app."""
from __future__ import annotations

import argparse
import sys

from .tool import run_verify


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and verify one export file."""
    parser = argparse.ArgumentParser(prog="python -m consent_server.ledger", description="Verify a proof export offline.")
    parser.add_argument("file")
    parser.add_argument("--keys", help="keys.json file or its URL (default: the keys in the file, with a warning)")
    parser.add_argument("--workers", type=int, default=None, help="processes for large files (default: CPU count)")
    args = parser.parse_args(argv)
    return run_verify(args.file, args.keys, workers=args.workers)


if __name__ == "__main__":
    sys.exit(main())
