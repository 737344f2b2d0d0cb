"""API keys of a site's owners, auditors and recorders; only a hash of the token is stored."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .sites import Site
from .types import UTCDateTime, utcnow

# owner: manage and read; auditor: read; recorder: record consents from a server (no Origin), nothing else.
ROLES = ("owner", "auditor", "recorder")


class ApiKey(db.Model):
    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("role IN ('owner', 'auditor', 'recorder')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 hex of the token")
    prefix: Mapped[str] = mapped_column(String(12), comment="first characters, to recognise a key in lists")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    site: Mapped[Site] = relationship()
