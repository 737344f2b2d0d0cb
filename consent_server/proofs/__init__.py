"""Proofs over the consent log: sealing, the signing key, receipts, erasure, retention, proof export.

The database side of the pure ledger/ (which defines the bytes and verifies them); no
views and no commands here (those are in web/, api/ and cli/).
"""
