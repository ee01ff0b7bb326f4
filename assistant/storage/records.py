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
    """A staff or admin account. The password is an argon2 hash. failed_logins and locked_until are no
    longer used (failures are counted per source and name in login_throttles); a revision may drop
    them once no running release writes them (docs/deploy.md, "Upgrading")."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StaffAccountStateRow(Base):
    """An account's state beside its password: disabled or not, and its last sign-in. A table of its own
    because, before migrations (assistant/migrations), the project created missing tables and never
    altered one; an account without a row is active and has never signed in since the table existed."""

    __tablename__ = "staff_account_state"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    disabled_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class LoginThrottleRow(Base):
    """Failed sign-ins from one source address at one user name, known or not, and the wait they earned.
    Keyed by hashes: neither the address nor a mistyped name (often a password) is stored."""

    __tablename__ = "login_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # source and name
    name_hash: Mapped[str] = mapped_column(String(64), index=True)  # the name alone: a reset clears them
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


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
    turn_event_id: Mapped[int] = mapped_column(ForeignKey("turn_events.id"), primary_key=True)
    target: Mapped[str] = mapped_column(String(64))  # a service/bundle id or "out_of_scope"
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    kb_edit_id: Mapped[int | None] = mapped_column(ForeignKey("kb_edits.id"))


class FollowUpRow(Base):
    """A bad rating (≤ 2) staff must look into; opened with the rating, closed with a note."""

    __tablename__ = "feedback_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), unique=True)
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


class ApplicantLinkRow(Base):
    """Whose application it was, as a keyed digest of the applicant's ID number (never the number or a
    plain hash of it): links one person's applications across conversations, to learn what people
    apply for together (服务找人). Bundle members share their bundle's row."""

    __tablename__ = "applicant_links"

    application_number: Mapped[str] = mapped_column(ForeignKey("applications.number"), primary_key=True)
    applicant: Mapped[str] = mapped_column(String(64), index=True)  # FieldCipher.keyed_digest


class RateHitRow(Base):
    """One counted request under a rate-limit key, kept for a minute: every worker counts the same hits."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_key_at", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(32))  # a hash: the key may hold a conversation's token
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch


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


class StaffWorkNumberRow(Base):
    """A staff account's 工号 (work number): what citizens see of the agent, never the name. A table of
    its own, made when the project had no migrations and could only add tables."""

    __tablename__ = "staff_work_numbers"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    work_number: Mapped[str] = mapped_column(String(16), unique=True)
