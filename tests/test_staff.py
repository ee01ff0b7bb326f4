"""Staff accounts: hashed passwords, expiring sessions, lockout after repeated failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.db import open_database
from assistant.staff import AccountRefused, LoginRefused, Role, StaffDirectory
from persistence_support import any_db  # noqa: F401 (fixture)

PASSWORD = "correct horse battery"


@pytest.fixture
def clock():
    now = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    return now


@pytest.fixture
def directory(tmp_path, clock):
    staff = StaffDirectory(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"), clock=lambda: clock[0])
    staff.add("agent1", PASSWORD, Role.staff)
    return staff


def test_a_staff_member_logs_in_and_is_known_by_the_token(directory):
    token = directory.login("agent1", PASSWORD)
    user = directory.user_for(token)
    assert user.username == "agent1" and user.role is Role.staff
    assert directory.user_for("not-a-token") is None and directory.user_for(None) is None


def test_passwords_are_stored_as_argon2_hashes(directory, tmp_path):
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("db.sqlite*"))
    assert PASSWORD.encode() not in raw and b"$argon2id$" in raw


def test_wrong_password_and_unknown_user_are_refused_alike(directory):
    for name, password in (("agent1", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(LoginRefused) as refused:
            directory.login(name, password)
        assert refused.value.code == "bad_credentials"


def test_five_failures_lock_the_account_for_fifteen_minutes(directory, clock):
    for _ in range(5):
        with pytest.raises(LoginRefused):
            directory.login("agent1", "wrong password!")
    with pytest.raises(LoginRefused) as refused:
        directory.login("agent1", PASSWORD)
    assert refused.value.code == "locked"
    clock[0] += timedelta(minutes=16)
    assert directory.login("agent1", PASSWORD)


def test_sessions_expire_and_logout_ends_them(directory, clock):
    token = directory.login("agent1", PASSWORD)
    directory.logout(token)
    assert directory.user_for(token) is None
    token = directory.login("agent1", PASSWORD)
    clock[0] += timedelta(hours=9)
    assert directory.user_for(token) is None


def test_short_passwords_and_duplicate_names_are_refused(directory):
    with pytest.raises(ValueError):
        directory.add("agent2", "short", Role.staff)
    with pytest.raises(ValueError):
        directory.add("agent1", PASSWORD, Role.admin)


def test_the_last_active_admin_stays_on_sqlite_and_postgresql(any_db):
    staff = StaffDirectory(any_db())
    for name in ("admin1", "admin2"):
        staff.add(name, PASSWORD, Role.admin)
    staff.disable("admin1", "cli:ops")
    with pytest.raises(AccountRefused) as refused:
        staff.disable("admin2", "cli:ops")
    assert refused.value.code == "last_admin"
    staff.enable("admin1", "cli:ops")
    staff.disable("admin2", "cli:ops")  # admin1 is active again
    assert [(a.username, a.active) for a in staff.accounts("cli:ops")] == [("admin1", True), ("admin2", False)]
