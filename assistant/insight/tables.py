"""insight's tables: knowledge-base edits, operators' labels of queued queries, follow-ups of bad
ratings and index rebuilds. Ratings and turn events are in assistant/storage/personal_tables.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.base import Base
from assistant.storage.personal_tables import FeedbackRow, TurnEventRow


class KbEditRow(Base):
    """One operator edit of the knowledge base, or the rollback of one; the log is append-only.

    The id is the knowledge-base version: edits in force are those no later row rolls back.
    """

    __tablename__ = "kb_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # alias | utterance | faq | out_of_scope | rollback
    action: Mapped[str] = mapped_column(String(16))  # add | remove ("" for a rollback)
    service_id: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    rolls_back: Mapped[int | None] = mapped_column(ForeignKey("kb_edits.id"), unique=True)


class QueryLabelRow(Base):
    """An operator's answer to a queued query: the service it meant, or out of scope."""

    __tablename__ = "query_labels"

    # One label per turn: labelling again replaces the target (and adds a new edit).
    turn_event_id: Mapped[int] = mapped_column(ForeignKey(TurnEventRow.id), primary_key=True)
    target: Mapped[str] = mapped_column(String(64))  # a service/bundle id or "out_of_scope"
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    kb_edit_id: Mapped[int | None] = mapped_column(ForeignKey("kb_edits.id"))


class FollowUpRow(Base):
    """A bad rating (≤ 2) staff must look into; opened with the rating, closed with a note."""

    __tablename__ = "feedback_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey(FeedbackRow.id), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | closed
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")


class RebuildJobRow(Base):
    """A background rebuild of the index after knowledge-base edits; read by every worker."""

    __tablename__ = "rebuild_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # running | done | failed
    stage: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    kb_version: Mapped[int]  # the last kb_edits id the rebuild includes
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
