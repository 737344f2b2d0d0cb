"""Offline verifier of a proof export (JSON Lines), streaming, no database and no server (pure).

Checks, in one pass: every policy version hashes to its content hash and every
record's version is present; every record re-encodes to the leaf hash it was
sealed with (so an altered, swapped or moved record is named); leaf indexes
run without gaps (a deleted record is named by the index it left); each
batch's Merkle root, size and first index; each tree head's Ed25519
signature and its link to the previous head; a purge checkpoint's signature
and that nothing from the purged part reappears; that redacted records are
covered by a sealed erasure event; and the end line's counts (truncation).
Memory is bounded by one batch of leaf hashes plus the set of erased visitors.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import heads as _heads
from . import merkle
from .errors import VerificationError
from .keys import KeyRing
from .leaf import ERASURE_TAG, canonical
from .records import RecordCheck, check_record

FORMAT = "consent-server-proof-log"
try:  # twice as fast a parser where available; the standard library's otherwise (same values)
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.JSONDecoder().decode
_sha256 = hashlib.sha256


@dataclass
class Summary:
    """What a successful verification covered."""

    site: str = ""
    records: int = 0
    erasures: int = 0
    redacted: int = 0
    elided: int = 0
    unsealed: int = 0
    unsealed_records: int = 0
    batches: int = 0
    policies: int = 0
    first_batch: int | None = None
    last_batch: int | None = None
    tree_size: int = 0
    checkpoint: dict[str, Any] | None = None
    keys_from_file: bool = False
    key_ids: set[str] = field(default_factory=set)

    def text(self) -> str:
        """Human summary, several lines."""
        lines = [
            f"site {self.site}: OK",
            f"  {self.records} records, {self.erasures} erasure events, {self.redacted} redacted records",
            f"  {self.batches} signed tree heads (batches {self.first_batch}..{self.last_batch}), log size {self.tree_size}",
            f"  {self.policies} policy versions, hashes checked; signing keys {', '.join(sorted(self.key_ids)) or '-'}",
        ]
        if self.checkpoint:
            lines.append(
                f"  log purged before leaf {self.checkpoint['tree_size']} (batch {self.checkpoint['batch']}, "
                f"{self.checkpoint['purged_at']}); checkpoint signature checked"
            )
        if self.elided:
            lines.append(f"  {self.elided} leaves outside the exported time range (hashes only)")
        if self.unsealed:
            lines.append(f"  WARNING {self.unsealed} records or erasure events not sealed yet: present but not proven")
        if self.keys_from_file:
            lines.append("  WARNING public keys taken from the file itself; pass --keys with the published keys.json")
        return "\n".join(lines)


class Verifier:
    """Feed it the lines of an export in order, then call :meth:`finish`."""

    def __init__(self, keyring: KeyRing | None = None):
        self.keyring = keyring
        self.summary = Summary()
        self.line = 0
        self.site: str | None = None
        self.full = True
        self.policies: dict[int, str] = {}
        self.batch_hashes: list[bytes] = []
        self.next_index: int | None = None
        self.expected_batch: int | None = None
        self.prev: str | None = None
        self.checkpoint: dict[str, Any] | None = None
        self.erased: set[str] = set()
        self.redacted_visitors: dict[str, str] = {}
        self.last_receipt: str | None = None
        self.last_other: str | None = "(start of log)"
        self.ended = False

    @property
    def last_record(self) -> str:
        """The last record or event checked, for messages."""
        return self.last_other or f"record {self.last_receipt}"

    def fail(self, message: str, record: str | None = None) -> VerificationError:
        """Build the error for the current line."""
        return VerificationError(message, line=self.line, record=record)

    # -- dispatch -------------------------------------------------------
    def feed(self, raw: str | bytes) -> None:
        """Check one line of the export."""
        self.line += 1
        try:
            obj = _loads(raw)
            kind = obj["type"]
        except (ValueError, TypeError, KeyError) as exc:
            raise self.fail(f"not a JSON line of a proof export ({exc})") from None
        if self.ended:
            raise self.fail("content after the end line")
        if self.site is None and kind != "header":
            raise self.fail("the export does not start with a header")
        handler = self._handlers.get(kind)
        if handler is None:
            raise self.fail(f"unknown line type {kind!r}")
        try:
            handler(self, obj)
        except VerificationError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise self.fail(f"malformed {kind} line ({exc!r})", obj.get("receipt_id")) from None

    def _header(self, obj: dict[str, Any]) -> None:
        if self.site is not None:
            raise self.fail("a second header")
        if obj.get("format") != FORMAT or obj.get("version") != 1:
            raise self.fail("not a version 1 consent-server proof export")
        self.site = self.summary.site = obj["site"]
        self.full = obj.get("from") is None and obj.get("to") is None
        if self.keyring is None:
            self.keyring = KeyRing(obj["keys"])
            self.summary.keys_from_file = True
        cp = obj.get("checkpoint")
        if cp is not None:
            statement = cp["statement"]
            if statement.get("type") != _heads.CHECKPOINT_TYPE or statement.get("site") != self.site:
                raise self.fail("the checkpoint is not a checkpoint of this site")
            if not self.keyring.verify(statement["key_id"], _heads.signed_bytes(statement), cp["signature"]):
                raise self.fail("the purge checkpoint's signature does not verify")
            self.checkpoint = self.summary.checkpoint = statement
        if self.full:
            self.expected_batch = (self.checkpoint["batch"] + 1) if self.checkpoint else 1
            self.prev = self.checkpoint["head"] if self.checkpoint else _heads.GENESIS
            self.next_index = self.checkpoint["tree_size"] if self.checkpoint else 0

    def _policy(self, obj: dict[str, Any]) -> None:
        version = obj["version"]
        actual = _sha256(canonical(obj["content"])).hexdigest()
        if actual != obj["content_hash"]:
            raise self.fail(f"policy version {version}: content does not hash to {obj['content_hash']}")
        self.policies[version] = actual
        self.summary.policies += 1

    def _check_index(self, index: int, name: str, record: str | None = None) -> None:
        if self.checkpoint and index < self.checkpoint["tree_size"]:
            raise self.fail(f"{name} (leaf {index}) lies in the part of the log purged at the checkpoint", record)
        if self.next_index is None:
            self.next_index = index
        if index != self.next_index:
            if index > self.next_index:
                raise self.fail(
                    f"leaf {self.next_index} is missing: the log goes from {self.last_record} to {name} (leaf {index})",
                    record,
                )
            raise self.fail(f"{name} (leaf {index}) is out of order: expected leaf {self.next_index}", record)
        self.next_index = index + 1

    def _record(self, obj: dict[str, Any]) -> None:
        self.apply_record(check_record(obj, self.site, self.policies))

    def apply_record(self, result: RecordCheck) -> None:
        """Apply the log-order checks to one record already checked on its own (see ``records.check_record``)."""
        receipt, index, digest, early, late, redacted, recorded_at = result
        if early:
            raise self.fail(early, receipt)
        if index is None:
            self._unsealed(recorded_at, f"record {receipt}", receipt)
            return
        if index != self.next_index:
            self._check_index(index, f"record {receipt}", receipt)
        else:
            self.next_index = index + 1
        if late:
            raise self.fail(late, receipt)
        if redacted is not None:
            self.redacted_visitors.setdefault(redacted, receipt)
            self.summary.redacted += 1
        self.batch_hashes.append(digest)
        self.last_receipt, self.last_other = receipt, None
        self.summary.records += 1

    def apply_run(self, first: int, first_receipt: str, last_receipt: str, digests: bytes,
                  redacted: list[tuple[str, str]]) -> int:
        """``apply_record`` for consecutive sound sealed records at once (the parallel verifier's runs).

        ``digests`` joins their 32-byte leaf hashes; ``redacted`` lists (visitor, receipt) of the
        redacted ones. Returns how many records the run held.
        """
        if first != self.next_index:
            self._check_index(first, f"record {first_receipt}", first_receipt)  # raises, as one by one would
        count = len(digests) // 32
        self.next_index = first + count
        self.batch_hashes.extend([digests[i:i + 32] for i in range(0, len(digests), 32)])
        for visitor, receipt in redacted:
            self.redacted_visitors.setdefault(visitor, receipt)
        self.summary.redacted += len(redacted)
        self.summary.records += count
        self.last_receipt, self.last_other = last_receipt, None
        return count

    def _unsealed(self, recorded_at: str, name: str, receipt: str) -> None:
        cp = self.checkpoint
        if cp and cp.get("last_recorded_at") and recorded_at <= cp["last_recorded_at"]:
            raise self.fail(f"{name} is unsealed but lies in the part of the log purged at the checkpoint", receipt)
        self.summary.unsealed += 1
        self.summary.unsealed_records += 1

    def _erasure(self, obj: dict[str, Any]) -> None:
        index = obj["index"]
        name = f"erasure of {obj['visitor_hmac']}"
        if index is None:
            # Recorded but not sealed yet: it explains redacted records, and is reported as unproven.
            self.erased.add(obj["visitor_hmac"])
            self.summary.erasures += 1
            self.summary.unsealed += 1
            return
        self._check_index(index, name)
        leaf = canonical([ERASURE_TAG, self.site, index, obj["visitor_hmac"], obj["erased_at"], obj["records"]])
        digest = _sha256(b"\x00" + leaf).digest()
        if digest.hex() != obj["leaf_hash"]:
            raise self.fail(f"{name} (leaf {index}) does not match the leaf it was sealed with")
        self.erased.add(obj["visitor_hmac"])
        self.batch_hashes.append(digest)
        self.last_other = name
        self.summary.erasures += 1

    def _leaf(self, obj: dict[str, Any]) -> None:
        if self.full:
            raise self.fail("a leaf without its record in a full export")
        index = obj["index"]
        self._check_index(index, f"leaf {index}")
        self.batch_hashes.append(bytes.fromhex(obj["leaf_hash"]))
        self.summary.elided += 1

    def _tree_head(self, obj: dict[str, Any]) -> None:
        head, signature = obj["head"], obj["signature"]
        batch = head["batch"]
        where = f"tree head of batch {batch}"
        if head.get("type") != _heads.HEAD_TYPE or head["site"] != self.site:
            raise self.fail(f"{where} is not a tree head of site {self.site}")
        if self.checkpoint and batch <= self.checkpoint["batch"]:
            raise self.fail(f"batch {batch} was purged at the checkpoint but is in the export")
        if self.expected_batch is not None and batch != self.expected_batch:
            raise self.fail(f"{where}: expected batch {self.expected_batch} (a batch is missing or out of order)")
        if self.prev is not None and head["prev"] != self.prev:
            raise self.fail(f"{where} does not link to the previous tree head (a batch was removed or replaced)")
        size = len(self.batch_hashes)
        if head["size"] != size or head["tree_size"] != head["first_index"] + size:
            raise self.fail(f"{where} covers {head['size']} leaves but {size} precede it (last: {self.last_record})")
        if self.next_index is not None and head["tree_size"] != self.next_index:
            raise self.fail(f"{where}: its leaves do not end at leaf {head['tree_size'] - 1}")
        if merkle.root(self.batch_hashes).hex() != head["root"]:
            raise self.fail(f"{where}: Merkle root does not match its leaves (last: {self.last_record})")
        if head["key_id"] not in self.keyring:
            raise self.fail(f"{where} is signed with key {head['key_id']}, which is not among the given public keys")
        if not self.keyring.verify(head["key_id"], _heads.signed_bytes(head), signature):
            raise self.fail(f"{where}: signature does not verify with key {head['key_id']}")
        self.summary.key_ids.add(head["key_id"])
        self.prev = _heads.head_hash(head)
        self.expected_batch = batch + 1
        self.next_index = head["tree_size"]
        self.batch_hashes = []
        s = self.summary
        s.batches += 1
        s.first_batch = batch if s.first_batch is None else s.first_batch
        s.last_batch, s.tree_size = batch, head["tree_size"]

    def _end(self, obj: dict[str, Any]) -> None:
        if self.batch_hashes:
            raise self.fail(f"{len(self.batch_hashes)} leaves after the last tree head (last: {self.last_record})")
        s = self.summary
        expected = {"records": s.records + s.unsealed_records, "erasures": s.erasures, "batches": s.batches}
        got = {k: obj.get(k) for k in expected}
        if got != expected:
            raise self.fail(f"the end line counts {got} but the export holds {expected}")
        self.ended = True

    _handlers = {
        "header": _header,
        "policy": _policy,
        "record": _record,
        "erasure": _erasure,
        "leaf": _leaf,
        "tree_head": _tree_head,
        "end": _end,
    }

    def finish(self) -> Summary:
        """Final checks after the last line; returns the summary or raises VerificationError."""
        if self.site is None:
            raise VerificationError("empty export")
        if not self.ended:
            raise VerificationError("the export is truncated: no end line", line=self.line)
        for visitor, receipt in self.redacted_visitors.items():
            # In a time-range export the erasure event may lie outside the range (hash only).
            if visitor not in self.erased and self.full:
                raise VerificationError(
                    f"record {receipt}: redacted without a sealed erasure event for its visitor", record=receipt
                )
        return self.summary


def verify_lines(lines: Iterable[str | bytes], keyring: KeyRing | None = None) -> Summary:
    """Verify an export given as lines; returns the summary or raises VerificationError."""
    verifier = Verifier(keyring)
    feed = verifier.feed
    for raw in lines:
        if raw.strip():
            feed(raw)
    return verifier.finish()


def verify_file(path: str, keyring: KeyRing | None = None, *, workers: int | None = None) -> Summary:
    """Verify an export file (JSON Lines, UTF-8), on several processes when it is large."""
    from .parallel import verify_file as verify_in_parallel

    return verify_in_parallel(path, keyring, workers=workers)
