"""Which rooms of the package may use which errors: ApiError only at the HTTP edges."""
from __future__ import annotations

import re
from pathlib import Path

import consent_server

PACKAGE = Path(consent_server.__file__).parent
# Rooms that know nothing of HTTP: they raise domain errors (domain/errors.py), never ApiError.
NO_HTTP_ERRORS = ["domain", "storage", "proofs", "ledger", "inventory", "exports", "cli"]


def test_api_error_is_used_only_in_api_http_and_errors_py():
    offenders = [
        str(path.relative_to(PACKAGE))
        for room in NO_HTTP_ERRORS
        for path in sorted((PACKAGE / room).rglob("*.py"))
        if re.search(r"\bApiError\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
