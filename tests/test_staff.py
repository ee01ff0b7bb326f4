"""Staff accounts: hashed passwords, expiring sessions, a growing wait after repeated failures that treats known and unknown names alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import any_db  # noqa: F401 (fixture)

from assistant.staff.accounts import MAX_FAILURES, AccountRefused, LoginRefused, Role, StaffDirectory, failure_delay
from assistant.storage.db import open_database

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


def refusal(directory, name: str, password: str, source: str = "10.0.0.9") -> tuple[str, int]:
    with pytest.raises(LoginRefused) as refused:
        directory.login(name, password, source=source)
    return refused.value.code, refused.value.retry_after


def test_a_known_and_an_unknown_name_get_the_same_answers_through_the_wait(directory, clock):
    # Before, five failures at a real name gave "locked" (423), even to the right password, while an
    # unknown name got "bad_credentials" for ever: the difference told which names exist.
    known = [refusal(directory, "agent1", "wrong password!") for _ in range(MAX_FAILURES + 1)]
    unknown = [refusal(directory, "nobody", "wrong password!") for _ in range(MAX_FAILURES + 1)]
    assert known == unknown == [("bad_credentials", 0)] * MAX_FAILURES + [("throttled", 30)]
    # The right password waits too, and says no more than a wrong one would.
    assert refusal(directory, "agent1", PASSWORD) == refusal(directory, "nobody", PASSWORD) == ("throttled", 30)


def test_the_wait_grows_with_each_failure_and_ends_with_a_success(directory, clock):
    for _ in range(MAX_FAILURES - 1):
        refusal(directory, "agent1", "wrong password!")
    waits = []
    for _ in range(4):
        assert refusal(directory, "agent1", "wrong password!")[0] == "bad_credentials"
        waits.append(refusal(directory, "agent1", PASSWORD)[1])
        clock[0] += timedelta(seconds=waits[-1])
    assert waits == [30, 60, 120, 240]
    assert directory.login("agent1", PASSWORD, source="10.0.0.9")
    assert refusal(directory, "agent1", "wrong password!") == ("bad_credentials", 0)  # counting starts again


def test_failures_from_one_source_never_keep_the_account_out_elsewhere(directory):
    for _ in range(MAX_FAILURES + 3):
        refusal(directory, "agent1", "wrong password!", source="203.0.113.7")
    assert refusal(directory, "agent1", PASSWORD, source="203.0.113.7")[0] == "throttled"
    assert directory.user_for(directory.login("agent1", PASSWORD, source="10.1.2.3")) is not None


def test_the_wait_never_passes_fifteen_minutes():
    assert failure_delay(MAX_FAILURES - 1) == timedelta(0)
    assert failure_delay(MAX_FAILURES) == timedelta(seconds=30)
    assert failure_delay(MAX_FAILURES + 100) == timedelta(minutes=15)


def test_an_unknown_name_costs_one_password_hash_like_a_known_one(directory, monkeypatch):
    # The same argon2 work either way, so response time does not tell which names exist.
    work: list[str] = []

    class CountingHasher:
        def hash(self, password: str) -> str:
            work.append("hash")
            return "x"

        def verify(self, stored: str, password: str) -> bool:
            work.append("verify")
            return False

    monkeypatch.setattr(directory, "_hasher", CountingHasher())
    refusal(directory, "agent1", "wrong password!")
    refusal(directory, "nobody", "wrong password!")
    assert work == ["verify", "hash"]


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
