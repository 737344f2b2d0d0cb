"""A served body, plain and gzipped, and a body template with one slot filled per request.

The snippet and its configuration name the server's public base URL; without
CONSENT_PUBLIC_URL that is the request's Host, which any client may vary. A rendering
cached per Host would let a client grow the cache or flush it with every new Host, and each
miss costs a full render and gzip (about 10 ms, bench/RESULTS.md). So a rendering is cached
without the base URL, as a template, and the few bytes that depend on it are filled in per
request: the text around the slots is gzip-compressed once, as raw deflate parts that end
on a byte boundary (Z_SYNC_FLUSH), and per request only the short stretch holding the
slots is compressed and placed between them, a valid gzip member (RFC 1951 allows the
blocks of one stream to be compressed independently). No Flask here.
"""
from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from dataclasses import dataclass

LEVEL = 6
# Magic, deflate, no flags, no mtime, no extra flags, unknown OS (RFC 1952): the same for every body.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def etag_for(body: bytes) -> str:
    """A strong validator for a served body: any change of configuration or code changes it."""
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass(frozen=True)
class Body:
    """One served body, its gzip form and their validator."""

    plain: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, data: bytes) -> "Body":
        return cls(data, gzip.compress(data, compresslevel=LEVEL, mtime=0), etag_for(data))


def _deflated(data: bytes, last: bool) -> bytes:
    """`data` as raw deflate blocks: the stream's end if `last`, else ending byte-aligned for more to follow."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class BodyTemplate:
    """`rendered` bytes in which `slot` stands for a value given per request; `body(value)` fills it in."""

    def __init__(self, rendered: bytes, slot: bytes) -> None:
        first, last = rendered.find(slot), rendered.rfind(slot)
        if first < 0:  # nothing varies: one body for every value
            self._fixed: Body | None = Body.of(rendered)
            return
        self._fixed = None
        self._slot = slot
        self._head = rendered[:first]
        self._middle = rendered[first:last + len(slot)]
        self._tail = rendered[last + len(slot):]
        self._head_deflated = _deflated(self._head, last=False)
        self._tail_deflated = _deflated(self._tail, last=True)
        self._head_crc = zlib.crc32(self._head)
        self._fixed_length = len(self._head) + len(self._tail)
        self._etag_seed = etag_for(rendered).encode()
        # The last body made, for its value: the usual case is one public host. One entry, so a
        # client varying its Host costs each of its own requests the filling in, nothing more.
        self._last: tuple[bytes, Body] | None = None

    def body(self, value: bytes) -> Body:
        """The body with every slot replaced by `value` (bytes already escaped for where the slot stands)."""
        if self._fixed is not None:
            return self._fixed
        last = self._last
        if last is not None and last[0] == value:
            return last[1]
        middle = self._middle.replace(self._slot, value)
        plain = b"".join((self._head, middle, self._tail))
        crc = zlib.crc32(self._tail, zlib.crc32(middle, self._head_crc))
        size = (self._fixed_length + len(middle)) & 0xFFFF_FFFF
        gzipped = b"".join((_GZIP_HEADER, self._head_deflated, _deflated(middle, last=False),
                            self._tail_deflated, struct.pack("<II", crc, size)))
        # The body is a function of the template and the value: a validator of both is one of the body.
        body = Body(plain, gzipped, etag_for(self._etag_seed + b"\0" + value))
        self._last = (value, body)  # one assignment: threads see the old pair or the new one
        return body
