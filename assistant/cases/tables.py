"""The books' own tables: an application's status changes and the daily number sequences.
Applications and work orders themselves are in assistant/storage/personal_tables.py (privacy scrubs them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.base import Base
from assistant.storage.personal_tables import ApplicationRow


class ApplicationEventRow(Base):
    __tablename__ = "application_events"
    __table_args__ = (Index("ix_application_events_application", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey(ApplicationRow.id))
    from_status: Mapped[str | None] = mapped_column(String(16))  # None for the submission itself
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class NumberSequenceRow(Base):
    __tablename__ = "number_sequences"

    # The series key and the day: YYYYMMDD for applications, WOYYYYMMDD for work orders.
    day: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int]
