"""The tamper-evident consent log, pure: leaves, Merkle trees, signed tree heads, keys and verification.

Nothing here imports Flask or the database, so the verifier runs anywhere the
``cryptography`` package does (an auditor's laptop, CI).
"""
from __future__ import annotations

from .errors import VerificationError
from .keys import KeyRing
from .receipt import verify_receipt
from .verify import Summary, Verifier, verify_file, verify_lines

__all__ = ["KeyRing", "Summary", "VerificationError", "Verifier", "verify_file", "verify_lines", "verify_receipt"]
