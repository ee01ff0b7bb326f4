"""`govassist staff add|list|disable|enable|reset-password`: staff and admin accounts from the terminal.

Passwords are asked twice without echo (or read from stdin with --password-stdin), never shown.
Every command is written to the audit log, naming who ran it: cli:<login name>, or --actor.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from cli.applications import staff_actor
from cli.common import services
from settings import Settings

# Why a change was refused (assistant.staff.accounts.AccountRefused codes), as the terminal says it.
REFUSALS = {
    "unknown_user": "no account named {name!r}",
    "last_admin": "{name} is the last active admin: add or enable another admin first",
    "already_disabled": "{name} is already disabled",
    "not_disabled": "{name} is not disabled",
    "short_password": "the password must have at least {min} characters",
}
actor_option = click.option("--actor", help="Who is acting, for the audit log (default: cli:<your login name>).")
password_stdin_option = click.option("--password-stdin", is_flag=True,
                                     help="Read the password from the first line of stdin instead of asking.")


def _directory(settings: Settings):
    return services(settings).staff


def _actor(actor: str | None) -> str:
    return actor.strip() if actor and actor.strip() else staff_actor()


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("New password", hide_input=True, confirmation_prompt=True)


def _refused(code: str, name: str) -> click.ClickException:
    from assistant.staff.accounts import MIN_PASSWORD_CHARS

    return click.ClickException(REFUSALS[code].format(name=name, min=MIN_PASSWORD_CHARS))


@contextmanager
def _refusal_said(username: str) -> Iterator[None]:
    """An account change the directory refuses (AccountRefused), said as the terminal says it."""
    from assistant.staff.accounts import AccountRefused

    try:
        yield
    except AccountRefused as refused:
        raise _refused(refused.code, username) from None


@click.group("staff")
def staff() -> None:
    """Staff and admin accounts for the copilot console and the dashboard."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["staff", "admin"]), default="staff", show_default=True)
@click.password_option(help="At least 10 characters; asked twice when not given.")
@click.option("--work-number", default=None, help="工号 shown to citizens after 转人工 (default: 1000 + the account's id).")
@actor_option
@click.pass_obj
def add(settings: Settings, username: str, role: str, password: str, actor: str | None, work_number: str | None) -> None:
    """Create an account."""
    from assistant.staff.accounts import Role

    parts = services(settings)
    try:
        user = parts.staff.add(username, password, Role(role), actor=_actor(actor))
        if work_number is not None:
            parts.work_numbers.assign(user.id, work_number)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {user.role.value} {user.username}")


@staff.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
@actor_option
@click.pass_obj
def list_(settings: Settings, as_json: bool, actor: str | None) -> None:
    """Every account: name, role, active or disabled, last sign-in (UTC). Never a password hash."""
    import json

    accounts = _directory(settings).accounts(_actor(actor))
    if as_json:
        for a in accounts:
            click.echo(json.dumps({
                "username": a.username, "role": a.role.value, "status": "active" if a.active else "disabled",
                "sign_in_delayed_until": a.delayed_until.isoformat() if a.delayed_until else None,
                "last_login_at": a.last_login_at.isoformat() if a.last_login_at else None,
            }, ensure_ascii=False))
        return
    rows = [("USERNAME", "ROLE", "STATUS", "LAST LOGIN (UTC)")]
    for a in accounts:
        status = ("active" if a.active else "disabled") + (
            f", sign-in delayed until {a.delayed_until:%H:%M} after failures" if a.delayed_until else "")
        rows.append((a.username, a.role.value, status, f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "never"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[3])


@staff.command("disable")
@click.argument("username")
@actor_option
@click.pass_obj
def disable(settings: Settings, username: str, actor: str | None) -> None:
    """Stop an account signing in and end its sessions (the last active admin cannot be disabled)."""
    with _refusal_said(username):
        _directory(settings).disable(username, _actor(actor))
    click.echo(f"disabled {username}; its sessions have ended")


@staff.command("enable")
@click.argument("username")
@actor_option
@click.pass_obj
def enable(settings: Settings, username: str, actor: str | None) -> None:
    """Let a disabled account sign in again."""
    with _refusal_said(username):
        _directory(settings).enable(username, _actor(actor))
    click.echo(f"enabled {username}")


@staff.command("reset-password")
@click.argument("username")
@password_stdin_option
@actor_option
@click.pass_obj
def reset_password(settings: Settings, username: str, password_stdin: bool, actor: str | None) -> None:
    """Set a new password (asked twice, hidden); the account's sessions end and any lockout is lifted."""
    directory = _directory(settings)
    with _refusal_said(username):
        directory.reset_password(username, _new_password(password_stdin), _actor(actor))
    click.echo(f"new password set for {username}; its sessions have ended")
