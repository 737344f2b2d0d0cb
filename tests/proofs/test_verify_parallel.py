"""The multi-process verifier gives the same verdict, and names the same first bad record, as the single one."""
from __future__ import annotations

import json

import pytest

from consent_server.ledger import KeyRing, VerificationError, verify_lines
from consent_server.ledger.parallel import verify_file

from .builders import memory_log


@pytest.fixture
def exported(tmp_path):
    log = memory_log(300, 64)
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(log.export()) + "\n")
    return path, KeyRing.from_document(log.keys_document())


def _parallel(path, ring):
    return verify_file(str(path), ring, workers=2, chunk=7, min_bytes=0)


def test_sound_export_verifies_in_parallel(exported):
    path, ring = exported
    summary = _parallel(path, ring)
    assert (summary.records, summary.batches) == (300, 5)


@pytest.mark.parametrize("edit", ["alter", "delete", "swap"])
def test_same_first_bad_record_as_single_process(exported, edit):
    path, ring = exported
    lines = path.read_text().splitlines()
    if edit == "alter":
        obj = json.loads(lines[150])
        obj["language"] = "en" if obj["language"] == "sv" else "sv"
        lines[150] = json.dumps(obj)
    elif edit == "delete":
        del lines[150]
    else:
        lines[150], lines[151] = lines[151], lines[150]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(VerificationError) as single:
        verify_lines(lines, ring)
    with pytest.raises(VerificationError) as parallel:
        _parallel(path, ring)
    assert parallel.value.record == single.value.record is not None
    assert str(parallel.value) == str(single.value)
