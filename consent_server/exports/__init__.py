"""Auditor and visitor exports of the consent log.

Pure, Flask-free writers (``formula``, ``records``, ``csv_writer``,
``xlsx_writer``, ``record_json``, ``iso27560``) turn batches of plain row
tuples into bytes; ``query`` streams those batches from the database with
constant memory; ``service`` and ``visitor`` tie both together for the API
and the CLI (``format=jsonl`` is the proofs producer, ``proof_export``).
"""
