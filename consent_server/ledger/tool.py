"""``verify`` as a command: read an export, load keys from a file or URL, print a summary (no Flask)."""
from __future__ import annotations

import json
import sys
import urllib.request
from typing import TextIO

from .errors import VerificationError
from .keys import KeyRing
from .verify import verify_file


def load_keyring(source: str) -> KeyRing:
    """Key ring from a keys.json path or an http(s) URL of ``/.well-known/consent-server/keys.json``."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (operator-given URL)
            document = json.load(response)
    else:
        with open(source, encoding="utf-8") as fh:
            document = json.load(fh)
    return KeyRing.from_document(document)


def run_verify(
    path: str, keys: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr, workers: int | None = None
) -> int:
    """Verify ``path``; print the summary (exit 0) or the first failure (exit 1); 2 for unreadable input."""
    try:
        keyring = load_keyring(keys) if keys else None
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot load keys from {keys}: {exc}", file=err)
        return 2
    try:
        summary = verify_file(path, keyring, workers=workers)
    except VerificationError as exc:
        print(f"FAILED: {exc}", file=err)
        if exc.record:
            print(f"first bad record: {exc.record}", file=err)
        return 1
    except OSError as exc:
        print(f"cannot read {path}: {exc}", file=err)
        return 2
    print(summary.text(), file=out)
    return 0
