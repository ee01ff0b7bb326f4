"""好差评: a 1–5 rating with a comment, after a conversation or an application."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from assistant.insight.followups import FollowUps
from assistant.privacy.masking import mask_text
from assistant.storage.db import writing
from assistant.storage.personal_tables import FeedbackRow


class FeedbackBook:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def rate(self, session_id: str, rating: int, comment: str, application_number: str | None) -> int:
        if not 1 <= rating <= 5:
            raise ValueError("rating must be 1–5")
        with writing(self._sessions) as session:
            # A comment may quote an ID or phone number; ratings are read by staff, so it is masked.
            row = FeedbackRow(session_id=session_id, application_number=application_number, rating=rating,
                              comment=mask_text(comment.strip()), created_at=self._clock())
            session.add(row)
            session.flush()
            FollowUps.open_if_bad(session, row)
            return row.id
