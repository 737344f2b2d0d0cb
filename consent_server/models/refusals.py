"""Daily counts of refused consent POSTs per site, reason and (for origin refusals) origin: counted, never tracked."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RefusalCount(db.Model):
    """One counter: how many consent POSTs for the site were refused on `day` (UTC) for `reason`.

    Nothing personal: no address, no visitor id, no page. `origin` is the refused Origin
    header's origin for `origin_not_allowed` and '' for every other reason (not NULL, so the
    primary key, and with it the upsert, works the same on SQLite and PostgreSQL).
    """

    __tablename__ = "refusal_counts"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, comment="UTC day of the refusals")
    reason: Mapped[str] = mapped_column(String(40), primary_key=True, comment="the error code the POST was answered with")
    origin: Mapped[str] = mapped_column(String(255), primary_key=True, default="",
                                        comment="the refused origin for origin_not_allowed; '' otherwise")
    count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
