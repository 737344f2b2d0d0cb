"""The append-only consent log: one row per decision, never updated by the API."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.client_info import FAMILY_LENGTH, MAJOR_LENGTH
from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow
from .vocabulary import ACTIONS, LANGUAGES, one_of

# BIGINT on PostgreSQL; SQLite only makes INTEGER PRIMARY KEY an alias of the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Consent(db.Model):
    """One decision; the database refuses an unknown action or language and a version the site never published."""

    __tablename__ = "consents"
    __table_args__ = (
        # Current state = latest row of (site, visitor): one index range scan, newest first.
        Index("ix_consents_site_visitor_id", "site_id", "visitor_id", "id"),
        Index("ix_consents_site_recorded", "site_id", "recorded_at"),
        CheckConstraint(one_of("action", ACTIONS), name="action"),
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
        # Policy versions are never deleted (a trigger refuses it); RESTRICT says a consent
        # would never go with one.
        ForeignKeyConstraint(["site_id", "policy_version"], ["policy_versions.site_id", "policy_versions.version"],
                             ondelete="RESTRICT"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(32), unique=True)
    policy_version: Mapped[int] = mapped_column(Integer)
    choices: Mapped[dict[str, bool]] = mapped_column(JSONType, comment="every purpose of the version, granted or denied")
    action: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    page_path: Mapped[str | None] = mapped_column(String(2048), nullable=True, comment="no query, no fragment")
    ip_truncated: Mapped[str | None] = mapped_column(String(64), nullable=True, comment="/24 or /48 network")
    browser_family: Mapped[str | None] = mapped_column(String(FAMILY_LENGTH), nullable=True)
    browser_major: Mapped[str | None] = mapped_column(String(MAJOR_LENGTH), nullable=True)
    os_family: Mapped[str | None] = mapped_column(String(FAMILY_LENGTH), nullable=True)
    device_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_ts: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(512), nullable=True, comment="only with CONSENT_STORE_USER_AGENT")

    def as_dict(self) -> dict[str, Any]:
        """The record as the API shows it."""
        return {
            "receipt_id": self.receipt_id,
            "visitor_id": self.visitor_id,
            "policy_version": self.policy_version,
            "choices": self.choices,
            "action": self.action,
            "language": self.language,
            "page_path": self.page_path,
            "ip_truncated": self.ip_truncated,
            "browser_family": self.browser_family,
            "browser_major": self.browser_major,
            "os_family": self.os_family,
            "device_type": self.device_type,
            "country": self.country,
            "gpc": self.gpc,
            "recorded_at": self.recorded_at,
            "client_ts": self.client_ts,
        }
