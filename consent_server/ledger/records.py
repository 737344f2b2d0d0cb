"""Per-record checks of a proof export, independent of the rest of the log (pure; run in worker processes too)."""
from __future__ import annotations

import hashlib
from operator import itemgetter
from collections.abc import Mapping
from typing import Any

from .leaf import CONSENT_TAG, _encode
from .row import PERSONAL_FIELDS, PUBLIC_FIELDS

_sha256 = hashlib.sha256
_REDACTED_NULLS = PERSONAL_FIELDS[1:]
# A tuple encodes as the same JSON array as a list.
_personal = itemgetter(*PERSONAL_FIELDS)
# The leaf's fields in clear around the policy hash, which comes from the export's policy line.
_HASH_AT = PUBLIC_FIELDS.index("policy_hash")
_before_hash = itemgetter(*PUBLIC_FIELDS[:_HASH_AT])
_after_hash = itemgetter(*PUBLIC_FIELDS[_HASH_AT + 1:])

# (receipt_id, leaf index or None, leaf hash or None, error before the index check, error after it,
#  visitor id if the record is redacted, recorded_at)
RecordCheck = tuple[str, "int | None", "bytes | None", "str | None", "str | None", "str | None", "str | None"]


def check_record(obj: Mapping[str, Any], site: str, policies: Mapping[int, str]) -> RecordCheck:
    """Recompute a record line's leaf hash and compare it with the sealed one; errors are returned, not raised."""
    # The hot loop of `verify` (a million calls): names are built only on failure.
    receipt = obj.get("receipt_id")
    try:
        version, index = obj["policy_version"], obj["index"]
        policy_hash = policies.get(version)
        if policy_hash is None:
            return receipt, index, None, f"record {receipt}: policy version {version} is not in the export", None, None, None
        if index is None:
            return receipt, None, None, None, None, None, obj["recorded_at"]
        salt, redacted = obj["salt"], None
        if salt is not None:
            personal = _sha256(bytes.fromhex(salt) + _encode(_personal(obj)).encode("utf-8")).hexdigest()
            if personal != obj["personal_digest"]:
                return receipt, index, None, None, _fail(receipt, index, "personal fields do not match their sealed digest"), None, None
        else:
            if any(obj[f] is not None for f in _REDACTED_NULLS):
                return receipt, index, None, None, _fail(receipt, index, "personal fields present without their salt"), None, None
            redacted, personal = obj["visitor_id"], obj["personal_digest"]
        leaf = _encode([CONSENT_TAG, site, index, *_before_hash(obj), policy_hash, *_after_hash(obj), personal])
        digest = _sha256(b"\x00" + leaf.encode("utf-8")).digest()
        if digest.hex() != obj["leaf_hash"]:
            return (receipt, index, None, None,
                    _fail(receipt, index, "does not match the leaf it was sealed with: altered, moved or swapped"),
                    None, None)
        return receipt, index, digest, None, None, redacted, None
    except (KeyError, TypeError, ValueError) as exc:
        return receipt, None, None, f"malformed record line ({exc!r})", None, None, None


def _fail(receipt: str | None, index: int, what: str) -> str:
    return f"record {receipt} (leaf {index}): {what}"
