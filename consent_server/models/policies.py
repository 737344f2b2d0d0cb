"""Immutable policy versions: what a visitor was shown (inventory and texts), per site."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class PolicyVersion(db.Model):
    """One published version; the database refuses UPDATE and DELETE on this table (see the migration)."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("site_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, comment="1, 2, 3 ... per site")
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, comment="{inventory, texts}")
    content_hash: Mapped[str] = mapped_column(String(64), comment="sha256 of canonical JSON of content")
    material: Mapped[bool] = mapped_column(Boolean, comment="does this version ask visitors again")
    consent_floor: Mapped[int] = mapped_column(
        Integer, comment="oldest version whose consents stay valid (latest material version)"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def purposes(self) -> list[str]:
        """Purpose keys in banner order."""
        return [section["purpose"] for section in self.content["inventory"]["sections"]]
