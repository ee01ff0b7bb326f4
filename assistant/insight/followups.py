"""Follow-ups of bad ratings: a rating of 2 or less opens one, with the conversation attached (masked)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.db import reading, writing
from assistant.insight.tables import FollowUpRow
from assistant.storage.personal_tables import ApplicationRow, FeedbackRow, TurnEventRow

BAD_RATING = 2
MAX_NOTE_CHARS = 1000


@dataclass(frozen=True)
class Line:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class FollowUp:
    id: int
    rating: int
    comment: str  # masked when the rating was stored
    subject_id: str | None  # the service the conversation was about, if it got that far
    application_number: str | None
    at: datetime
    status: Literal["open", "closed"]
    note: str
    closed_by: str | None
    transcript: list[Line]


class FollowUpNotFound(LookupError):
    pass


class FollowUps:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    @staticmethod
    def open_if_bad(session: Session, feedback: FeedbackRow) -> None:
        """Called in the transaction that stores the rating, so a bad rating never lacks its follow-up."""
        if feedback.rating <= BAD_RATING:
            session.add(FollowUpRow(feedback_id=feedback.id, status="open", opened_at=feedback.created_at, note=""))

    def list(self, status: Literal["open", "closed"] | None = None) -> list[FollowUp]:
        query = select(FollowUpRow, FeedbackRow).join(FeedbackRow, FeedbackRow.id == FollowUpRow.feedback_id)
        if status is not None:
            query = query.where(FollowUpRow.status == status)
        with reading(self._sessions) as session:
            rows = session.execute(query.order_by(FollowUpRow.id.desc())).all()
            return [self._view(session, follow, rating) for follow, rating in rows]

    def close(self, follow_up_id: int, actor: str, note: str) -> FollowUp:
        with writing(self._sessions) as session:
            row = session.get(FollowUpRow, follow_up_id)
            if row is None:
                raise FollowUpNotFound(follow_up_id)
            row.status, row.closed_at, row.closed_by, row.note = "closed", self._clock(), actor, note.strip()[:MAX_NOTE_CHARS]
            rating = session.get(FeedbackRow, row.feedback_id)
            assert rating is not None
            return self._view(session, row, rating)

    @staticmethod
    def _view(session: Session, follow: FollowUpRow, rating: FeedbackRow) -> FollowUp:
        events = session.scalars(select(TurnEventRow).where(TurnEventRow.session_id == rating.session_id)
                                 .order_by(TurnEventRow.id)).all()
        transcript: list[Line] = []
        for event in events:
            transcript += [Line("user", event.text_masked), Line("assistant", event.reply_masked)]
        subject = next((e.subject_id for e in reversed(events) if e.subject_id), None)
        if rating.application_number and subject is None:
            subject = session.scalar(select(ApplicationRow.subject_id)
                                     .where(ApplicationRow.number == rating.application_number))
        return FollowUp(id=follow.id, rating=rating.rating, comment=rating.comment, subject_id=subject,
                        application_number=rating.application_number, at=follow.opened_at,
                        status="closed" if follow.status == "closed" else "open", note=follow.note,
                        closed_by=follow.closed_by, transcript=transcript)
