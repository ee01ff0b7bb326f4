"""storage's own table: the hits every worker counts for rate limits (assistant/storage/hit_counter.py)."""

from __future__ import annotations


from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.base import Base


class RateHitRow(Base):
    """One counted request under a rate-limit key, kept for a minute: every worker counts the same hits."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_key_at", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(32))  # a hash: the key may hold a conversation's token
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch
