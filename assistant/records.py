"""The stored tables: sessions, consents, applications, work orders, their events, number sequences
and the audit of who read personal data.

Personal values never reach these tables in plain text: the dialogue encrypts them inside
state_json, the application book encrypts values_json and the work-order book caller_json.
display_json and caller_masked hold masked strings only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC, read back aware: SQLite would otherwise drop the offset."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the session token
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int]  # bumped on every save; a save naming an older version is refused
    state_json: Mapped[str] = mapped_column(Text)


class ConsentRow(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the record of consent outlives the conversation it was given in.
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]]
    granted: Mapped[bool]
    created_at: Mapped[datetime]


class ApplicationRow(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("form_id", "subject_id", name="uq_application_form_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    parent_number: Mapped[str | None] = mapped_column(ForeignKey("applications.number"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    subject_name: Mapped[str] = mapped_column(Text)
    dept: Mapped[str] = mapped_column(Text)
    # No foreign key: an application outlives the conversation that submitted it.
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    form_id: Mapped[str] = mapped_column(String(64))  # idempotency key chosen by the dialogue
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expected_date: Mapped[date | None]
    values_json: Mapped[dict[str, Any]]  # slot name -> encrypted token
    display_json: Mapped[dict[str, Any]]  # slot label -> masked display string
    deferred_materials: Mapped[list[str]]


class ApplicationEventRow(Base):
    __tablename__ = "application_events"
    __table_args__ = (Index("ix_application_events_application", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
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


class WorkOrderRow(Base):
    """A 12345 work order (工单): taken on a call or filed from the chat, dispatched to a department."""

    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text, default="")
    dept: Mapped[str] = mapped_column(Text, default="")  # "" until a department is known
    subject_id: Mapped[str | None] = mapped_column(String(64))  # the guide it came from, if any
    # No foreign key: an order outlives the conversation that filed it. None for orders taken by staff.
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)
    form_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # idempotency key, optional
    created_at: Mapped[datetime]
    respond_due: Mapped[datetime]
    resolve_due: Mapped[datetime]
    caller_json: Mapped[dict[str, Any]]  # caller field -> encrypted token
    caller_masked: Mapped[dict[str, Any]]  # caller field -> masked display string


class WorkOrderEventRow(Base):
    __tablename__ = "work_order_events"
    __table_args__ = (Index("ix_work_order_events_order", "work_order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))  # None for the creation
    to_status: Mapped[str] = mapped_column(String(16))
    dept: Mapped[str] = mapped_column(Text, default="")  # the department the order is with after the change
    actor: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class AuditEventRow(Base):
    """Who read which personal field of what, and when (a staff reveal of a masked value)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(64))  # e.g. a work-order number
    field: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime]


class FeedbackRow(Base):
    """A 好差评 rating of a conversation or an application; the comment is masked before it is stored."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    application_number: Mapped[str | None] = mapped_column(String(32))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class StaffUserRow(Base):
    """A staff or admin account. The password is an argon2 hash; failures count toward a lockout."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StaffSessionRow(Base):
    """A logged-in staff session; the token is stored only as its SHA-256 digest."""

    __tablename__ = "staff_sessions"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]


class TurnEventRow(Base):
    """One dialogue turn, for analytics and the operator dashboard. Both texts are masked before they
    are stored; nothing here can be turned back into the personal data typed in the chat."""

    __tablename__ = "turn_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the analytics outlive the conversation.
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(16))  # text | voice | copilot
    state_before: Mapped[str] = mapped_column(String(16))
    state_after: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(String(64))  # the service, bundle or topic after the turn
    decision: Mapped[str | None] = mapped_column(String(16))  # the router's, when the turn was routed
    confidence: Mapped[float | None] = mapped_column(Float)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the router's top 3: {id, score}
    text_masked: Mapped[str] = mapped_column(Text)
    reply_masked: Mapped[str] = mapped_column(Text)
    latency_ms: Mapped[float] = mapped_column(Float)
    application_number: Mapped[str | None] = mapped_column(String(32))  # set on the turn that submitted

