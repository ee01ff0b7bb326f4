"""Conversation state that survives a restart, saved with an optimistic version check.

The state is an opaque JSON document written by the dialogue (personal values in it are already
encrypted). Two requests of one conversation racing each other cannot both win: a save names the
version it started from, and the one that finds a newer version stored gets StaleSession.

Conversations are stored under their key (assistant/privacy/session_keys.py), which the Assistant derives from
the client's token: the `token` arguments below are keys. `new_token` makes the client's token.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.db import reading, writing
from assistant.storage.personal_tables import ConsentRow, SessionRow

# Built once: making a statement costs more CPU than running it (values are bound per call).
_EXISTS = select(SessionRow.id).where(SessionRow.id == bindparam("token"))
_SAVE = (
    update(SessionRow)
    .where(SessionRow.id == bindparam("token"), SessionRow.version == bindparam("expected"))
    .values(state_json=bindparam("new_state"), version=bindparam("new_version"), updated_at=bindparam("now"))
    .execution_options(synchronize_session=False)  # no SessionRow is loaded in the saving transaction
)


class StaleSession(RuntimeError):
    """The stored session changed (or appeared) since this state was loaded."""


@dataclass(frozen=True)
class StoredSession:
    token: str
    state: dict[str, Any]
    version: int


@dataclass(frozen=True)
class Consent:
    subject_id: str
    purpose: str
    fields: tuple[str, ...]
    granted: bool
    at: datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


class SessionStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    def load(self, token: str) -> StoredSession | None:
        with reading(self._sessions) as session:
            row = session.get(SessionRow, token)
            if row is None:
                return None
            return StoredSession(token=row.id, state=json.loads(row.state_json), version=row.version)

    def exists(self, token: str) -> bool:
        """Whether a conversation is stored under token, without reading its state (a cheap check per request)."""
        with reading(self._sessions) as session:
            return session.scalar(_EXISTS, {"token": token}) is not None

    def save(self, token: str, state: dict[str, Any], expected_version: int | None,
             also: Callable[[Session], None] | None = None) -> int:
        """Store state; expected_version None creates the session. Returns the new version.

        `also` writes what belongs with this version (the turn's analytics event) in the same
        transaction, after the version check passed: one commit for both.
        """
        document = json.dumps(state, ensure_ascii=False)
        now = self._clock()
        if expected_version is None:
            try:
                with writing(self._sessions) as session:
                    session.add(SessionRow(id=token, created_at=now, updated_at=now, version=1, state_json=document))
                    session.flush()  # a duplicate token fails here, before `also` writes anything
                    if also is not None:
                        also(session)
            except IntegrityError as exc:
                raise StaleSession(f"session {token[:6]}… already exists") from exc
            return 1
        with writing(self._sessions) as session:
            # Compare and set in one statement: no read, so no window between the check and the write.
            result = session.execute(_SAVE, {"token": token, "expected": expected_version, "new_state": document,
                                             "new_version": expected_version + 1, "now": now})
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleSession(f"session {token[:6]}… is not at version {expected_version}")
            if also is not None:
                also(session)
        return expected_version + 1

    def record_consent(self, token: str, subject_id: str, purpose: str, fields: list[str], granted: bool) -> None:
        """Keep the answer to a consent question (what was asked, for which fields, yes or no)."""
        with writing(self._sessions) as session:
            session.add(
                ConsentRow(
                    session_id=token, subject_id=subject_id, purpose=purpose, fields=list(fields),
                    granted=granted, created_at=self._clock(),
                )
            )  # fmt: skip

    def consents(self, token: str) -> list[Consent]:
        """The consent answers given in one conversation, oldest first."""
        with reading(self._sessions) as session:
            rows = session.scalars(select(ConsentRow).where(ConsentRow.session_id == token).order_by(ConsentRow.id))
            return [Consent(r.subject_id, r.purpose, tuple(r.fields), r.granted, r.created_at) for r in rows]

    def delete(self, token: str) -> bool:
        """Forget the conversation state (consent records stay); False if there was none."""
        with writing(self._sessions) as session:
            result = session.execute(delete(SessionRow).where(SessionRow.id == token))
            return bool(result.rowcount)  # type: ignore[attr-defined]
