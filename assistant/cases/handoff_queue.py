"""The handoff queue (转人工): conversations waiting for a person, the agent who took each, and the
messages between them, in the database so that every worker sees the same queue.

A conversation is enqueued, its messages to the agent added and its case ended inside the
transaction that saves the turn (the engine passes its session: `enqueue`, `post_in`, `end_in`), so a
turn lost to a race leaves no trace in the queue. An agent takes a case with one conditional UPDATE:
of two agents who click at once exactly one gets it. Message texts are encrypted like every other
personal value; the staff screens mask them (assistant/staff/handoff_desk.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.common.transitions import TransitionTable
from assistant.privacy.crypto import FieldCipher
from assistant.privacy.session_keys import SessionKey
from assistant.storage.db import reading, writing
from assistant.storage.personal_tables import HandoffMessageRow, HandoffRow, TurnEventRow

WAITING, TAKEN, ENDED = "waiting", "taken", "ended"
# A case waits until one agent takes it; it ends from either (the citizen goes back, or the case is closed).
STATES = TransitionTable({WAITING: {TAKEN, ENDED}, TAKEN: {ENDED}, ENDED: set[str]()})
OPEN = tuple(sorted(STATES.sources(ENDED)))  # the states a case may end from
TAKEABLE = tuple(sorted(STATES.sources(TAKEN)))
CITIZEN, AGENT, ASSISTANT = "citizen", "agent", "assistant"


class NotYourCase(Exception):
    """The case is not held by this agent (never taken, taken by another, or ended)."""


@dataclass(frozen=True)
class ServiceHours:
    """When agents answer handoffs: a daily window on some weekdays (ISO numbers, Monday 1)."""

    start: time
    end: time  # time.max for "24:00"
    days: frozenset[int]

    @classmethod
    def parse(cls, window: str, days: list[int]) -> ServiceHours:
        """`window`: "08:30-17:30" ("00:00-24:00": all day)."""
        start, end = (part.strip() for part in window.split("-"))
        as_time = lambda text: time.max if text == "24:00" else time.fromisoformat(text)  # noqa: E731
        return cls(as_time(start), as_time(end), frozenset(days))

    @property
    def window(self) -> str:
        end = "24:00" if self.end == time.max else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"

    def open_at(self, when: datetime) -> bool:
        return when.isoweekday() in self.days and self.start <= when.time() < self.end


@dataclass(frozen=True)
class HandoffCase:
    id: int
    session_id: SessionKey
    reason: str
    status: str
    created_at: datetime
    taken_at: datetime | None
    agent: str | None
    work_number: str | None
    outcome: str | None


@dataclass(frozen=True)
class HandoffMessage:
    id: int  # the cursor: ask for messages after it
    sender: str  # citizen | agent | assistant
    work_number: str | None
    text: str
    at: datetime


@dataclass(frozen=True)
class WaitStatus:
    """What a waiting citizen is told: where they are in the queue and whether anyone may come."""

    case: HandoffCase | None
    ahead: int  # cases waiting before this one (before a new one, when none is open)
    open_now: bool  # within service hours
    overdue: bool  # waited longer than the set time without an agent

    @property
    def taken(self) -> bool:
        return self.case is not None and self.case.status == TAKEN

    @property
    def nobody(self) -> bool:
        """No agent will come soon: outside service hours, or nobody took it in the set time."""
        return not self.taken and (not self.open_now or self.overdue)


def _case(row: HandoffRow) -> HandoffCase:
    return HandoffCase(id=row.id, session_id=SessionKey(row.session_id), reason=row.reason, status=row.status, created_at=row.created_at,
                       taken_at=row.taken_at, agent=row.agent, work_number=row.work_number, outcome=row.outcome)


class HandoffQueue:
    def __init__(self, sessions: sessionmaker[Session], cipher: FieldCipher, clock: Callable[[], datetime],
                 hours: ServiceHours, wait_limit: timedelta) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._clock = clock
        self.hours = hours
        self.wait_limit = wait_limit

    # -- inside a turn's transaction ------------------------------------------------------------------

    def enqueue(self, session: Session, session_id: str, reason: str) -> None:
        """Put the conversation in the queue, unless it already has an open case."""
        if self._open_row(session, session_id) is None:
            session.add(HandoffRow(session_id=session_id, reason=reason, status=WAITING, created_at=self._clock()))
            session.flush()

    def post_in(self, session: Session, session_id: str, sender: str, text: str, work_number: str | None = None) -> None:
        """A message in the conversation's open case (none open: nothing to post to)."""
        row = self._open_row(session, session_id)
        if row is not None and text:
            self._add(session, row, sender, text, work_number)

    def end_in(self, session: Session, session_id: str, outcome: str) -> None:
        session.execute(update(HandoffRow).where(HandoffRow.session_id == session_id, HandoffRow.status.in_(OPEN))
                        .values(status=ENDED, ended_at=self._clock(), outcome=outcome))

    # -- reading --------------------------------------------------------------------------------------

    def open_case(self, session_id: str) -> HandoffCase | None:
        with reading(self._sessions) as session:
            row = self._open_row(session, session_id)
            return None if row is None else _case(row)

    def get(self, handoff_id: int) -> HandoffCase | None:
        with reading(self._sessions) as session:
            row = session.get(HandoffRow, handoff_id)
            return None if row is None else _case(row)

    def open_cases(self) -> list[HandoffCase]:
        """Every case waiting or taken, longest waiting first (what staff see)."""
        with reading(self._sessions) as session:
            rows = session.scalars(select(HandoffRow).where(HandoffRow.status.in_(OPEN)).order_by(HandoffRow.id))
            return [_case(row) for row in rows]

    def status(self, session_id: str | None) -> WaitStatus:
        """The wait of this conversation's open case; None: of a case enqueued now."""
        now = self._clock()
        with reading(self._sessions) as session:
            row = None if session_id is None else self._open_row(session, session_id)
            waiting = select(func.count()).select_from(HandoffRow).where(HandoffRow.status == WAITING)
            if row is not None:
                waiting = waiting.where(HandoffRow.id < row.id)
            ahead = session.scalar(waiting) or 0
            case = None if row is None else _case(row)
        overdue = case is not None and case.status == WAITING and now - case.created_at >= self.wait_limit
        return WaitStatus(case=case, ahead=ahead, open_now=self.hours.open_at(now), overdue=overdue)

    def messages(self, since: int = 0, *, session_id: str | None = None, handoff_id: int | None = None) -> list[HandoffMessage]:
        """The messages after cursor `since`, of one conversation (all its cases) or of one case, oldest first."""
        query = select(HandoffMessageRow).where(HandoffMessageRow.id > since).order_by(HandoffMessageRow.id)
        if session_id is not None:
            query = query.where(HandoffMessageRow.session_id == session_id)
        if handoff_id is not None:
            query = query.where(HandoffMessageRow.handoff_id == handoff_id)
        with reading(self._sessions) as session:
            return [HandoffMessage(id=r.id, sender=r.sender, work_number=r.work_number, text=self._cipher.decrypt(r.text_encrypted),
                                   at=r.at) for r in session.scalars(query)]

    # -- the agent ------------------------------------------------------------------------------------

    def take(self, handoff_id: int, agent: str, work_number: str) -> bool:
        """Take a waiting case. One conditional UPDATE: False when another agent was first (or it ended)."""
        with writing(self._sessions) as session:
            result = session.execute(
                update(HandoffRow).where(HandoffRow.id == handoff_id, HandoffRow.status.in_(TAKEABLE))
                .values(status=TAKEN, agent=agent, work_number=work_number, taken_at=self._clock()))
            return result.rowcount == 1  # type: ignore[attr-defined]

    def held(self, handoff_id: int, agent: str) -> HandoffCase:
        """The case, if this agent holds it now; else NotYourCase."""
        case = self.get(handoff_id)
        if case is None or case.status != TAKEN or case.agent != agent:
            raise NotYourCase(handoff_id)
        return case

    def post(self, handoff_id: int, agent: str, text: str) -> HandoffMessage:
        """The agent's message to the citizen (only while this agent holds the case)."""
        with writing(self._sessions) as session:
            row = session.scalars(select(HandoffRow).where(HandoffRow.id == handoff_id).with_for_update()).one_or_none()
            if row is None or row.status != TAKEN or row.agent != agent:
                raise NotYourCase(handoff_id)
            message = self._add(session, row, AGENT, text, row.work_number)
            return HandoffMessage(id=message.id, sender=AGENT, work_number=row.work_number, text=text, at=message.at)

    # -- helpers ----------------------------------------------------------------------------------------

    def _open_row(self, session: Session, session_id: str) -> HandoffRow | None:
        return session.scalars(select(HandoffRow).where(HandoffRow.session_id == session_id, HandoffRow.status.in_(OPEN))
                               .order_by(HandoffRow.id.desc()).limit(1)).first()

    def _add(self, session: Session, row: HandoffRow, sender: str, text: str, work_number: str | None) -> HandoffMessageRow:
        message = HandoffMessageRow(handoff_id=row.id, session_id=row.session_id, sender=sender, work_number=work_number,
                                    text_encrypted=self._cipher.encrypt(text), at=self._clock())
        session.add(message)
        session.flush()
        return message

    def earlier_turns(self, session_id: str) -> list[tuple[str, str, datetime]]:
        """The conversation before and around the handoff as analytics stored it (both texts masked):
        (citizen's message, assistant's reply, when)."""
        with reading(self._sessions) as session:
            rows = session.execute(select(TurnEventRow.text_masked, TurnEventRow.reply_masked, TurnEventRow.at)
                                   .where(TurnEventRow.session_id == session_id).order_by(TurnEventRow.id))
            return [(text, reply, at) for text, reply, at in rows]
