"""The seal of the consent log: signing keys, signed batches, per-record leaves, erasures, purge checkpoints.

The lead's ``consents`` table is untouched: a record is sealed when it has a
row in ``consent_leaves`` (its leaf index, leaf hash, salt and personal-field
digest), and a batch of leaves is one row in ``seal_batches`` holding the
signed tree head. See ``consent_server.proofs.sealing`` and docs/CONTRACTS.md ("Proofs").
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .consents import BigId
from .types import UTCDateTime, utcnow


class SigningKey(db.Model):
    """A public key the server has signed with; published at /.well-known/consent-server/keys.json."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True, comment="first 16 hex of sha256(raw public key)")
    public_key: Mapped[str] = mapped_column(String(64), comment="base64 of the raw 32-byte Ed25519 public key")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SealBatch(db.Model):
    """One sealed batch of a site's log: a Merkle tree over its leaves and the signed tree head."""

    __tablename__ = "seal_batches"
    __table_args__ = (UniqueConstraint("site_id", "batch"), UniqueConstraint("site_id", "first_index"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    batch: Mapped[int] = mapped_column(Integer, comment="1, 2, 3 ... per site")
    first_index: Mapped[int] = mapped_column(BigInteger, comment="leaf index of the batch's first leaf")
    size: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(Text, comment="canonical JSON of the signed tree head")
    signature: Mapped[str] = mapped_column(String(128), comment="base64 Ed25519 signature of head")
    first_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentLeaf(db.Model):
    """A consent record's place in the sealed log."""

    __tablename__ = "consent_leaves"
    __table_args__ = (
        UniqueConstraint("site_id", "leaf_index"),
        Index("ix_consent_leaves_batch_index", "batch_id", "leaf_index"),
    )

    consent_id: Mapped[int] = mapped_column(BigId, ForeignKey("consents.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("seal_batches.id"))
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str | None] = mapped_column(String(32), nullable=True, comment="dropped on erasure")
    personal_digest: Mapped[str] = mapped_column(String(64), comment="sha256(salt || personal fields)")


class Erasure(db.Model):
    """A visitor's erasure: recorded, then sealed into the log like a consent record."""

    __tablename__ = "erasures"
    __table_args__ = (UniqueConstraint("site_id", "leaf_index"), Index("ix_erasures_site_batch", "site_id", "batch_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visitor_hmac: Mapped[str] = mapped_column(String(64), comment="keyed hash that replaced the visitor id")
    records: Mapped[int] = mapped_column(Integer, comment="records redacted")
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("seal_batches.id"), nullable=True)
    leaf_index: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    leaf_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SealCheckpoint(db.Model):
    """A signed statement left by a purge: where the remaining log's hash chain starts."""

    __tablename__ = "seal_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    statement: Mapped[str] = mapped_column(Text, comment="canonical JSON of the checkpoint")
    signature: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
