"""Which person each application was for, kept as a keyed digest, and the history counted from it.

A person is known by the keyed digest (assistant/privacy/crypto.py `keyed_digest`) of the applicant's ID
number, stored beside the application number; neither the number nor a plain hash of it is stored.
With the session each application came from, it tells which applications were one person's.
The digest key follows the current field key, so after a key rotation `relink` derives every digest
again from the application's own (encrypted) ID number; otherwise a person's earlier applications
would stop counting as theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.privacy.crypto import FieldCipher, FieldCipherError
from assistant.proactive.facts import first_answered
from assistant.storage.db import reading, writing
from assistant.storage.personal_tables import ApplicantLinkRow, ApplicationRow

DIGEST_PURPOSE = "applicant"
HISTORY_ROWS = 20_000  # the latest applications counted: enough to learn from, cheap to read


@dataclass(frozen=True)
class Applied:
    """One application as the history counts it: what, from which conversation, for whom (a digest)."""

    subject_id: str
    session_id: str
    applicant: str | None


@dataclass
class RelinkReport:
    links: int = 0  # links read
    rewritten: int = 0  # digests derived anew under the current key
    unreadable: int = 0  # links whose ID number no configured key opens (left as they are)


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

    def relink(self, identity_slots: Sequence[str], batch: int = 200) -> RelinkReport:
        """Derive every link's digest again under the current key, from the linked application's ID
        number (the first of `identity_slots` it holds). Batches of one transaction each, in
        application number order; a link already under the current key is unchanged, so an
        interrupted run is simply run again."""
        report = RelinkReport()
        after = ""
        while True:
            with writing(self._sessions) as session:
                rows = list(session.execute(
                    select(ApplicantLinkRow.application_number, ApplicantLinkRow.applicant, ApplicationRow.values_json)
                    .join(ApplicationRow, ApplicationRow.number == ApplicantLinkRow.application_number)
                    .where(ApplicantLinkRow.application_number > after)
                    .order_by(ApplicantLinkRow.application_number).limit(batch).with_for_update()))
                for number, digest, values in rows:
                    report.links += 1
                    new = self._digest_of(values, identity_slots)
                    if new is None:
                        report.unreadable += 1
                    elif new != digest:
                        session.execute(update(ApplicantLinkRow).where(ApplicantLinkRow.application_number == number)
                                        .values(applicant=new))
                        report.rewritten += 1
            if not rows:
                return report
            after = rows[-1][0]

    def _digest_of(self, values: dict[str, str], identity_slots: Sequence[str]) -> str | None:
        token = first_answered(identity_slots, values)
        if token is None:
            return None
        try:
            return self._cipher.keyed_digest(self._cipher.decrypt(token), DIGEST_PURPOSE)
        except FieldCipherError:
            return None
