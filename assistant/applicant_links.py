"""Which person each application was for, kept as a keyed digest, and the history counted from it.

A person is known by the keyed digest (assistant/crypto.py `keyed_digest`) of the applicant's ID
number, stored beside the application number; neither the number nor a plain hash of it is stored.
With the session each application came from, it tells which applications were one person's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.crypto import FieldCipher
from assistant.db import reading, writing
from assistant.records import ApplicantLinkRow, ApplicationRow

DIGEST_PURPOSE = "applicant"
HISTORY_ROWS = 20_000  # the latest applications counted: enough to learn from, cheap to read


@dataclass(frozen=True)
class Applied:
    """One application as the history counts it: what, from which conversation, for whom (a digest)."""

    subject_id: str
    session_id: str
    applicant: str | None


class ApplicantLinks:
    def __init__(self, sessions: sessionmaker[Session], cipher: FieldCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher

    def record(self, number: str, id_number: str) -> None:
        """Link the application (a bundle: its members too) to its applicant. Idempotent."""
        digest = self._cipher.keyed_digest(id_number, DIGEST_PURPOSE)
        try:
            with writing(self._sessions) as session:
                session.merge(ApplicantLinkRow(application_number=number, applicant=digest))
        except IntegrityError:
            pass  # the same form submitted twice at once (two workers): the other request linked it first

    def history(self, limit: int = HISTORY_ROWS) -> list[Applied]:
        """The latest applications, bundle members included (they share their bundle's applicant)."""
        owner = func.coalesce(ApplicationRow.parent_number, ApplicationRow.number)
        query = (
            select(ApplicationRow.subject_id, ApplicationRow.session_id, ApplicantLinkRow.applicant)
            .outerjoin(ApplicantLinkRow, ApplicantLinkRow.application_number == owner)
            .order_by(ApplicationRow.id.desc())
            .limit(limit)
        )
        with reading(self._sessions) as session:
            return [Applied(subject, session_id, applicant) for subject, session_id, applicant in session.execute(query)]
