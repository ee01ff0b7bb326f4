"""12345 work orders (工单): numbers, caller details encrypted per field, the lifecycle with its
history, deadlines with overdue flags, and audited reveals of a caller's details.

Creating is idempotent on an optional form id (a retried chat submit returns the order already made).
Staff see the caller's details masked (`view`, `list` with a viewer: recorded in the audit log);
`reveal` returns one field in plain text and records who read it. Creation and every transition are
recorded too, in the same transaction as the change. Personal numbers typed into the summary are
masked before it is stored: the caller's own are kept, encrypted, in the caller fields.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from assistant.cases.case_book import changing_status, create_once
from assistant.cases.numbers import WORK_ORDER_NUMBERS, next_number
from assistant.cases.workorder_due import DueRules, deadlines, load_due_rules, resolve_overdue, response_overdue
from assistant.cases.workorder_status import (
    CALLER_SLOT_TYPES,
    RESOLVED,
    RESPONDED,
    TRANSITIONS,
    CallerField,
    Urgency,
    WorkOrderLabels,
    WorkOrderStatus,
    WorkOrderType,
    change_name,
    default_labels,
    dept_after,
)
from assistant.common.clock import Clock, local_now
from assistant.privacy.audit import Action, AuditEntry, AuditLog
from assistant.privacy.crypto import FieldCipher, FieldCipherError, is_token
from assistant.privacy.masking import digits_tail, mask, mask_text
from assistant.privacy.personal_data import privacy_wording
from assistant.storage.db import reading, writing
from assistant.storage.personal_tables import WorkOrderEventRow, WorkOrderRow

CITIZEN = "citizen"  # the actor of an order filed from the chat; session tokens never go into the history
W = WorkOrderStatus


class UnknownWorkOrder(LookupError):
    pass


@dataclass(frozen=True)
class WorkOrderDraft:
    type: WorkOrderType
    summary: str
    created_by: str  # staff id, or CITIZEN
    category: str = ""
    dept: str = ""  # the department it is meant for (a guide's, or the copilot's suggestion); "" if unknown
    urgency: Urgency = Urgency.normal
    caller: dict[CallerField, str] = field(default_factory=dict)  # plain; encrypted before it is stored
    subject_id: str | None = None
    session_id: str | None = None  # the chat session that filed it
    form_id: str | None = None  # idempotency key
    places: tuple[str, ...] = ()  # where a reported problem is (a report form's address): readable in the summary


@dataclass(frozen=True, kw_only=True)
class WorkOrderRecord:
    """What anyone holding the number may see: no personal data, no summary."""

    number: str
    type: WorkOrderType
    type_label: str
    category: str
    dept: str
    status: WorkOrderStatus
    status_label: str
    created_at: datetime
    resolve_due: datetime


@dataclass(frozen=True, kw_only=True)
class WorkOrderView(WorkOrderRecord):
    """An order as staff see it: the caller's details masked, the deadlines and whether they are missed."""

    urgency: Urgency
    urgency_label: str
    summary: str
    subject_id: str | None
    respond_due: datetime
    response_overdue: bool
    resolve_overdue: bool
    caller: dict[CallerField, str]  # masked

    @property
    def overdue(self) -> bool:
        return self.response_overdue or self.resolve_overdue

    def record(self) -> WorkOrderRecord:
        return WorkOrderRecord(**{f.name: getattr(self, f.name) for f in fields(WorkOrderRecord)})


@dataclass(frozen=True)
class WorkOrderEvent:
    from_status: WorkOrderStatus | None  # None for the creation
    to_status: WorkOrderStatus
    change: str  # created, dispatched, redispatched, handling, returned, follow_up, reopened, closed
    change_label: str  # 受理, 派单, 重派, 办理, 退回, 回访, 重新办理, 办结
    dept: str  # the department the order is with after the change
    actor: str
    note: str
    at: datetime


class WorkOrderBook:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        cipher: FieldCipher,
        clock: Clock = local_now,
        rules: DueRules | None = None,
        labels: WorkOrderLabels | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock
        self.audit = audit or AuditLog(sessions, clock)
        self._rules = rules or load_due_rules()
        self.labels = labels or default_labels()
        self._tz = clock().tzinfo

    def create(self, draft: WorkOrderDraft) -> WorkOrderView:
        """Store a new order (status 受理), or return the one this form already made."""
        if not draft.summary.strip():
            raise ValueError("a work order needs a summary")
        return create_once(
            self._sessions,
            find=lambda session: self._by_form(session, draft.form_id),
            insert=lambda session: self._insert(session, draft),
            view=lambda _session, row: self._view(row),
        )

    def get(self, number: str) -> WorkOrderView | None:
        with reading(self._sessions) as session:
            row = self._by_number(session, number)
            return None if row is None else self._view(row)

    def view(self, number: str, actor: str) -> WorkOrderView | None:
        """The order as staff see it (caller details masked); the viewing is recorded in the audit log."""
        with writing(self._sessions) as session:
            row = self._by_number(session, number)
            if row is None:
                return None
            self.audit.record(actor, Action.VIEW, number, {"caller": sorted(row.caller_masked)}, session=session)
            return self._view(row)

    def for_session(self, session_id: str) -> list[WorkOrderView]:
        """The orders a chat session filed, oldest first (what the citizen sees of their own data)."""
        with reading(self._sessions) as session:
            rows = session.scalars(select(WorkOrderRow).where(WorkOrderRow.session_id == session_id).order_by(WorkOrderRow.id))
            return [self._view(row) for row in rows]

    def of_session(self, number: str, session_id: str | None) -> WorkOrderView | None:
        """The order (caller details masked) if this chat session filed it, else None."""
        if session_id is None:
            return None
        with reading(self._sessions) as session:
            row = self._by_number(session, number)
            owns = row is not None and row.session_id is not None and hmac.compare_digest(session_id.encode(), row.session_id.encode())
            return self._view(row) if row is not None and owns else None

    def phone_tail(self, number: str) -> str | None:
        """The last four digits of the caller's phone (the second factor of a lookup by number), or None."""
        with reading(self._sessions) as session:
            row = self._by_number(session, number)
            token = None if row is None else row.caller_json.get(CallerField.phone.value)
        return None if token is None else digits_tail(self._cipher.decrypt(token))

    def public(self, number: str) -> WorkOrderRecord | None:
        """The status for whoever holds the number (a citizen checking progress)."""
        view = self.get(number)
        return None if view is None else view.record()

    def transition(
        self, number: str, to: WorkOrderStatus, actor: str, note: str = "", dept: str | None = None
    ) -> WorkOrderView:
        """Move the order along TRANSITIONS; dispatching (派单, 重派) names the department."""
        with changing_status(self._sessions, WorkOrderRow, number, to, TRANSITIONS, UnknownWorkOrder) as (
            session, row, current
        ):
            row.dept = dept_after(number, row.dept, current, to, None if dept is None else mask_text(dept))
            # A staff note may name the caller, a phone or an ID number: stored encrypted, shown masked.
            note = note.strip()
            session.add(WorkOrderEventRow(
                work_order_id=row.id, from_status=current.value, to_status=to.value, dept=row.dept,
                actor=actor, note=self._cipher.encrypt(note) if note else "", at=self._clock(),
            ))  # fmt: skip
            self.audit.record(actor, Action.TRANSITION, number, {"from": current.value, "to": to.value,
                                                                 "dept": row.dept, "note": mask_text(note)}, session=session)
            return self._view(row)

    def history(self, number: str) -> list[WorkOrderEvent]:
        with reading(self._sessions) as session:
            row = self._existing(session, number)
            events = session.scalars(
                select(WorkOrderEventRow).where(WorkOrderEventRow.work_order_id == row.id).order_by(WorkOrderEventRow.id)
            )
            return [self._event(e) for e in events]

    def reveal(self, number: str, field: CallerField, actor: str) -> str | None:
        """One caller field in plain text, recorded in the audit trail; None if the caller did not give it."""
        with writing(self._sessions) as session:
            row = self._existing(session, number)
            token = row.caller_json.get(field.value)
            if token is None:
                return None
            plain = self._cipher.decrypt(token)  # before the audit event: a failed reveal read nothing
            self.audit.record(actor, Action.REVEAL, number, {"field": field.value}, session=session)
            return plain

    def record_reveal(self, object_: str, field: str, actor: str) -> None:
        """Audit a reveal of a detail that is not (yet) in a work order, e.g. from a live call."""
        self.audit.record(actor, Action.REVEAL, object_, {"field": field})

    def audit_trail(self, number: str) -> list[AuditEntry]:
        """Everything the audit log holds about this order, oldest first."""
        return self.audit.entries(object=number, limit=10_000)

    def dispatch_examples(self) -> list[tuple[str, str]]:
        """(summary, department) of closed orders: what past calls teach the dispatch model."""
        with reading(self._sessions) as session:
            rows = session.execute(
                select(WorkOrderRow.summary, WorkOrderRow.dept)
                .where(WorkOrderRow.status == W.closed.value, WorkOrderRow.dept != "")
                .order_by(WorkOrderRow.id)
            )
            return [(summary, dept) for summary, dept in rows]

    def list(
        self,
        status: WorkOrderStatus | None = None,
        dept: str | None = None,
        overdue: bool | None = None,
        limit: int = 200,
        offset: int = 0,
        viewer: str | None = None,
    ) -> list[WorkOrderView]:
        """Orders matching every filter given, oldest first; overdue: a deadline missed as of now.
        `viewer`: the staff member who will see them (their caller details, masked): audited."""
        query = select(WorkOrderRow)
        if status is not None:
            query = query.where(WorkOrderRow.status == status.value)
        if dept is not None:
            query = query.where(WorkOrderRow.dept == dept)
        if overdue is not None:
            late = _late(self._clock())
            query = query.where(late if overdue else not_(late))
        with reading(self._sessions) as session:
            views = [self._view(row) for row in session.scalars(query.order_by(WorkOrderRow.id).limit(limit).offset(offset))]
        if viewer is not None and views:
            self.audit.record(viewer, Action.LIST, "workorders", {"numbers": [v.number for v in views]})
        return views

    # -- rows ------------------------------------------------------------------------------------

    def _insert(self, session: Session, draft: WorkOrderDraft) -> WorkOrderRow:
        now = self._clock()
        respond_due, resolve_due = deadlines(self._rules, draft.urgency, now)
        caller = {f: v.strip() for f, v in draft.caller.items() if v.strip()}
        row = WorkOrderRow(
            number=next_number(session, WORK_ORDER_NUMBERS, now.date()),
            type=draft.type.value,
            urgency=draft.urgency.value,
            status=W.accepted.value,
            summary=mask_text(draft.summary.strip(), keep=draft.places),
            # Free text from the API as much as the summary: masked like it.
            category=mask_text(draft.category),
            dept=mask_text(draft.dept.strip()),
            subject_id=None if draft.subject_id is None else mask_text(draft.subject_id),
            session_id=draft.session_id,
            form_id=draft.form_id,
            created_at=now,
            respond_due=respond_due,
            resolve_due=resolve_due,
            caller_json={f.value: self._cipher.encrypt(v) for f, v in caller.items()},
            caller_masked={f.value: mask(CALLER_SLOT_TYPES[f], v) for f, v in caller.items()},
        )
        session.add(row)
        session.flush()  # the id for the event
        session.add(WorkOrderEventRow(
            work_order_id=row.id, from_status=None, to_status=row.status, dept=row.dept,
            actor=draft.created_by, note="", at=now,
        ))  # fmt: skip
        self.audit.record(draft.created_by, Action.CREATE, row.number,
                          {"type": row.type, "dept": row.dept, "caller": sorted(row.caller_json)}, session=session)
        return row

    def _view(self, row: WorkOrderRow) -> WorkOrderView:
        now, labels = self._clock(), self.labels
        status, type_, urgency = W(row.status), WorkOrderType(row.type), Urgency(row.urgency)
        return WorkOrderView(
            number=row.number,
            type=type_,
            type_label=labels.types[type_],
            category=row.category,
            dept=row.dept,
            status=status,
            status_label=labels.statuses[status],
            created_at=row.created_at.astimezone(self._tz),  # stored in UTC; shown on the clock's day
            resolve_due=row.resolve_due.astimezone(self._tz),
            urgency=urgency,
            urgency_label=labels.urgencies[urgency],
            summary=row.summary,
            subject_id=row.subject_id,
            respond_due=row.respond_due.astimezone(self._tz),
            response_overdue=response_overdue(status, row.respond_due, now),
            resolve_overdue=resolve_overdue(status, row.resolve_due, now),
            caller={CallerField(k): v for k, v in row.caller_masked.items()},
        )

    def _event(self, row: WorkOrderEventRow) -> WorkOrderEvent:
        before = W(row.from_status) if row.from_status else None
        after = W(row.to_status)
        change = change_name(before, after)
        return WorkOrderEvent(before, after, change, self.labels.changes[change], row.dept, row.actor,
                              self._note(row.note), row.at.astimezone(self._tz))

    def _note(self, stored: str) -> str:
        """A note as staff screens show it: masked. Notes written before they were encrypted are plain."""
        if not is_token(stored):
            return mask_text(stored)
        try:
            return mask_text(self._cipher.decrypt(stored))
        except FieldCipherError:
            return privacy_wording().tombstone  # its key is gone: nothing readable is left

    def _existing(self, session: Session, number: str) -> WorkOrderRow:
        row = self._by_number(session, number)
        if row is None:
            raise UnknownWorkOrder(number)
        return row

    @staticmethod
    def _by_number(session: Session, number: str) -> WorkOrderRow | None:
        return session.scalars(select(WorkOrderRow).where(WorkOrderRow.number == number)).one_or_none()

    @staticmethod
    def _by_form(session: Session, form_id: str | None) -> WorkOrderRow | None:
        if form_id is None:
            return None
        return session.scalars(select(WorkOrderRow).where(WorkOrderRow.form_id == form_id)).one_or_none()


def _late(now: datetime) -> ColumnElement[bool]:
    """SQL for 'a deadline was missed as of now' (the same rule as workorder_due's flags)."""
    return or_(
        and_(WorkOrderRow.status.not_in([s.value for s in RESPONDED]), WorkOrderRow.respond_due < now),
        and_(WorkOrderRow.status.not_in([s.value for s in RESOLVED]), WorkOrderRow.resolve_due < now),
    )
