"""A citizen's own data (查询和删除权): what is kept about one conversation, and erasing it on request.

The session token is the proof: whoever holds it may see (masked) and erase what that conversation
left behind. The methods take the key the token is stored under (assistant/privacy/session_keys.py), never the
token itself. Erasing deletes the conversation state and replaces the personal values of its
applications and work orders with a tombstone; the records themselves keep their number, service and
status, because the office must keep the case. Consent records stay (they hold no personal values:
what was asked, for which fields, yes or no). The erasure is one transaction and is recorded in the
audit log. The same scrubbing serves the retention purge (assistant/cases/retention.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.privacy.audit import Action, AuditLog, session_object
from assistant.privacy.session_keys import SessionKey
from assistant.storage.db import checkpoint, reading, writing
from assistant.privacy.tables import ErasureRow
from assistant.storage.personal_tables import (
    ApplicantLinkRow,
    ApplicationRow,
    ConsentRow,
    FeedbackRow,
    HandoffMessageRow,
    HandoffRow,
    SessionRow,
    TurnEventRow,
    WorkOrderEventRow,
    WorkOrderRow,
)

PRIVACY_FILE = Path(__file__).resolve().parents[1] / "data" / "privacy.yaml"
CITIZEN = "citizen"
RETENTION = "retention"


@dataclass(frozen=True)
class PrivacyWording:
    tombstone: str
    notice: str
    erased: str
    session_not_found: str
    erasure_reasons: dict[str, str]


@lru_cache(maxsize=1)
def privacy_wording(path: Path = PRIVACY_FILE) -> PrivacyWording:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return PrivacyWording(**{k: raw[k] for k in PrivacyWording.__dataclass_fields__})


@dataclass(frozen=True)
class Erasure:
    conversation: bool  # a stored conversation was deleted
    applications: list[str]  # numbers whose personal values were replaced by the tombstone
    work_orders: list[str]
    feedback: int  # comments blanked
    turns: int  # analytics turns whose (masked) texts were blanked

    @property
    def anything(self) -> bool:
        return self.conversation or bool(self.applications or self.work_orders or self.feedback or self.turns)


@dataclass(frozen=True)
class FeedbackItem:
    rating: int
    comment: str  # masked when it was stored
    application_number: str | None
    at: datetime


def scrub_application(session: Session, row: ApplicationRow, reason: str, now: datetime) -> None:
    """Replace an application's personal values by the tombstone; number, service and status stay.
    The keyed digest that linked it to its applicant's other applications goes too."""
    tombstone = privacy_wording().tombstone
    row.values_json = {}
    row.display_json = {label: tombstone for label in row.display_json}
    session.execute(delete(ApplicantLinkRow).where(ApplicantLinkRow.application_number == row.number))
    session.merge(ErasureRow(number=row.number, reason=reason, at=now))


def scrub_work_order(session: Session, row: WorkOrderRow, reason: str, now: datetime, summary: bool) -> None:
    """Replace a work order's caller details and staff notes (and, if `summary`, what the citizen wrote)
    by the tombstone. Notes go always: they are written freely and may name the caller."""
    tombstone = privacy_wording().tombstone
    row.caller_json = {}
    row.caller_masked = {field: tombstone for field in row.caller_masked}
    if summary:
        row.summary = tombstone
    session.execute(update(WorkOrderEventRow).where(WorkOrderEventRow.work_order_id == row.id,
                                                    WorkOrderEventRow.note != "").values(note=tombstone))
    session.merge(ErasureRow(number=row.number, reason=reason, at=now))


def forget_handoffs(session: Session, tokens: list[str], now: datetime) -> None:
    """The messages of these conversations' handoffs (转人工) are deleted with them; an open case ends."""
    session.execute(delete(HandoffMessageRow).where(HandoffMessageRow.session_id.in_(tokens)))
    session.execute(update(HandoffRow).where(HandoffRow.session_id.in_(tokens), HandoffRow.status != "ended")
                    .values(status="ended", ended_at=now, outcome="erased"))


def erased_numbers(session: Session, numbers: Iterable[str]) -> set[str]:
    wanted = list(numbers)
    if not wanted:
        return set()
    return set(session.scalars(select(ErasureRow.number).where(ErasureRow.number.in_(wanted))))


def utc_now() -> datetime:
    return datetime.now(UTC)


class PersonalData:
    def __init__(self, sessions: sessionmaker[Session], audit: AuditLog | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock
        self.audit = audit or AuditLog(sessions, clock)

    def known(self, key: SessionKey) -> bool:
        """Whether anything at all is kept under this key (a conversation, or what it left behind)."""
        with reading(self._sessions) as session:
            for column in (SessionRow.id, ApplicationRow.session_id, WorkOrderRow.session_id, ConsentRow.session_id,
                           FeedbackRow.session_id):
                if session.scalar(select(column).where(column == key).limit(1)) is not None:
                    return True
        return False

    def session_times(self, key: SessionKey) -> tuple[datetime, datetime] | None:
        """When the conversation started and was last used, if it is still stored."""
        with reading(self._sessions) as session:
            row = session.get(SessionRow, key)
            return None if row is None else (row.created_at, row.updated_at)

    def feedback(self, key: SessionKey) -> list[FeedbackItem]:
        with reading(self._sessions) as session:
            rows = session.scalars(select(FeedbackRow).where(FeedbackRow.session_id == key).order_by(FeedbackRow.id))
            return [FeedbackItem(r.rating, r.comment, r.application_number, r.created_at) for r in rows]

    def erased(self, numbers: Iterable[str]) -> set[str]:
        with reading(self._sessions) as session:
            return erased_numbers(session, numbers)

    def erase(self, key: SessionKey) -> Erasure:
        """Erase what this conversation left behind (see the module's docstring), in one transaction."""
        now = self._clock()
        with writing(self._sessions) as session:
            conversation = bool(session.execute(delete(SessionRow).where(SessionRow.id == key)).rowcount)  # type: ignore[attr-defined]
            forget_handoffs(session, [key], now)
            apps = session.scalars(
                select(ApplicationRow).where(ApplicationRow.session_id == key).order_by(ApplicationRow.id).with_for_update()
            ).all()
            orders = session.scalars(
                select(WorkOrderRow).where(WorkOrderRow.session_id == key).order_by(WorkOrderRow.id).with_for_update()
            ).all()
            done = erased_numbers(session, [r.number for r in apps] + [r.number for r in orders])
            apps = [r for r in apps if r.number not in done]
            orders = [r for r in orders if r.number not in done]
            for app in apps:
                scrub_application(session, app, CITIZEN, now)
            for order in orders:
                scrub_work_order(session, order, CITIZEN, now, summary=True)
            feedback = session.execute(
                update(FeedbackRow).where(FeedbackRow.session_id == key, FeedbackRow.comment != "").values(comment="")
            ).rowcount  # type: ignore[attr-defined]
            tombstone = privacy_wording().tombstone
            turns = session.execute(
                update(TurnEventRow).where(TurnEventRow.session_id == key, TurnEventRow.text_masked != tombstone)
                .values(text_masked=tombstone, reply_masked=tombstone)
            ).rowcount  # type: ignore[attr-defined]
            erasure = Erasure(conversation, [a.number for a in apps], [o.number for o in orders], feedback, turns)
            if erasure.anything:
                self.audit.record(CITIZEN, Action.ERASE, session_object(key), {
                    "conversation": conversation, "applications": erasure.applications,
                    "work_orders": erasure.work_orders, "feedback": feedback, "turns": turns,
                }, session=session)  # fmt: skip
        if erasure.anything:
            checkpoint(self._sessions)
        return erasure
