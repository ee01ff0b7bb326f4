"""Staff tables: accounts, their state, sign-in throttles, sessions and work numbers (工号)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.base import Base


class StaffUserRow(Base):
    """A staff or admin account. The password is an argon2 hash. failed_logins and locked_until are no
    longer used (failures are counted per source and name in login_throttles); a revision may drop
    them once no running release writes them (docs/deploy.md, "Upgrading")."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StaffAccountStateRow(Base):
    """An account's state beside its password: disabled or not, and its last sign-in. A table of its own
    because, before migrations (assistant/migrations), the project created missing tables and never
    altered one; an account without a row is active and has never signed in since the table existed."""

    __tablename__ = "staff_account_state"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    disabled_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class LoginThrottleRow(Base):
    """Failed sign-ins from one source address at one user name, known or not, and the wait they earned.
    Keyed by hashes: neither the address nor a mistyped name (often a password) is stored."""

    __tablename__ = "login_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # source and name
    name_hash: Mapped[str] = mapped_column(String(64), index=True)  # the name alone: a reset clears them
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class StaffSessionRow(Base):
    """A logged-in staff session; the token is stored only as its SHA-256 digest."""

    __tablename__ = "staff_sessions"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]


class StaffWorkNumberRow(Base):
    """A staff account's 工号 (work number): what citizens see of the agent, never the name. A table of
    its own, made when the project had no migrations and could only add tables."""

    __tablename__ = "staff_work_numbers"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    work_number: Mapped[str] = mapped_column(String(16), unique=True)
