"""A site (tenant) and the browser origins allowed to post consents for it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .vocabulary import LANGUAGES, one_of


class Site(db.Model):
    __tablename__ = "sites"
    __table_args__ = (CheckConstraint(one_of("default_language", LANGUAGES), name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, comment="public site key used in URLs")
    name: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str] = mapped_column(String(2), default="sv")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    origins: Mapped[list["SiteOrigin"]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteOrigin.id"
    )


class SiteOrigin(db.Model):
    __tablename__ = "site_origins"
    __table_args__ = (UniqueConstraint("site_id", "origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str] = mapped_column(String(255), comment="scheme://host[:port], lower case")

    site: Mapped[Site] = relationship(back_populates="origins")
