"""privacy's tables: the hash-chained audit log, the legacy audit events before it, and the erasures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.base import Base


class AuditEventRow(Base):
    """Legacy (before the hash chain): staff reveals. Nothing writes here any more; `govassist audit
    import-legacy` moves old rows into audit_log. Kept so that databases made before can be read."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(64))  # e.g. a work-order number
    field: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime]


class AuditLogRow(Base):
    """The audit log (assistant/privacy/audit.py): who did what to which object, hash-chained.

    Each row's hash covers its own fields and the previous row's hash, so editing, deleting or
    reordering rows breaks the chain. A unique seq means two writers can never extend the same head.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)  # 1, 2, 3… the position in the chain
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(96))  # GA…/WO… numbers, call:<id>, kb:<id>, session:<digest>
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON; never personal values (masked on the way in)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ErasureRow(Base):
    """An application or work order whose personal values were replaced by a tombstone, and why."""

    __tablename__ = "erasures"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)  # GA… or WO…
    reason: Mapped[str] = mapped_column(String(16))  # citizen (删除权) | retention
    at: Mapped[datetime]
