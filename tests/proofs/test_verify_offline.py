"""The offline verifier on in-memory exports: passes a sound log, names the first bad record otherwise."""
from __future__ import annotations

import json

import pytest

from consent_server.ledger import KeyRing, VerificationError, keys, verify_lines

from .builders import memory_log


def _lines(records=10, batch=4):
    log = memory_log(records, batch)
    return list(log.export()), KeyRing.from_document(log.keys_document())


def _edit(line: str, **changes) -> str:
    obj = json.loads(line)
    obj.update(changes)
    return json.dumps(obj)


def test_sound_export_verifies_with_published_keys():
    lines, ring = _lines()
    summary = verify_lines(lines, ring)
    assert (summary.records, summary.batches, summary.tree_size) == (10, 3, 10)
    assert not summary.keys_from_file


def test_without_keys_the_file_keys_are_used_and_flagged():
    lines, _ = _lines()
    summary = verify_lines(lines)
    assert summary.keys_from_file and "WARNING" in summary.text()


def test_altered_record_is_named():
    lines, ring = _lines()
    lines[4] = _edit(lines[4], choices={"necessary": True, "analytics": False})
    with pytest.raises(VerificationError) as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000002"


def test_altered_personal_field_is_named():
    lines, ring = _lines()
    lines[3] = _edit(lines[3], country="DK")
    with pytest.raises(VerificationError, match="personal fields") as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000001"


def test_deleted_record_is_named_by_the_gap():
    lines, ring = _lines()
    del lines[4]
    with pytest.raises(VerificationError, match="leaf 2 is missing") as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000003"


def test_swapped_records_are_named():
    lines, ring = _lines()
    lines[3], lines[4] = lines[4], lines[3]
    with pytest.raises(VerificationError, match="out of order|missing") as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000002"


def test_swapped_contents_keeping_indexes_are_named():
    lines, ring = _lines()
    a, b = json.loads(lines[3]), json.loads(lines[4])
    a["index"], b["index"] = b["index"], a["index"]
    lines[3], lines[4] = json.dumps(b), json.dumps(a)
    with pytest.raises(VerificationError, match="moved or swapped") as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000002"


def test_rehashed_forgery_breaks_the_root():
    lines, ring = _lines()
    # A forger who also recomputes the leaf hash still cannot match the signed root.
    forged = json.loads(lines[4])
    forged["action"] = "accept_all"
    from consent_server.ledger.builder import record_leaf_hash
    policy_hash = json.loads(lines[1])["content_hash"]
    forged["leaf_hash"] = record_leaf_hash("demo", 2, forged, policy_hash, forged["personal_digest"]).hex()
    lines[4] = json.dumps(forged)
    with pytest.raises(VerificationError, match="Merkle root"):
        verify_lines(lines, ring)


def test_removed_batch_breaks_the_chain():
    lines, ring = _lines()
    # Lines: header, policy, 4 records + head, 4 records + head, 2 records + head, end.
    del lines[7:12]
    with pytest.raises(VerificationError, match="missing"):
        verify_lines(lines, ring)


def test_heads_signed_by_a_key_not_given_fail():
    lines, _ = _lines()
    other = KeyRing([keys.key_entry(keys.public_raw(keys.generate()), None, None)])
    with pytest.raises(VerificationError, match="not among the given public keys"):
        verify_lines(lines, other)


def test_forged_signature_under_a_known_key_id_fails():
    lines, ring = _lines()
    head = json.loads(lines[6])
    head["signature"] = keys.sign(keys.generate(), b"something else")
    lines[6] = json.dumps(head)
    with pytest.raises(VerificationError, match="signature does not verify"):
        verify_lines(lines, ring)


def test_policy_content_must_hash_right():
    lines, ring = _lines()
    policy = json.loads(lines[1])
    policy["content"]["texts"]["sv"] = {"banner_title": "Ändrad"}
    lines[1] = json.dumps(policy)
    with pytest.raises(VerificationError, match="policy version 1"):
        verify_lines(lines, ring)


def test_missing_policy_version_names_the_record():
    lines, ring = _lines()
    del lines[1]
    with pytest.raises(VerificationError, match="policy version 1 is not in the export") as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000000"


def test_truncated_export_fails():
    lines, ring = _lines()
    with pytest.raises(VerificationError, match="truncated"):
        verify_lines(lines[:-1], ring)


def test_redacted_record_needs_a_sealed_erasure():
    lines, ring = _lines()
    obj = json.loads(lines[2])
    for name in ("page_path", "ip_truncated", "browser_family", "browser_major", "os_family", "device_type", "country"):
        obj[name] = None
    obj["salt"], obj["visitor_id"] = None, "hmac-of-visitor"
    lines[2] = json.dumps(obj)
    with pytest.raises(VerificationError, match="without a sealed erasure") as err:
        verify_lines(lines, ring)
    assert err.value.record == "r00000000"


@pytest.mark.parametrize("garbage", ["{not json", "[1, 2]", '{"type": "nonsense"}', '"just a string"'])
def test_a_line_that_is_not_part_of_an_export_fails(garbage):
    lines, ring = _lines()
    lines.insert(5, garbage)
    with pytest.raises(VerificationError, match=r"line 6: (not a JSON line|unknown line type)"):
        verify_lines(lines, ring)
