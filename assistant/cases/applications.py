"""Submitted applications: tracking numbers, encrypted values, status changes and who may see what.

Submitting is idempotent per (form id, subject): a retried or doubled submit returns the application
already stored, never a second one. Values are encrypted before they are written; a view shows the
masked display strings only to the session that submitted or to staff. Submissions, status changes and
staff views are recorded in the audit log (assistant/privacy/audit.py).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.cases.application_status import TRANSITIONS, ApplicationStatus, load_status_labels
from assistant.cases.case_book import changing_status, create_once
from assistant.cases.numbers import APPLICATION_NUMBERS, next_number
from assistant.cases.working_days import add_working_days
from assistant.common.clock import Clock, local_now
from assistant.privacy.audit import Action, AuditLog
from assistant.privacy.crypto import FieldCipher
from assistant.privacy.masking import digits_tail
from assistant.storage.db import reading, writing
from assistant.cases.tables import ApplicationEventRow
from assistant.storage.personal_tables import ApplicationRow
from knowledge.models import SubjectKind, TimeLimit, TimeLimitUnit

# The statements read on every turn after a submission, built once (building one costs more than running it).
_BY_NUMBER = select(ApplicationRow).where(ApplicationRow.number == bindparam("number"))
_MEMBERS = select(ApplicationRow).where(ApplicationRow.parent_number == bindparam("number")).order_by(ApplicationRow.id)
_OF_SESSION = (
    select(ApplicationRow)
    .where(ApplicationRow.session_id == bindparam("session_id"), ApplicationRow.parent_number.is_(None))
    .order_by(ApplicationRow.id)
)

SUBMITTER = "applicant"  # the actor of the first event; session tokens never go into the audit trail

class UnknownApplication(LookupError):
    pass


class AccessDenied(PermissionError):
    pass


def due_date(start: date, limit: TimeLimit | None) -> date | None:
    """The date an application should be finished by, counting from the day it was submitted."""
    if limit is None:
        return None
    if limit.unit is TimeLimitUnit.immediate:
        return start
    if limit.unit is TimeLimitUnit.natural_days:
        return start + timedelta(days=limit.days)
    return add_working_days(start, limit.days)


@dataclass(frozen=True)
class ApplicationDraft:
    subject_id: str
    subject_name: str
    kind: SubjectKind
    dept: str
    session_id: str
    form_id: str
    values: dict[str, str]  # slot name -> plain value; encrypted before it is stored
    display: dict[str, str]  # slot label -> masked display string
    deferred_materials: list[str] = field(default_factory=list)
    time_limit: TimeLimit | None = None
    members: list[ApplicationDraft] = field(default_factory=list)  # a bundle's services


@dataclass(frozen=True, kw_only=True)
class ApplicationRecord:
    """One application as anyone holding its number may see it: no personal data."""

    number: str
    parent_number: str | None
    kind: SubjectKind
    subject_id: str
    subject_name: str
    dept: str
    status: ApplicationStatus
    status_label: str
    created_at: datetime
    expected_date: date | None
    deferred_materials: tuple[str, ...]
    members: tuple[ApplicationView, ...]


@dataclass(frozen=True, kw_only=True)
class ApplicationView(ApplicationRecord):
    """A record as one viewer sees it: fields (label -> masked value) only for its session or staff."""

    fields: dict[str, str] | None


@dataclass(frozen=True)
class StatusEvent:
    from_status: ApplicationStatus | None  # None for the submission
    to_status: ApplicationStatus
    actor: str
    note: str
    at: datetime


def _check_draft(draft: ApplicationDraft, nested: bool = False) -> None:
    if draft.kind is SubjectKind.bundle and (nested or not draft.members):
        raise ValueError(f"bundle {draft.subject_id}: a bundle needs members and cannot be a member")
    if draft.kind is SubjectKind.service and draft.members:
        raise ValueError(f"service {draft.subject_id}: only a bundle has members")
    for member in draft.members:
        _check_draft(member, nested=True)


class ApplicationBook:
    def __init__(self, sessions: sessionmaker[Session], cipher: FieldCipher, clock: Clock = local_now,
                 audit: AuditLog | None = None) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock
        self.audit = audit or AuditLog(sessions, clock)
        self._labels = load_status_labels()
        self._tz = clock().tzinfo

    def submit(self, draft: ApplicationDraft) -> ApplicationView:
        """Store the application (and a bundle's members), or return the one this form already made."""
        _check_draft(draft)
        return create_once(
            self._sessions,
            find=lambda session: self._find(session, draft.form_id, draft.subject_id),
            insert=lambda session: self._insert(session, draft, None, self._clock()),
            view=lambda session, row: self._view(session, row, show_fields=True),
        )

    def advance(self, number: str, to_status: ApplicationStatus, actor: str, note: str = "") -> StatusEvent:
        with changing_status(self._sessions, ApplicationRow, number, to_status, TRANSITIONS, UnknownApplication) as (
            session, row, current
        ):
            event = ApplicationEventRow(
                application_id=row.id, from_status=current.value, to_status=to_status.value,
                actor=actor, note=note, at=self._clock(),
            )  # fmt: skip
            session.add(event)
            self.audit.record(actor, Action.STATUS_CHANGE, number,
                              {"from": current.value, "to": to_status.value, "note": note}, session=session)
            return _event(event)

    def history(self, number: str) -> list[StatusEvent]:
        with reading(self._sessions) as session:
            row = self._by_number(session, number)
            if row is None:
                raise UnknownApplication(number)
            events = session.scalars(
                select(ApplicationEventRow)
                .where(ApplicationEventRow.application_id == row.id)
                .order_by(ApplicationEventRow.id)
            )
            return [_event(e) for e in events]

    def get(self, number: str, session_id: str | None, staff: str | None = None) -> ApplicationView | None:
        """`staff`: the username of a staff member viewing it; they see the masked fields, audited."""
        _check_staff(staff)
        if staff is None:
            with reading(self._sessions) as session:
                row = self._by_number(session, number)
                return None if row is None else self._view(session, row, show_fields=_owns(session_id, row))
        with writing(self._sessions) as session:
            row = self._by_number(session, number)
            if row is None:
                return None
            self.audit.record(staff, Action.VIEW, number, {"fields": sorted(row.display_json)}, session=session)
            return self._view(session, row, show_fields=True)

    def owned_by(self, number: str, session_id: str | None) -> bool:
        with reading(self._sessions) as session:
            row = self._by_number(session, number)
            return row is not None and _owns(session_id, row)

    def phone_tail(self, number: str) -> str | None:
        """The last four digits of the phone the applicant gave (the second factor of a lookup by number),
        or None when there is no such application or it has no phone (every phone slot is named phone)."""
        with reading(self._sessions) as session:
            row = self._by_number(session, number)
            token = None if row is None else row.values_json.get("phone")
        return None if token is None else digits_tail(self._cipher.decrypt(token))

    def values(self, number: str, session_id: str | None, staff: str | None = None) -> dict[str, str] | None:
        """The decrypted values (slot name -> plain); AccessDenied unless the viewer owns it or is staff
        (`staff`: their username; a staff read is recorded in the audit log)."""
        _check_staff(staff)
        with writing(self._sessions) as session:
            row = self._by_number(session, number)
            if row is None:
                return None
            if staff is None and not _owns(session_id, row):
                raise AccessDenied(number)
            plain = {name: self._cipher.decrypt(token) for name, token in row.values_json.items()}
            if staff is not None:
                self.audit.record(staff, Action.REVEAL, number, {"fields": sorted(plain)}, session=session)
            return plain

    def for_session(self, session_id: str) -> list[ApplicationView]:
        """What this session submitted, bundles with their members nested, oldest first."""
        with reading(self._sessions) as session:
            rows = session.scalars(_OF_SESSION, {"session_id": session_id})
            return [self._view(session, row, show_fields=True) for row in rows]

    def _insert(self, session: Session, draft: ApplicationDraft, parent: str | None, now: datetime) -> ApplicationRow:
        row = ApplicationRow(
            number=next_number(session, APPLICATION_NUMBERS, now.date()),
            parent_number=parent,
            kind=draft.kind.value,
            subject_id=draft.subject_id,
            subject_name=draft.subject_name,
            dept=draft.dept,
            session_id=draft.session_id,
            form_id=draft.form_id,
            status=ApplicationStatus.submitted.value,
            created_at=now,
            expected_date=due_date(now.date(), draft.time_limit),
            values_json={name: self._cipher.encrypt(value) for name, value in draft.values.items()},
            display_json=dict(draft.display),
            deferred_materials=list(draft.deferred_materials),
        )
        session.add(row)
        session.flush()  # the id for the event; the number for the members' parent_number
        session.add(
            ApplicationEventRow(
                application_id=row.id, from_status=None, to_status=row.status, actor=SUBMITTER, note="", at=now
            )
        )
        self.audit.record(SUBMITTER, Action.SUBMIT, row.number, {"subject": row.subject_id, "parent": parent}, session=session)
        member_dates = [self._insert(session, m, row.number, now).expected_date for m in draft.members]
        if row.expected_date is None and member_dates and None not in member_dates:
            # A bundle without its own time limit is finished when its slowest member is.
            row.expected_date = max(d for d in member_dates if d is not None)
        return row

    def _view(self, session: Session, row: ApplicationRow, show_fields: bool) -> ApplicationView:
        members = session.scalars(_MEMBERS, {"number": row.number})
        status = ApplicationStatus(row.status)
        return ApplicationView(
            number=row.number,
            parent_number=row.parent_number,
            kind=SubjectKind(row.kind),
            subject_id=row.subject_id,
            subject_name=row.subject_name,
            dept=row.dept,
            status=status,
            status_label=self._labels[status],
            created_at=row.created_at.astimezone(self._tz),  # stored in UTC; shown on the clock's day
            expected_date=row.expected_date,
            deferred_materials=tuple(row.deferred_materials),
            members=tuple(self._view(session, m, show_fields) for m in members),
            fields=dict(row.display_json) if show_fields else None,
        )

    @staticmethod
    def _find(session: Session, form_id: str, subject_id: str) -> ApplicationRow | None:
        return session.scalars(
            select(ApplicationRow).where(ApplicationRow.form_id == form_id, ApplicationRow.subject_id == subject_id)
        ).one_or_none()

    @staticmethod
    def _by_number(session: Session, number: str) -> ApplicationRow | None:
        return session.scalars(_BY_NUMBER, {"number": number}).one_or_none()


def _check_staff(staff: object) -> None:
    # An audit event needs a name: a bare True (the old flag) must fail loudly, not be recorded as "True".
    if staff is not None and (not isinstance(staff, str) or not staff):
        raise TypeError("staff must be the viewing staff member's username")


def _owns(session_id: str | None, row: ApplicationRow) -> bool:
    return session_id is not None and hmac.compare_digest(session_id.encode(), row.session_id.encode())


def _event(row: ApplicationEventRow) -> StatusEvent:
    return StatusEvent(
        from_status=ApplicationStatus(row.from_status) if row.from_status else None,
        to_status=ApplicationStatus(row.to_status),
        actor=row.actor,
        note=row.note,
        at=row.at,
    )
