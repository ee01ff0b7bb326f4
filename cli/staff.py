"""`govassist staff add`: create a staff or admin account (the password is asked, never echoed)."""

from __future__ import annotations

import click

from settings import Settings


@click.group("staff")
def staff() -> None:
    """Staff and admin accounts for the copilot console and the dashboard."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["staff", "admin"]), default="staff", show_default=True)
@click.password_option(help="At least 10 characters; asked twice when not given.")
@click.option("--work-number", default=None, help="工号 shown to citizens after 转人工 (default: 1000 + the account's id).")
@click.pass_obj
def add(settings: Settings, username: str, role: str, password: str, work_number: str | None) -> None:
    from assistant.db import open_database
    from assistant.staff import Role, StaffDirectory

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from assistant.work_numbers import WorkNumbers

    database = open_database(settings.resolved_database_url)
    try:
        user = StaffDirectory(database).add(username, password, Role(role))
        if work_number is not None:
            WorkNumbers(database).assign(user.id, work_number)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {user.role.value} {user.username}")
