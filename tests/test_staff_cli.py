"""`govassist staff list|disable|enable|reset-password` through the real command line, on a real
SQLite database: what each shows or changes, that the account's sessions end, that the last active
admin stays, and that every command is in the audit log under who ran it."""

from __future__ import annotations

import json

import pytest

from assistant.privacy.audit import AuditLog
from assistant.staff.accounts import LoginRefused, StaffDirectory
from assistant.storage.db import open_database

PASSWORD = "correct horse battery"
NEW_PASSWORD = "another horse, stapled"


@pytest.fixture
def accounts(govassist, tmp_path):
    """admin1 and agent1 made with `staff add`; the directory and audit log on the same database."""
    for name, role in (("admin1", "admin"), ("agent1", "staff")):
        added = govassist("staff", "add", name, "--role", role, input=f"{PASSWORD}\n{PASSWORD}\n")
        assert added.exit_code == 0, added.output
    database = open_database(f"sqlite:///{tmp_path / 'data' / 'govassist.db'}")
    return StaffDirectory(database), AuditLog(database)


def staff_events(audit: AuditLog) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.object) for e in audit.entries() if e.action.startswith("staff_")]


def test_list_shows_name_role_state_and_last_login_but_no_password_hash(govassist, accounts):
    directory, _ = accounts
    directory.login("agent1", PASSWORD)
    listed = govassist("staff", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["USERNAME", "ROLE", "STATUS", "LAST", "LOGIN", "(UTC)"]
    assert lines[1].split() == ["admin1", "admin", "active", "never"]
    assert lines[2].split()[:3] == ["agent1", "staff", "active"] and lines[2].split()[3] != "never"
    assert "argon2" not in listed.output
    as_json = [json.loads(line) for line in govassist("staff", "list", "--json").output.splitlines()]
    assert [(a["username"], a["status"], a["last_login_at"] is None) for a in as_json] == [
        ("admin1", "active", True), ("agent1", "active", False)]
    assert all("password" not in key for a in as_json for key in a)


def test_disable_stops_sign_in_and_ends_the_accounts_sessions(govassist, accounts):
    directory, audit = accounts
    token = directory.login("agent1", PASSWORD)
    assert directory.user_for(token) is not None

    disabled = govassist("staff", "disable", "agent1", "--actor", "ops-lead")
    assert disabled.exit_code == 0, disabled.output
    assert directory.user_for(token) is None  # the live session ended at once
    with pytest.raises(LoginRefused) as refused:
        directory.login("agent1", PASSWORD)
    assert refused.value.code == "disabled"
    with pytest.raises(LoginRefused) as wrong:  # a wrong password learns nothing about the account
        directory.login("agent1", "not the password")
    assert wrong.value.code == "bad_credentials"
    assert govassist("staff", "list").output.splitlines()[2].split()[:3] == ["agent1", "staff", "disabled"]
    again = govassist("staff", "disable", "agent1")
    assert again.exit_code == 1 and "already disabled" in again.output

    assert govassist("staff", "enable", "agent1").exit_code == 0
    assert directory.user_for(directory.login("agent1", PASSWORD)) is not None
    disabled_event, enabled_event = [e for e in staff_events(audit) if e[2] == "staff:agent1"][-2:]
    assert disabled_event == ("ops-lead", "staff_disable", "staff:agent1")
    assert enabled_event[1:] == ("staff_enable", "staff:agent1") and enabled_event[0].startswith("cli")


def test_reset_password_asks_twice_hidden_and_ends_the_sessions(govassist, accounts):
    directory, audit = accounts
    token = directory.login("agent1", PASSWORD)

    mismatch = govassist("staff", "reset-password", "agent1", input=f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert mismatch.exit_code == 0, mismatch.output
    # asked, asked again; they differ, so both again
    assert mismatch.output.count("New password") == 2 and mismatch.output.count("Repeat for confirmation") == 2
    assert NEW_PASSWORD not in mismatch.output  # never echoed
    assert directory.user_for(token) is None
    with pytest.raises(LoginRefused):
        directory.login("agent1", PASSWORD)
    assert directory.user_for(directory.login("agent1", NEW_PASSWORD)) is not None

    piped = govassist("staff", "reset-password", "agent1", "--password-stdin", input=f"{PASSWORD}\n")
    assert piped.exit_code == 0, piped.output
    assert directory.user_for(directory.login("agent1", PASSWORD)) is not None
    short = govassist("staff", "reset-password", "agent1", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    unknown = govassist("staff", "reset-password", "nobody", "--password-stdin", input=f"{PASSWORD}\n")
    assert unknown.exit_code == 1 and "no account named 'nobody'" in unknown.output
    assert [a for _, a, o in staff_events(audit) if o == "staff:agent1"] == [
        "staff_add", "staff_password_reset", "staff_password_reset"]


def test_a_reset_lifts_the_wait_after_failures(govassist, accounts):
    directory, _ = accounts
    for _ in range(5):
        with pytest.raises(LoginRefused):
            directory.login("agent1", "not the password")
    assert "sign-in delayed until" in govassist("staff", "list").output
    assert govassist("staff", "reset-password", "agent1", "--password-stdin", input=f"{NEW_PASSWORD}\n").exit_code == 0
    assert "sign-in delayed" not in govassist("staff", "list").output
    assert directory.user_for(directory.login("agent1", NEW_PASSWORD)) is not None


def test_the_last_active_admin_cannot_be_disabled(govassist, accounts):
    refused = govassist("staff", "disable", "admin1")
    assert refused.exit_code == 1 and "last active admin" in refused.output
    assert govassist("staff", "add", "admin2", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    assert govassist("staff", "disable", "admin1").exit_code == 0  # another admin is still active
    assert "last active admin" in govassist("staff", "disable", "admin2").output
    assert govassist("staff", "disable", "agent1").exit_code == 0  # staff accounts: no such rule


def test_every_command_is_audited_under_who_ran_it_and_shown_by_audit_list(govassist, accounts):
    _, audit = accounts
    govassist("staff", "list")
    govassist("staff", "disable", "agent1", "--actor", "ops-lead")
    govassist("staff", "reset-password", "agent1", "--password-stdin", input=f"{NEW_PASSWORD}\n")
    events = staff_events(audit)
    assert [(a, o) for _, a, o in events] == [
        ("staff_add", "staff:admin1"), ("staff_add", "staff:agent1"), ("staff_list", "staff"),
        ("staff_disable", "staff:agent1"), ("staff_password_reset", "staff:agent1")]
    # --actor names who acted; without it, the terminal's login name (cli:<login>)
    assert events[3][0] == "ops-lead"
    assert all(actor.startswith("cli") for i, (actor, _, _) in enumerate(events) if i != 3)
    shown = govassist("audit", "list", "--object", "staff:agent1").output
    assert "staff_disable" in shown and "ops-lead" in shown and "staff_password_reset" in shown
    assert NEW_PASSWORD not in shown and "argon2" not in shown
    assert govassist("audit", "verify").exit_code == 0
