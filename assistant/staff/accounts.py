"""Staff and admin accounts: argon2 password hashes, expiring sessions, a growing wait after failed
sign-ins; listing, disabling and password resets (each ends the account's sessions and is audited).

Failures are counted per source address and user name, whether the name exists or not, so the answers
for a known and an unknown name are the same in wording and in work done, and nobody elsewhere can
lock an admin out by failing on purpose: their failures delay only themselves.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.privacy.audit import Action, AuditLog
from assistant.storage.db import reading, writing
from assistant.staff.tables import LoginThrottleRow, StaffAccountStateRow, StaffSessionRow, StaffUserRow

MAX_FAILURES = 5  # free tries from one source at one name; from the fifth failure on, each one doubles the wait
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
FAILURES_FORGOTTEN_AFTER = timedelta(days=1)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_CHARS = 10


class Role(str, Enum):
    staff = "staff"
    admin = "admin"


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class LoginRefused(Refused):
    """Wrong name or password (the message does not say which), too many failures from this source at
    this name (`retry_after` seconds), or a disabled account (said only to someone who gave its right
    password)."""

    def __init__(self, code: str, retry_after: int = 0) -> None:
        super().__init__(code)
        self.retry_after = retry_after


class AccountRefused(Refused):
    """An account change that cannot be made: unknown_user, last_admin, already_disabled, not_disabled,
    short_password."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: Role


@dataclass(frozen=True)
class StaffAccount:
    """An account as `govassist staff list` shows it: never its password hash."""

    username: str
    role: Role
    active: bool
    delayed_until: datetime | None  # while some source must wait after failed sign-ins at this name
    last_login_at: datetime | None
    created_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttle_keys(source: str, username: str) -> tuple[str, str]:
    name = _digest(f"name\n{username.casefold()}")
    return _digest(f"{source}\n{name}"), name


def failure_delay(failures: int) -> timedelta:
    """The wait after `failures` failed sign-ins in a row: none before MAX_FAILURES, then doubling."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - MAX_FAILURES, 20), MAX_DELAY)


def _object(username: str) -> str:
    return f"staff:{username}"  # how the audit log names an account


class StaffDirectory:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 audit: AuditLog | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hasher = PasswordHasher()
        self._audit = audit or AuditLog(sessions, clock)

    def add(self, username: str, password: str, role: Role, actor: str | None = None) -> StaffUser:
        """A new account; `actor`: who made it, for the audit log (None: not recorded, as in fixtures)."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise ValueError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
        try:
            with writing(self._sessions) as session:
                row = StaffUserRow(username=username, password_hash=self._hasher.hash(password), role=role.value,
                                   failed_logins=0, locked_until=None, created_at=self._clock())
                session.add(row)
                session.flush()
                if actor is not None:
                    self._audit.record(actor, Action.STAFF_ADD, _object(username), {"role": role.value}, session=session)
                return StaffUser(row.id, row.username, role)
        except IntegrityError:
            raise ValueError(f"user {username!r} exists") from None

    def accounts(self, actor: str) -> list[StaffAccount]:
        """Every account by name, with its state; the listing itself is audited."""
        with writing(self._sessions) as session:
            rows = session.execute(
                select(StaffUserRow, StaffAccountStateRow)
                .outerjoin(StaffAccountStateRow, StaffAccountStateRow.user_id == StaffUserRow.id)
                .order_by(StaffUserRow.username)
            ).all()
            now = self._clock()
            delays = dict(session.execute(
                select(LoginThrottleRow.name_hash, func.max(LoginThrottleRow.blocked_until))
                .where(LoginThrottleRow.blocked_until > now).group_by(LoginThrottleRow.name_hash)).all())
            self._audit.record(actor, Action.STAFF_LIST, "staff", {"accounts": len(rows)}, session=session)
        return [StaffAccount(username=user.username, role=Role(user.role), active=state is None or state.disabled_at is None,
                             delayed_until=delays.get(_throttle_keys("", user.username)[1]),
                             last_login_at=state.last_login_at if state else None, created_at=user.created_at)
                for user, state in rows]

    def disable(self, username: str, actor: str) -> None:
        """Stop the account signing in and end its sessions; the last active admin stays (last_admin)."""
        with writing(self._sessions) as session:
            user = self._user(session, username)
            state = self._state(session, user)
            if state.disabled_at is not None:
                raise AccountRefused("already_disabled")
            if user.role == Role.admin.value and self._active_admins(session) <= 1:
                raise AccountRefused("last_admin")
            state.disabled_at = self._clock()
            ended = self._end_sessions(session, user)
            self._audit.record(actor, Action.STAFF_DISABLE, _object(username), {"sessions_ended": ended}, session=session)

    def enable(self, username: str, actor: str) -> None:
        with writing(self._sessions) as session:
            user = self._user(session, username)
            state = self._state(session, user)
            if state.disabled_at is None:
                raise AccountRefused("not_disabled")
            state.disabled_at = None
            self._audit.record(actor, Action.STAFF_ENABLE, _object(username), "", session=session)

    def reset_password(self, username: str, password: str, actor: str) -> None:
        """A new password; every wait earned at this name is lifted and every session of the account ends."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountRefused("short_password")
        password_hash = self._hasher.hash(password)  # before the write lock: hashing is slow on purpose
        with writing(self._sessions) as session:
            user = self._user(session, username)
            user.password_hash = password_hash
            session.execute(delete(LoginThrottleRow).where(
                LoginThrottleRow.name_hash == _throttle_keys("", username)[1]))
            ended = self._end_sessions(session, user)
            self._audit.record(actor, Action.STAFF_PASSWORD_RESET, _object(username), {"sessions_ended": ended},
                               session=session)

    @staticmethod
    def _user(session: Session, username: str) -> StaffUserRow:
        user = session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
        if user is None:
            raise AccountRefused("unknown_user")
        return user

    @staticmethod
    def _state(session: Session, user: StaffUserRow) -> StaffAccountStateRow:
        state = session.get(StaffAccountStateRow, user.id)
        if state is None:
            state = StaffAccountStateRow(user_id=user.id, disabled_at=None, last_login_at=None)
            session.add(state)
        return state

    @staticmethod
    def _active_admins(session: Session) -> int:
        # FOR UPDATE on PostgreSQL: two admins disabled at once cannot both see the other still active
        # (SQLite's writing transactions already run one at a time).
        admins = session.scalars(
            select(StaffUserRow.id).where(StaffUserRow.role == Role.admin.value).with_for_update()).all()
        disabled = session.scalar(select(func.count()).select_from(StaffAccountStateRow).where(
            StaffAccountStateRow.user_id.in_(admins), StaffAccountStateRow.disabled_at.is_not(None))) if admins else 0
        return len(admins) - (disabled or 0)

    @staticmethod
    def _end_sessions(session: Session, user: StaffUserRow) -> int:
        ended = session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == user.id))
        return ended.rowcount or 0  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult

    def login(self, username: str, password: str, source: str = "unknown") -> str:
        """A new session token, or LoginRefused("bad_credentials" | "throttled" | "disabled").
        `source`: the client address, so that failures delay only where they come from."""
        now = self._clock()
        key, name_key = _throttle_keys(source, username)
        refusal, retry_after = None, 0
        with writing(self._sessions) as session:  # a failure is counted (committed) before refusing
            throttle = session.get(LoginThrottleRow, key)
            if throttle is not None and now - throttle.last_failure_at > FAILURES_FORGOTTEN_AFTER:
                throttle.failures, throttle.blocked_until = 0, None
            row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
            if throttle is not None and throttle.blocked_until is not None and throttle.blocked_until > now:
                # Checked before the name: a known and an unknown name wait alike, with no password work.
                refusal, retry_after = "throttled", math.ceil((throttle.blocked_until - now).total_seconds())
            elif row is None or not self._verify(row.password_hash, password):
                if row is None:
                    self._hasher.hash(password)  # the same work as a real check, so timing does not reveal names
                if throttle is None:
                    throttle = LoginThrottleRow(key_hash=key, name_hash=name_key, failures=0, last_failure_at=now)
                    session.add(throttle)
                throttle.failures += 1
                throttle.last_failure_at = now
                delay = failure_delay(throttle.failures)
                throttle.blocked_until = now + delay if delay else None
                refusal = "bad_credentials"
            elif (state := self._state(session, row)).disabled_at is not None:
                refusal = "disabled"
            else:
                if throttle is not None:
                    session.delete(throttle)
                state.last_login_at = now
                token = secrets.token_urlsafe(32)
                session.add(StaffSessionRow(token_digest=_digest(token), user_id=row.id, expires_at=now + SESSION_LIFETIME))
        if refusal is not None:
            raise LoginRefused(refusal, retry_after)
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
                .outerjoin(StaffAccountStateRow, StaffAccountStateRow.user_id == StaffUserRow.id)
                .where(StaffSessionRow.token_digest == _digest(token), StaffAccountStateRow.disabled_at.is_(None))
            ).first()
        if found is None or found[1].expires_at <= self._clock():
            return None
        user = found[0]
        return StaffUser(user.id, user.username, Role(user.role))

    def logout(self, token: str) -> None:
        with writing(self._sessions) as session:
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_digest == _digest(token)))
