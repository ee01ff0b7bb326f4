"""Staff and admin accounts: argon2 password hashes, expiring sessions, lockout after failed logins."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import reading, writing
from assistant.records import StaffSessionRow, StaffUserRow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_CHARS = 10


class Role(str, Enum):
    staff = "staff"
    admin = "admin"


class LoginRefused(Exception):
    """Wrong name or password, or a locked account (the message does not say which of the first two)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: Role


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffDirectory:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hasher = PasswordHasher()

    def add(self, username: str, password: str, role: Role) -> StaffUser:
        if len(password) < MIN_PASSWORD_CHARS:
            raise ValueError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
        try:
            with writing(self._sessions) as session:
                row = StaffUserRow(username=username, password_hash=self._hasher.hash(password), role=role.value,
                                   failed_logins=0, locked_until=None, created_at=self._clock())
                session.add(row)
                session.flush()
                return StaffUser(row.id, row.username, role)
        except IntegrityError:
            raise ValueError(f"user {username!r} exists") from None

    def login(self, username: str, password: str) -> str:
        """A new session token, or LoginRefused("bad_credentials" | "locked")."""
        now = self._clock()
        refusal: str | None = None
        with writing(self._sessions) as session:  # a failure is counted (committed) before refusing
            row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
            if row is None:
                self._hasher.hash(password)  # same work as a real check, so timing does not reveal names
                refusal = "bad_credentials"
            elif row.locked_until is not None and row.locked_until > now:
                refusal = "locked"
            elif not self._verify(row.password_hash, password):
                row.failed_logins += 1
                if row.failed_logins >= MAX_FAILURES:
                    row.locked_until, row.failed_logins = now + LOCKOUT, 0
                refusal = "bad_credentials"
            else:
                row.failed_logins, row.locked_until = 0, None
                token = secrets.token_urlsafe(32)
                session.add(StaffSessionRow(token_digest=_digest(token), user_id=row.id, expires_at=now + SESSION_LIFETIME))
        if refusal is not None:
            raise LoginRefused(refusal)
        return token

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def user_for(self, token: str | None) -> StaffUser | None:
        if not token:
            return None
        with reading(self._sessions) as session:
            found = session.execute(
                select(StaffUserRow, StaffSessionRow)
                .join(StaffSessionRow, StaffSessionRow.user_id == StaffUserRow.id)
                .where(StaffSessionRow.token_digest == _digest(token))
            ).first()
        if found is None or found[1].expires_at <= self._clock():
            return None
        user = found[0]
        return StaffUser(user.id, user.username, Role(user.role))

    def logout(self, token: str) -> None:
        with writing(self._sessions) as session:
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_digest == _digest(token)))
