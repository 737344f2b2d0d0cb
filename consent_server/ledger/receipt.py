"""Check one receipt's proof on its own: record + policy + leaf + inclusion proof + signed tree head (pure)."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from . import heads, merkle
from .errors import VerificationError
from .keys import KeyRing
from .leaf import PERSONAL_FIELDS, PUBLIC_FIELDS, canonical, consent_leaf, personal_digest


def verify_receipt(receipt: Mapping[str, Any], keyring: KeyRing) -> dict[str, Any]:
    """Verify the JSON of ``GET /api/v1/receipts/<id>`` against published keys; returns the signed tree head.

    Raises VerificationError naming what does not hold. The leaf commits to the
    personal fields only through their sealed digest, so a proof without the salt
    still verifies the decision: the server's public receipts never carry the salt
    (they show no visitor id, and the salt would let anyone test guessed ids), and
    an erased record has none left. The personal fields are checked against the
    digest only when the salt and every personal field are given.
    """
    record, policy, proof = receipt["record"], receipt["policy"], receipt.get("proof")
    rid = record["receipt_id"]
    if proof is None:
        raise VerificationError(f"receipt {rid} is not sealed yet: no proof", record=rid)
    if hashlib.sha256(canonical(policy["content"])).hexdigest() != policy["content_hash"]:
        raise VerificationError(f"receipt {rid}: the policy content does not hash to its content hash", record=rid)
    if policy["version"] != record["policy_version"]:
        raise VerificationError(f"receipt {rid}: the policy shown is not the record's version", record=rid)
    head, site = proof["tree_head"], receipt["site"]
    if proof["salt"] is not None:
        digest = personal_digest(bytes.fromhex(proof["salt"]), [record.get(f) for f in PERSONAL_FIELDS])
        if digest != proof["personal_digest"]:
            raise VerificationError(f"receipt {rid}: personal fields do not match their sealed digest", record=rid)
    public = [record[f] if f != "policy_hash" else policy["content_hash"] for f in PUBLIC_FIELDS]
    index = proof["leaf_index"]
    leaf_hash = merkle.leaf_hash(consent_leaf(site, index, public, proof["personal_digest"]))
    if leaf_hash.hex() != proof["leaf_hash"]:
        raise VerificationError(f"receipt {rid}: the record does not match its sealed leaf", record=rid)
    path = [bytes.fromhex(h) for h in proof["inclusion_proof"]]
    position = index - head["first_index"]
    if head["site"] != site or not merkle.verify_inclusion(leaf_hash, position, head["size"], path, bytes.fromhex(head["root"])):
        raise VerificationError(f"receipt {rid}: the inclusion proof does not lead to the tree head's root", record=rid)
    if not keyring.verify(head["key_id"], heads.signed_bytes(head), proof["signature"]):
        raise VerificationError(f"receipt {rid}: the tree head's signature does not verify", record=rid)
    return head
