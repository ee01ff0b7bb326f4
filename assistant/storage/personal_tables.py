"""The tables that name a conversation or hold a citizen's personal values: conversations and their
consents (dialogue), applications, work orders and their events, handoffs and their messages (cases),
ratings and turn events (insight, dialogue), applicant links (proactive).

Their owners sit above privacy, but privacy sweeps every one of them: a citizen's erasure
(assistant/privacy/personal_data.py), the re-keying of conversation tokens (session_keys) and key
rotation (key_rotation). privacy may import only storage (tests/test_import_contract.py), so these
definitions live here; the tables only one owner reads are in that owner's tables.py.

Personal values never reach these tables in plain text: the dialogue encrypts them inside
state_json, the application book encrypts values_json and the work-order book caller_json.
display_json and caller_masked hold masked strings only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.base import Base, UtcDateTime


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


class FeedbackRow(Base):
    """A 好差评 rating of a conversation or an application; the comment is masked before it is stored."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    application_number: Mapped[str | None] = mapped_column(String(32))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


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


class HandoffRow(Base):
    """A conversation handed to a person (转人工): waiting in the queue, taken by an agent, or ended.

    Several workers share the queue through this table; an agent takes a case with a conditional
    UPDATE (status waiting → taken), so two agents can never both hold it."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the case outlives the conversation (retention deletes conversations).
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # asked | misunderstood
    status: Mapped[str] = mapped_column(String(16), index=True)  # waiting | taken | ended
    created_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    agent: Mapped[str | None] = mapped_column(String(64))  # the staff account (audit); never shown to citizens
    work_number: Mapped[str | None] = mapped_column(String(16))  # the agent's 工号, what the citizen sees
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # returned | left | callback | workorder | on_behalf


class HandoffMessageRow(Base):
    """One message of a handoff: the citizen's to the agent, the agent's to the citizen, or the
    assistant's when the agent hands back. The id is the cursor clients poll from; the text is encrypted."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # citizen | agent | assistant
    work_number: Mapped[str | None] = mapped_column(String(16))
    text_encrypted: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class ApplicantLinkRow(Base):
    """Whose application it was, as a keyed digest of the applicant's ID number (never the number or a
    plain hash of it): links one person's applications across conversations, to learn what people
    apply for together (服务找人). Bundle members share their bundle's row."""

    __tablename__ = "applicant_links"

    application_number: Mapped[str] = mapped_column(ForeignKey("applications.number"), primary_key=True)
    applicant: Mapped[str] = mapped_column(String(64), index=True)  # FieldCipher.keyed_digest
